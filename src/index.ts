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
  // A stray rejection is a bug to log, not a reason to drop every conversation in flight.
  process.on('unhandledRejection', (reason) => logger.error('unhandled rejection', { error: reason }));
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

main().catch((error: unknown) => {
  createLogger('error').error('failed to start', { error });
  process.exit(1);
});
