import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import JSZip from 'jszip';
import { createRequire } from 'node:module';
import type AjvDraft04 from 'ajv-draft-04';
import type AjvFormats from 'ajv-formats';
import { z } from 'zod';

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

/** The manifest version the templates are written for: the schema the package is checked against. */
export const MANIFEST_VERSION = '1.24';

/**
 * A template from this folder (`manifest.json`, or `nl.json` with the Dutch strings) with its
 * `{{placeholders}}` filled in. Values go in JSON-escaped, so a name with a quote stays valid JSON.
 */
export function fillTemplate(file: 'manifest.json' | 'nl.json', settings: TeamsAppSettings): Record<string, unknown> {
  const template = readFileSync(new URL(`./${file}`, import.meta.url), 'utf8');
  const values: Record<string, string> = { ...settings };
  const filled = template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw new TeamsPackageError([`${file}: unknown placeholder ${whole}`]);
    return JSON.stringify(value).slice(1, -1);
  });
  return JSON.parse(filled) as Record<string, unknown>;
}

/** Checks a filled template against Microsoft's published schema (from @microsoft/app-manifest). */
async function validate(file: string, document: Record<string, unknown>, schemaFile: string): Promise<void> {
  const require = createRequire(import.meta.url);
  // Both are CommonJS packages whose default export is the module itself.
  const Ajv = require('ajv-draft-04') as typeof AjvDraft04.default;
  const addFormats = require('ajv-formats') as typeof AjvFormats.default;
  // Microsoft's schemas use patterns written for non-Unicode regular expressions.
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  const check = ajv.compile(
    require(`@microsoft/app-manifest/build/json-schemas/teams/v${MANIFEST_VERSION}/${schemaFile}`),
  );
  if (!check(document))
    throw new TeamsPackageError((check.errors ?? []).map((error) => `${file}${error.instancePath}: ${error.message}`));
}

/** Writes the app package zip (manifest, Dutch strings, both icons) and returns its path. */
export async function writeTeamsPackage(env: NodeJS.ProcessEnv, outDir: string): Promise<string> {
  const settings = teamsAppSettings(env);
  const manifest = fillTemplate('manifest.json', settings);
  const dutch = fillTemplate('nl.json', settings);
  await validate('manifest.json', manifest, 'MicrosoftTeams.schema.json');
  await validate('nl.json', dutch, 'MicrosoftTeams.Localization.schema.json');
  const zip = new JSZip();
  zip.file('manifest.json', JSON.stringify(manifest, null, 2));
  zip.file('nl.json', JSON.stringify(dutch, null, 2));
  for (const icon of ['color.png', 'outline.png']) zip.file(icon, readFileSync(new URL(`./${icon}`, import.meta.url)));
  const file = path.join(outDir, `${settings.serviceName.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-teams-app.zip`);
  await mkdir(outDir, { recursive: true });
  await writeFile(file, await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }));
  return file;
}
