import type { Account, ResetRequest } from './types.js';

export type LinkProblem = 'expired' | 'used' | 'invalid';

/** Named rules of a reset request's life, each small enough to audit on its own. */
export function isExpired(request: ResetRequest, now: Date): boolean {
  return now.getTime() >= Date.parse(request.expiresAt);
}

export function isUsed(request: ResetRequest): boolean {
  return request.usedAt !== undefined;
}

/** A password change since the request was issued voids it. */
export function isVoidedByPasswordChange(request: ResetRequest, account: Account): boolean {
  return request.credentialVersion !== account.credentialVersion;
}

export function linkProblemOf(request: ResetRequest, account: Account, now: Date): LinkProblem | undefined {
  if (isUsed(request) || isVoidedByPasswordChange(request, account)) return 'used';
  if (isExpired(request, now)) return 'expired';
  return undefined;
}
