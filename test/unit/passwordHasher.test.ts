import argon2 from 'argon2';
import { expect } from 'chai';
import {
  ARGON2_PARAMETERS,
  Gate,
  hashPassword,
  isArgon2Hash,
  verifyPassword,
} from '../../src/recovery/passwordHasher.js';

describe('password hashing', () => {
  it('uses argon2id with at least 19 MiB, two passes and one lane', async () => {
    const hash = await hashPassword('lantern orbit velvet');
    expect(hash).to.match(/^\$argon2id\$v=19\$/);
    const parameters = Object.fromEntries(
      hash
        .split('$')[3]!
        .split(',')
        .map((pair) => pair.split('=')),
    );
    expect(parameters).to.deep.equal({ m: '19456', t: '2', p: '1' });
    expect(ARGON2_PARAMETERS.memoryCost).to.be.at.least(19456);
  });

  it('salts every hash, so the same password hashes differently', async () => {
    expect(await hashPassword('same words')).not.to.equal(await hashPassword('same words'));
  });

  it('verifies the right password and no other', async () => {
    const hash = await hashPassword('lantern orbit velvet');
    expect(await verifyPassword(hash, 'lantern orbit velvet')).to.deep.equal({ match: true, needsRehash: false });
    expect((await verifyPassword(hash, 'lantern orbit velvet ')).match).to.equal(false);
  });

  it('asks for a rehash when a matching hash was made with weaker parameters', async () => {
    const weak = await argon2.hash('old words', {
      type: argon2.argon2id,
      memoryCost: 4096,
      timeCost: 1,
      parallelism: 1,
    });
    expect(await verifyPassword(weak, 'old words')).to.deep.equal({ match: true, needsRehash: true });
    expect(await verifyPassword(weak, 'wrong')).to.deep.equal({ match: false, needsRehash: false });
  });

  it('never matches a malformed stored hash', async () => {
    expect(await verifyPassword('not-a-hash', 'anything')).to.deep.equal({ match: false, needsRehash: false });
  });

  it('recognises PHC strings for bulk import', async () => {
    expect(isArgon2Hash(await hashPassword('x'))).to.equal(true);
    expect(isArgon2Hash('$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo')).to.equal(true);
    expect(isArgon2Hash('$2b$10$abcdefghijklmnopqrstuv')).to.equal(false);
    expect(isArgon2Hash('$argon2id$v=19$m=65536$c2FsdA$aGFzaA')).to.equal(false);
  });
});

describe('argon2 gate', () => {
  it('runs at most its limit of tasks at once, starts the others in order, and survives failures', async () => {
    const gate = new Gate(2);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const results = await Promise.allSettled(
      Array.from({ length: 7 }, (_, i) =>
        gate.run(async () => {
          started.push(i);
          most = Math.max(most, ++running);
          await new Promise((resolve) => setTimeout(resolve, 5));
          running--;
          if (i === 3) throw new Error('argon2 failed');
          return i;
        }),
      ),
    );
    expect(most).to.equal(2);
    expect(started).to.deep.equal([0, 1, 2, 3, 4, 5, 6]);
    expect(results.map((result) => result.status)).to.deep.equal([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
      'fulfilled',
    ]);
    expect(await gate.run(async () => 'still open')).to.equal('still open');
  });
});
