// npm run build: the bot as JavaScript in dist/ (run by `npm start`, prepared by `npm install`):
// dist/server.js, one file with its dependencies, and the worker threads' modules beside it in
// dist/workers/. One file starts much faster than thousands of node_modules files read one by one.
// Type checking is `npm run typecheck`; esbuild only strips the types. The data files (locales,
// word lists, the NLU corpus and model, migrations, the pages' browser scripts) are read from
// where they are (src/paths.ts).
import { build } from 'esbuild';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import process from 'node:process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * botbuilder-dialogs loads the text recognizers of its number, date, choice and confirm prompts
 * (5 MB of JavaScript, a third of the bot) when it loads, though the bot uses none of those
 * prompts. In the bundle they load on first use instead: their exports are read through a proxy
 * that requires the real package then; the culture names read at load time come from the small
 * base package.
 */
const LAZY = /^@microsoft\/recognizers-text-(suite|number|choice|date-time)$/;
const lazyRecognizers = {
  name: 'lazy-recognizers',
  setup(builder) {
    builder.onResolve({ filter: LAZY }, (args) => ({ path: args.path, namespace: 'lazy-recognizers' }));
    builder.onLoad({ filter: /.*/, namespace: 'lazy-recognizers' }, (args) => ({
      contents: `
        const { Culture } = require('@microsoft/recognizers-text');
        const realPath = ${JSON.stringify(require.resolve(args.path))};
        let real;
        const load = () => (real ??= require(realPath));
        module.exports = new Proxy({}, {
          get: (_, key) => (key === '__esModule' ? true : key === 'Culture' ? Culture : load()[key]),
          has: (_, key) => key in load(),
          ownKeys: () => Reflect.ownKeys(load()),
          getOwnPropertyDescriptor: (_, key) => Reflect.getOwnPropertyDescriptor(load(), key),
        });`,
      resolveDir: process.cwd(),
      loader: 'js',
    }));
  },
};

/** What esbuild's ES module output needs to run CommonJS dependencies. */
const COMMONJS_GLOBALS = [
  "import { createRequire as __createRequire } from 'node:module';",
  "import { fileURLToPath as __fileURLToPath } from 'node:url';",
  'const require = __createRequire(import.meta.url);',
  'const __filename = __fileURLToPath(import.meta.url);',
  "const __dirname = __fileURLToPath(new URL('.', import.meta.url));",
].join(' ');

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Shorter to parse; names are kept, so a logged stack still says where.
  minifyWhitespace: true,
  minifySyntax: true,
  // For profiles (npm run bench:profile) and, with node --enable-source-maps, stack traces.
  sourcemap: true,
  // Native code, the page-script bundler, and what is only ever loaded from source.
  external: ['@node-rs/argon2', 'esbuild', 'pg-native', 'dtrace-provider', 'tsx', 'tsx/*'],
  banner: { js: COMMONJS_GLOBALS },
  logLevel: 'warning',
};

// `node scripts/build.mjs <file.ts> <out.js>` bundles one more program the same way (the
// benchmark's echo bot), beside the bot's build.
const [entry, outfile] = process.argv.slice(2);
if (entry && outfile) {
  await build({ ...common, entryPoints: [entry], outfile });
  process.exit(0);
}

rmSync('dist', { recursive: true, force: true });
await Promise.all([
  build({ ...common, entryPoints: { server: 'src/index.ts' }, outdir: 'dist', plugins: [lazyRecognizers] }),
  build({
    ...common,
    entryPoints: {
      argon2Worker: 'src/workers/argon2Worker.ts',
      strengthWorker: 'src/workers/strengthWorker.ts',
      recordWriter: 'src/workers/recordWriter.ts',
    },
    outdir: 'dist/workers',
  }),
]);

// esbuild leaves some non-ASCII characters in regular expression literals (a dependency's
// full-width digits). One of them makes V8 hold the whole 13 MB source, which it keeps for lazy
// compilation, as two bytes a character: 13 MB more memory. Escaped, the source is one byte a
// character. (Source map columns after an escape on those few lines shift by a few characters.)
const server = readFileSync('dist/server.js', 'utf8');
writeFileSync(
  'dist/server.js',
  server.replace(/[\u0080-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`),
);
