// Fails at once, saying what is missing, when PostgreSQL or Redis does not answer at 127.0.0.1:
// the tests run on both stores and cannot without them.
import net from 'node:net';

function answers(name, port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setTimeout(3000);
    socket.once('connect', () => {
      socket.end();
      resolve(true);
    });
    for (const event of ['error', 'timeout'])
      socket.once(event, () => {
        socket.destroy();
        process.stderr.write(`${name} does not answer at 127.0.0.1:${port}: start it before the tests.\n`);
        resolve(false);
      });
  });
}

const results = await Promise.all([answers('PostgreSQL', 5432), answers('Redis', 6379)]);
if (!results.every(Boolean)) process.exit(1);
process.stdout.write('PostgreSQL and Redis answer.\n');
