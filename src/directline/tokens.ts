import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** How long a Direct Line token works; clients refresh it before then. */
export const TOKEN_TTL_MS = 30 * 60_000;

export type TokenCheck = { kind: 'valid'; conversationId: string } | { kind: 'expired' } | { kind: 'invalid' };

/**
 * Direct Line tokens of the bot's own endpoint: bound to one conversation and short-lived,
 * signed with a server key (HMAC-SHA-256), so any instance holding the key can check them and
 * nothing about them is stored. A token says which conversation it may read and write, nothing else.
 */
export class DirectLineTokens {
  constructor(
    private readonly key: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** A token for the conversation, valid for TOKEN_TTL_MS but never past `notAfter`. */
  issue(conversationId: string, notAfter?: Date): { token: string; expiresIn: number } {
    const now = this.now().getTime();
    const end = Math.min(now + TOKEN_TTL_MS, notAfter?.getTime() ?? Number.POSITIVE_INFINITY);
    const expiresAt = Math.floor(end / 1000);
    const payload = Buffer.from(
      JSON.stringify({ c: conversationId, e: expiresAt, n: randomBytes(9).toString('base64url') }),
    ).toString('base64url');
    return { token: `${payload}.${this.sign(payload)}`, expiresIn: Math.max(0, expiresAt - Math.floor(now / 1000)) };
  }

  check(token: string | undefined): TokenCheck {
    if (!token || token.length > 1024) return { kind: 'invalid' };
    const [payload, signature, extra] = token.split('.');
    if (!payload || !signature || extra !== undefined) return { kind: 'invalid' };
    const expected = Buffer.from(this.sign(payload));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { kind: 'invalid' };
    let claims: { c?: unknown; e?: unknown };
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof claims;
    } catch {
      return { kind: 'invalid' };
    }
    if (typeof claims.c !== 'string' || typeof claims.e !== 'number') return { kind: 'invalid' };
    if (this.now().getTime() >= claims.e * 1000) return { kind: 'expired' };
    return { kind: 'valid', conversationId: claims.c };
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.key).update(`directline-token:${payload}`).digest('base64url');
  }
}
