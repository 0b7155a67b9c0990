/**
 * The one redaction step every log line, audit event and error report passes through.
 * It masks secrets by the name of the field that holds them and by the shape of free text.
 */

const SECRET_KEYS = new Set([
  'password',
  'confirm',
  'currentpassword',
  'newpassword',
  'passwordhash',
  'pendinghash',
  'token',
  'code',
  'secret',
  'cardnumber',
  'authorization',
  'cookie',
  'apppassword',
  'microsoftapppassword',
  'smtpurl',
  'cardhmackey',
]);

/**
 * Fields that name a conversation, a ticket or an escalation: identifiers the audit trail and the
 * logs need as they are, to follow one conversation, and never secrets (a conversation id does
 * not let anyone in: the bot's own web chat also needs its token).
 */
const IDENTIFIER_KEYS = new Set(['conversationid', 'ticketid', 'escalationid']);

const PATTERNS: ReadonlyArray<[RegExp, string | ((match: string) => string)]> = [
  // Argon2 PHC strings and bearer credentials.
  [/\$argon2(?:id|i|d)\$[^\s"']+/g, '[hash]'],
  [/\bBearer\s+[A-Za-z0-9._~+/-]+=*/gi, 'Bearer [redacted]'],
  // Reset links and query tokens, then any long opaque run that may be a token.
  [/([?&](?:token|code)=)[^&\s"'#]+/gi, '$1[redacted]'],
  [/\b[A-Za-z0-9_-]{22,}\b/g, (match) => (looksLikeToken(match) ? '[token]' : match)],
  // Card numbers: 13–19 digits, optionally grouped by spaces or dashes.
  [/\b\d(?:[ -]?\d){12,18}\b/g, '[card]'],
  // Phone numbers in international or national form, keeping the last two digits.
  [/(?<![\w+-])(?:\+|00|0)\d(?:[ ()-]{0,2}\d){7,13}\b/g, (match) => `[phone …${match.replace(/\D/g, '').slice(-2)}]`],
  // One-time codes.
  [/\b\d{6}\b/g, '[code]'],
  // Email addresses: keep the first letter and the domain.
  [/\b([A-Za-z0-9])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})\b/g, '$1***@$2'],
];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Twilio resource ids (messages, accounts, services): identifiers, not secrets. */
const TWILIO_SID = /^(?:SM|MM|AC|MG)[0-9a-f]{32}$/i;

function looksLikeToken(text: string): boolean {
  return !UUID.test(text) && !TWILIO_SID.test(text) && /[0-9]/.test(text) && /[A-Za-z]/.test(text);
}

export function redactText(text: string): string {
  let result = text;
  for (const [pattern, replacement] of PATTERNS) {
    result = result.replace(pattern, replacement as string);
  }
  return result;
}

/** Whether a field of that name holds a secret (whatever the case of its name). */
export function isSecretField(name: string): boolean {
  return SECRET_KEYS.has(name.toLowerCase());
}

/** A deep copy of a value with secret fields replaced and free text masked. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[…]';
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return redactError(value);
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const name = key.toLowerCase();
    if (isSecretField(name)) result[key] = '[redacted]';
    else if (IDENTIFIER_KEYS.has(name) && typeof item === 'string') result[key] = item;
    else result[key] = redact(item, depth + 1);
  }
  return result;
}

/** Errors whose messages quote the input they choked on (`Unexpected token … in JSON`, a malformed URI). */
const QUOTING_ERRORS = new Set(['SyntaxError', 'URIError']);

/**
 * An error as a log line may hold it: its class, its message (redacted, and left out where the
 * message may quote a request), and the stack's frames without the message repeated in them.
 */
export function redactError(error: unknown): { name: string; message: string; stack?: string } {
  if (error instanceof Error) {
    const frames = error.stack
      ?.split('\n')
      .filter((line) => line.trimStart().startsWith('at '))
      .join('\n');
    const message = QUOTING_ERRORS.has(error.name) ? '[omitted: may quote its input]' : redactText(error.message);
    return { name: error.name, message, ...(frames ? { stack: redactText(frames) } : {}) };
  }
  return { name: 'NonError', message: redactText(String(error)) };
}
