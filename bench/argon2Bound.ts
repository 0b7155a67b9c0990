// What the machine's cores do with argon2 alone: one thread per core, each running "resets" of
// two operations (a verification and a new hash, argon2id with the bot's parameters, taken from
// its code so they cannot drift apart) back to back, straight on the argon2 library, with none of
// the bot's code running. Run while the bot is idle.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ARGON2_PARAMETERS } from '../src/recovery/passwordHasher.js';

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { hashSync, verifySync } = require(workerData.argon2);
const parameters = { ...workerData.parameters, algorithm: 2 }; // argon2id
const stored = hashSync('bench-start-password', parameters);
const deadline = Date.now() + workerData.seconds * 1000;
let resets = 0;
while (Date.now() < deadline) {
  verifySync(stored, 'some-candidate-password');
  hashSync('some-candidate-password', parameters);
  resets++;
}
parentPort.postMessage(resets);
`;

/** Resets per second the argon2 work alone would allow, on every core. */
export async function measureArgon2Bound(seconds: number, argon2Module: string): Promise<number> {
  const counts = await Promise.all(
    Array.from(
      { length: availableParallelism() },
      () =>
        new Promise<number>((resolve, reject) => {
          const worker = new Worker(WORKER, {
            eval: true,
            workerData: { seconds, argon2: argon2Module, parameters: ARGON2_PARAMETERS },
          });
          worker.once('message', resolve);
          worker.once('error', reject);
        }),
    ),
  );
  return counts.reduce((sum, count) => sum + count, 0) / seconds;
}
