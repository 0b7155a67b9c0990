// npm run teams:package — the Teams app package for this bot, from the environment (.env too):
// MicrosoftAppId, PUBLIC_BASE_URL (https), SERVICE_NAME, SUPPORT_URL, PRIVACY_URL, TERMS_URL.
import 'dotenv/config';
import { fileURLToPath } from 'node:url';
import { TeamsPackageError, writeTeamsPackage } from './teamsApp.js';

try {
  const file = await writeTeamsPackage(process.env, fileURLToPath(new URL('./build/', import.meta.url)));
  process.stdout.write(
    `Teams app package written to ${file}\nUpload it in Teams: Apps → Manage your apps → Upload an app.\n`,
  );
} catch (error) {
  if (!(error instanceof TeamsPackageError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 2;
}
