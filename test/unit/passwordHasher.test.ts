import { hash as argon2Hash } from '@node-rs/argon2';
import { expect } from 'chai';
import {
  ARGON2_PARAMETERS,
  hashPassword,
  isArgon2Hash,
  sameHash,
  saltOf,
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
    const weak = await argon2Hash('old words', {
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

describe('password hashing off the event loop', () => {
  it('hashes and verifies in worker threads while the event loop stays free', async () => {
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 1);
    const hashes = await Promise.all(Array.from({ length: 4 }, (_, i) => hashPassword(`words ${i}`)));
    clearInterval(ticker);
    expect(await verifyPassword(hashes[2]!, 'words 2')).to.deep.equal({ match: true, needsRehash: false });
    // Four hashes of about 30 ms each on this thread would have let no 1 ms timer run in between.
    expect(ticks).to.be.above(4);
  });

  it('hashes the same way again with a salt of the caller, and sameHash tells the results apart', async () => {
    const first = await hashPassword('lantern orbit velvet');
    const salt = saltOf(first)!;
    expect(salt).to.have.length(16);
    const again = await hashPassword('lantern orbit velvet', salt);
    const other = await hashPassword('copper meadow whistle', salt);
    expect(again).to.equal(first);
    expect(sameHash(first, again)).to.equal(true);
    expect(sameHash(again, other)).to.equal(false);
    // Another salt: only a verification can tell.
    expect(sameHash(again, await hashPassword('lantern orbit velvet'))).to.equal(undefined);
  });
});
