// @ts-check
// `npm run build:server` (run by `npm start` before it starts): bundles the hub's sources, src/main.ts,
// into dist/server/main.mjs, which `npm start` then runs with plain Node. A process that starts
// loads one JavaScript file instead of having tsx resolve, transform and load some 400 TypeScript
// modules at every start (docs/architecture.md, "Starting the hub"). Built at every `npm start`, so
// it never runs code older than the sources. The tests' server bundle is built by the same function.
// With a command's name (`node scripts/build-server.js seed`), it bundles that operator command,
// scripts/<name>.ts, into dist/scripts/<name>.mjs: the `pre` script of each such command in
// package.json, which then runs that file (docs/architecture.md, "Starting the hub").
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

/** The checkout this script belongs to. */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Where `npm start` (package.json's `start`) finds the bundle of `src/main.ts`, relative to the checkout. */
const SERVER_BUNDLE = 'dist/server/main.mjs';

/** The operator commands package.json runs as bundles: each is scripts/<name>.ts. */
const COMMANDS = [
  'admin-create',
  'regions-import',
  'reports-check',
  'reports-rebuild',
  'seed',
  'db-backup',
  'db-restore',
];

/**
 * Bundles `entry` into `outfile` (with its source map beside it), both absolute paths:
 *
 * - The same esbuild transform tsx applies to the sources.
 * - Packages stay imports (`packages: 'external'`), resolved from node_modules as under tsx: the
 *   bundle must sit inside the checkout so that Node finds them.
 * - `import.meta.url`/`dirname`/`filename` become the source file's own, so the paths the app
 *   resolves from them (reference CSV, schema file, packages, the shared state's name) are those
 *   of the checkout, as when the sources run.
 * - `keepNames`: MikroORM and type-graphql name entities and GraphQL types after their classes,
 *   which a bundle would otherwise rename when two modules use the same name.
 * - Each file is written beside its place and renamed over it, so that a process starting while
 *   another build runs (a second `npm start`, a restarted worker) reads a whole file.
 *
 * @param {string} entry
 * @param {string} outfile
 * @returns {Promise<void>}
 */
export async function bundleServer(entry, outfile) {
  const result = await esbuild.build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    keepNames: true,
    sourcemap: true,
    logLevel: 'warning',
    write: false,
    plugins: [
      {
        name: 'source-file-urls',
        setup(build) {
          build.onLoad({ filter: /\.ts$/ }, async ({ path: source }) => {
            const text = await readFile(source, 'utf8');
            if (!text.includes('import.meta.')) return undefined;
            return {
              loader: 'ts',
              contents: text
                .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(source).href))
                .replaceAll('import.meta.dirname', JSON.stringify(path.dirname(source)))
                .replaceAll('import.meta.filename', JSON.stringify(source)),
            };
          });
        },
      },
    ],
  });
  await mkdir(path.dirname(outfile), { recursive: true });
  for (const file of result.outputFiles) {
    const partial = `${file.path}.${process.pid}.partial`;
    await writeFile(partial, file.contents);
    await rename(partial, file.path);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const command = process.argv[2];
  if (command === undefined) {
    await bundleServer(path.join(ROOT, 'src/main.ts'), path.join(ROOT, SERVER_BUNDLE));
  } else if (COMMANDS.includes(command)) {
    await bundleServer(
      path.join(ROOT, 'scripts', `${command}.ts`),
      path.join(ROOT, 'dist/scripts', `${command}.mjs`),
    );
  } else {
    console.error(`usage: node scripts/build-server.js [${COMMANDS.join('|')}]`);
    process.exit(2);
  }
}
