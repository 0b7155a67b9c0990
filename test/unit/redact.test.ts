import { expect } from 'chai';
import { createLogger } from '../../src/security/logger.js';
import { redact, redactError, redactText } from '../../src/security/redact.js';

describe('redaction', () => {
  it('masks card numbers with spaces, dashes or none, inside longer text', () => {
    for (const text of [
      'card 4111111111111111 ok',
      'card 4111 1111 1111 1111 ok',
      'card 4111-1111-1111-1111 ok',
      '5500 0000 0000 0004',
    ]) {
      const masked = redactText(text);
      expect(masked, text).to.contain('[card]');
      expect(masked.replace(/\D/g, '')).not.to.match(/\d{12,}/);
    }
  });

  it('masks six-digit codes, reset links and opaque tokens', () => {
    expect(redactText('your code is 123456')).to.equal('your code is [code]');
    expect(redactText('https://help.example/reset?token=abcDEF123_-abcDEF123_-abcDEF123_-abcDEF1234')).to.equal(
      'https://help.example/reset?token=[redacted]',
    );
    expect(redactText('pasted abcDEF123_-abcDEF123_-abcDEF123_-abcDEF1234 here')).to.equal('pasted [token] here');
  });

  it('masks email addresses and phone numbers but keeps enough to tell them apart', () => {
    expect(redactText('mail emma.devries@example.com now')).to.equal('mail e***@example.com now');
    expect(redactText('call +31 6 12345678')).to.equal('call [phone …78]');
    expect(redactText('call 06-12345678')).to.equal('call [phone …78]');
  });

  it('keeps ordinary text, dates, UUIDs, Twilio ids and small numbers', () => {
    const text =
      'account 3f2b8c1e-9d4a-4b7e-8f00-0123456789ab changed on 2026-11-25 at port 3978, message SM0123456789abcdef0123456789abcdef';
    expect(redactText(text)).to.equal(text);
  });

  it('replaces secret fields by name at any depth, whatever their value', () => {
    const value = redact({
      password: 'lantern orbit velvet',
      nested: { confirm: 'x', currentPassword: 'y', token: 'z', cardNumber: 'n', passwordHash: '$argon2id$v=19$...' },
      list: [{ code: '123' }],
      fine: 'visible',
    });
    expect(value).to.deep.equal({
      password: '[redacted]',
      nested: {
        confirm: '[redacted]',
        currentPassword: '[redacted]',
        token: '[redacted]',
        cardNumber: '[redacted]',
        passwordHash: '[redacted]',
      },
      list: [{ code: '[redacted]' }],
      fine: 'visible',
    });
  });

  it('masks secrets in error messages and stacks', () => {
    const error = new Error('failed for emma@example.com with code 654321');
    const masked = redactError(error);
    expect(masked.message).to.equal('failed for e***@example.com with code [code]');
    expect(masked.stack).not.to.contain('654321');
  });

  it('passes every log line through redaction', () => {
    const lines: string[] = [];
    const logger = createLogger('debug', (line) => lines.push(line)).child({ conversation: 'c1' });
    logger.info('sent code 123456 to emma@example.com', { password: 'secret words', card: '4111 1111 1111 1111' });
    const entry = JSON.parse(lines[0]!) as Record<string, string>;
    expect(entry.msg).to.equal('sent code [code] to e***@example.com');
    expect(entry.password).to.equal('[redacted]');
    expect(entry.card).to.equal('[card]');
    expect(entry.conversation).to.equal('c1');
    expect(entry.level).to.equal('info');
  });

  it('writes nothing below the configured level', () => {
    const lines: string[] = [];
    const logger = createLogger('warn', (line) => lines.push(line));
    logger.info('hidden');
    logger.warn('shown');
    expect(lines).to.have.length(1);
  });

  it('keeps conversation, ticket and escalation ids as they are, however token-like', () => {
    const id = 'wc-Qm9vTGVhbkRhdGEzNTY3ODkwMTIz';
    expect(redactText(id)).to.equal('[token]');
    expect(redact({ conversationId: id, detail: { ticketId: 'T-1A2B3C4D', escalationId: id } })).to.deep.equal({
      conversationId: id,
      detail: { ticketId: 'T-1A2B3C4D', escalationId: id },
    });
  });

  it('leaves out the message of errors that quote their input, and the message in the stack', () => {
    let parseError: unknown;
    try {
      JSON.parse('{"password":"sunflower-secret-99",');
    } catch (error) {
      parseError = error;
    }
    const masked = redactError(parseError);
    expect(masked.name).to.equal('SyntaxError');
    expect(JSON.stringify(masked)).not.to.contain('sunflower');
    const plain = redactError(new Error('store unreachable'));
    expect(plain.message).to.equal('store unreachable');
    expect(plain.stack).not.to.contain('store unreachable');
  });
});
