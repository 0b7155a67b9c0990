import 'dotenv/config';
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { PartnersFileError } from './recovery/partners.js';
import { createLogger } from './security/logger.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nSee .env.example for every setting.\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  // Every request, upgrade and socket handler catches its own faults. What still escapes is a bug:
  // a stray rejection leaves nothing half-done behind it, so it is logged and the bot serves on;
  // an exception thrown out of a callback may have left state half-changed, so it is logged and
  // the process ends, for the supervisor to start a clean one (the store survives: writes are atomic).
  process.on('unhandledRejection', (reason) => logger.error('unhandled rejection', { error: errorClass(reason) }));
  process.on('uncaughtException', (error) => {
    logger.error('uncaught exception; stopping', { error: errorClass(error) });
    process.exit(1);
  });
  let app;
  try {
    app = await createApp(config, { logger });
  } catch (error) {
    if (error instanceof PartnersFileError) {
      process.stderr.write(`${error.message}\nFix the file, or point PARTNERS_FILE at another one.\n`);
      process.exit(1);
    }
    throw error;
  }
  const url = await app.listen();
  logger.info('bot listening', {
    url,
    endpoint: `${url}/api/messages`,
    emulatorMode: config.emulatorMode,
    mail: config.smtpUrl ? 'smtp' : `outbox ${config.dataDir}/outbox/email.jsonl`,
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { signal });
    await app.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

/** What a process-level log line keeps of an error: its class and where it was thrown, no message. */
function errorClass(error: unknown): { name: string; stack?: string } {
  if (!(error instanceof Error)) return { name: typeof error };
  const frames = error.stack?.split('\n').filter((line) => line.trimStart().startsWith('at '));
  return { name: error.name, ...(frames?.length ? { stack: frames.slice(0, 8).join('\n') } : {}) };
}

main().catch((error: unknown) => {
  createLogger('error').error('failed to start', { error });
  process.exit(1);
});
