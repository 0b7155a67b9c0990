import { expect } from 'chai';
import { normalizePhone, parsePhone } from '../../src/recovery/phoneNumbers.js';

describe('phone numbers', () => {
  it('reads Dutch national mobile numbers in the default region, with spaces and dashes', () => {
    for (const text of ['0612345678', '06 12345678', '06-1234 5678', '06 12 34 56 78', '(06) 12345678']) {
      expect(parsePhone(text, 'NL'), text).to.deep.equal({ kind: 'mobile', e164: '+31612345678' });
    }
  });

  it('reads international numbers whatever the default region', () => {
    expect(parsePhone('+31 6 12345678', 'BE')).to.deep.equal({ kind: 'mobile', e164: '+31612345678' });
    expect(parsePhone('0031612345678', 'NL')).to.deep.equal({ kind: 'mobile', e164: '+31612345678' });
    expect(parsePhone('+32 470 12 34 56', 'NL')).to.deep.equal({ kind: 'mobile', e164: '+32470123456' });
    expect(parsePhone('0470 12 34 56', 'BE')).to.deep.equal({ kind: 'mobile', e164: '+32470123456' });
  });

  it('tells a landline from a mobile number', () => {
    expect(parsePhone('020 123 4567', 'NL')).to.deep.equal({ kind: 'notMobile', e164: '+31201234567' });
  });

  it('refuses what is not a phone number', () => {
    for (const text of [
      '',
      '12',
      'call me',
      '06 1234',
      '+31 6 1234567890123',
      '📞0612345678',
      '0612345678; DROP',
      'x'.repeat(100),
    ]) {
      expect(parsePhone(text, 'NL'), text).to.deep.equal({ kind: 'invalid' });
    }
  });

  it('normalises any valid number for storage and lookups', () => {
    expect(normalizePhone('06-12345678', 'NL')).to.equal('+31612345678');
    expect(normalizePhone('020 123 4567', 'NL')).to.equal('+31201234567');
    expect(normalizePhone('nonsense', 'NL')).to.equal(undefined);
  });
});
