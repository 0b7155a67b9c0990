import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import JSZip from 'jszip';
import { z } from 'zod';
import { createTexts } from '../src/i18n.js';

export const MANIFEST_VERSION = '1.24';
const COMMANDS = ['reset', 'change', 'phone', 'help'] as const;
const SCOPES = ['personal', 'team', 'groupChat'] as const;

const httpsUrl = z
  .string({ message: 'must be set to an https URL' })
  .url()
  .startsWith('https://', 'must be an https URL');

/** What the package needs from the environment; checked with one message per bad value. */
const settingsSchema = z.object({
  MicrosoftAppId: z
    .string({ message: 'must be set to the bot registration’s app id' })
    .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be a GUID'),
  PUBLIC_BASE_URL: httpsUrl,
  SERVICE_NAME: z
    .string()
    .trim()
    .min(1)
    .max(18, 'must be at most 18 characters for the Teams app name')
    .default('StreamFlix'),
  SUPPORT_URL: httpsUrl.default('https://help.streamflix.example/contact'),
  PRIVACY_URL: httpsUrl.optional(),
  TERMS_URL: httpsUrl.optional(),
});

export interface TeamsAppSettings {
  botId: string;
  host: string;
  serviceName: string;
  websiteUrl: string;
  privacyUrl: string;
  termsUrl: string;
  version: string;
}

export class TeamsPackageError extends Error {
  constructor(readonly problems: string[]) {
    super(`Cannot build the Teams app package:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'TeamsPackageError';
  }
}

export function teamsAppSettings(env: NodeJS.ProcessEnv): TeamsAppSettings {
  const parsed = settingsSchema.safeParse(env);
  if (!parsed.success) throw new TeamsPackageError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  const values = parsed.data;
  const site = new URL(values.SUPPORT_URL).origin;
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return {
    botId: values.MicrosoftAppId.toLowerCase(),
    host: new URL(values.PUBLIC_BASE_URL).host,
    serviceName: values.SERVICE_NAME,
    websiteUrl: values.SUPPORT_URL,
    privacyUrl: values.PRIVACY_URL ?? `${site}/privacy`,
    termsUrl: values.TERMS_URL ?? `${site}/terms`,
    version,
  };
}

/** The app manifest, in English, with the Dutch strings in nl.json. */
export function buildManifest(settings: TeamsAppSettings): Record<string, unknown> {
  const { t } = createTexts(settings.serviceName);
  return {
    $schema: `https://developer.microsoft.com/en-us/json-schemas/teams/v${MANIFEST_VERSION}/MicrosoftTeams.schema.json`,
    manifestVersion: MANIFEST_VERSION,
    version: settings.version,
    id: settings.botId,
    localizationInfo: { defaultLanguageTag: 'en-us', additionalLanguages: [{ languageTag: 'nl-nl', file: 'nl.json' }] },
    developer: {
      name: settings.serviceName,
      websiteUrl: settings.websiteUrl,
      privacyUrl: settings.privacyUrl,
      termsOfUseUrl: settings.termsUrl,
    },
    name: { short: t('en', 'teams.nameShort'), full: t('en', 'teams.nameFull') },
    description: { short: t('en', 'teams.descriptionShort'), full: t('en', 'teams.descriptionFull') },
    icons: { color: 'color.png', outline: 'outline.png' },
    accentColor: '#E50914',
    bots: [
      {
        botId: settings.botId,
        scopes: [...SCOPES],
        supportsFiles: false,
        isNotificationOnly: false,
        commandLists: [
          {
            scopes: [...SCOPES],
            commands: COMMANDS.map((command) => ({
              title: t('en', `teams.commands.${command}.title`),
              description: t('en', `teams.commands.${command}.description`),
            })),
          },
        ],
      },
    ],
    permissions: ['identity', 'messageTeamMembers'],
    validDomains: [settings.host],
  };
}

export function buildDutchStrings(settings: TeamsAppSettings): Record<string, unknown> {
  const { t } = createTexts(settings.serviceName);
  const strings: Record<string, string> = {
    $schema: `https://developer.microsoft.com/en-us/json-schemas/teams/v${MANIFEST_VERSION}/MicrosoftTeams.Localization.schema.json`,
    'name.short': t('nl', 'teams.nameShort'),
    'name.full': t('nl', 'teams.nameFull'),
    'description.short': t('nl', 'teams.descriptionShort'),
    'description.full': t('nl', 'teams.descriptionFull'),
  };
  COMMANDS.forEach((command, index) => {
    strings[`bots[0].commandLists[0].commands[${index}].title`] = t('nl', `teams.commands.${command}.title`);
    strings[`bots[0].commandLists[0].commands[${index}].description`] = t(
      'nl',
      `teams.commands.${command}.description`,
    );
  });
  return strings;
}

/** Writes the app package zip (manifest, Dutch strings, both icons) and returns its path. */
export async function writeTeamsPackage(env: NodeJS.ProcessEnv, outDir: string): Promise<string> {
  const settings = teamsAppSettings(env);
  const zip = new JSZip();
  zip.file('manifest.json', JSON.stringify(buildManifest(settings), null, 2));
  zip.file('nl.json', JSON.stringify(buildDutchStrings(settings), null, 2));
  for (const icon of ['color.png', 'outline.png']) zip.file(icon, readFileSync(new URL(`./${icon}`, import.meta.url)));
  const file = path.join(outDir, `${settings.serviceName.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-teams-app.zip`);
  await mkdir(outDir, { recursive: true });
  await writeFile(file, await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }));
  return file;
}
