import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project's folder, the parent of this module's, whether the bot runs from its TypeScript
 * source (`src/`) or built (`dist/server.js`): the data files it reads (locales, word lists, the
 * NLU corpus and model, migrations, the partners file, the pages' browser scripts) are never
 * copied, only read from here.
 */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** A file or folder of the project, by its path from the project's folder. */
export function projectPath(...parts: string[]): string {
  return path.join(PROJECT_ROOT, ...parts);
}
