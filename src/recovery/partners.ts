import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { LOCALES, type Locale } from '../config.js';

const localized = z.object(
  Object.fromEntries(LOCALES.map((locale) => [locale, z.string().trim().min(1).max(300)])) as Record<
    Locale,
    z.ZodString
  >,
);

const partnerSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]{1,40}$/, 'must be lower-case letters, digits and dashes'),
  name: z.string().trim().min(1).max(60),
  aliases: z.array(z.string().trim().min(1).max(60)).max(20).default([]),
  signInHelpUrl: z.object(
    Object.fromEntries(
      LOCALES.map((locale) => [locale, z.string().url().startsWith('https://', 'must be an https URL')]),
    ) as Record<Locale, z.ZodString>,
  ),
  cantSignInSection: localized,
});

export type Partner = z.infer<typeof partnerSchema>;

export class PartnersFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`The partner list ${file} cannot be used:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'PartnersFileError';
  }
}

/** The partners (TV, internet and phone providers) whose customers sign in through them; read at start. */
export async function loadPartners(file: string): Promise<Partner[]> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new PartnersFileError(file, [(error as Error).message]);
  }
  const parsed = z.array(partnerSchema).max(100).safeParse(raw);
  if (!parsed.success) {
    throw new PartnersFileError(
      file,
      parsed.error.issues.map(
        (issue) => `${issue.path.length ? `#${issue.path.join('.')}` : 'file'}: ${issue.message}`,
      ),
    );
  }
  const ids = parsed.data.map((partner) => partner.id);
  const duplicate = ids.find((id, index) => ids.indexOf(id) !== index);
  if (duplicate) throw new PartnersFileError(file, [`the id "${duplicate}" is used twice`]);
  return parsed.data;
}
