import { mkdir, mkdtemp, readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * Bundles `tests/setup/server-process.ts` (the app's sources, with the same esbuild transform tsx
 * applies) into one JavaScript file in a new folder under node_modules/.cache, and returns its path.
 * Built once per run by global-setup.ts: each spawned server then loads one file instead of having
 * tsx resolve, transform and load some 400 TypeScript modules (docs/architecture.md, "Tests").
 *
 * - Packages stay imports (`packages: 'external'`), resolved from node_modules as under tsx: the
 *   bundle's folder is inside node_modules so that Node finds them.
 * - `import.meta.url`/`dirname`/`filename` become the source file's own, so the paths the app
 *   resolves from them (reference CSV, schema file, packages) are those of the checkout.
 * - `keepNames`: MikroORM and type-graphql name entities and GraphQL types after their classes,
 *   which a bundle would otherwise rename when two modules use the same name.
 */
export async function buildServerBundle(): Promise<{
  file: string;
  dir: string;
  /** Builds the bundle again from the current sources, in place (watch mode's reruns). */
  rebuild: () => Promise<void>;
}> {
  const cache = path.join(ROOT, 'node_modules', '.cache');
  await mkdir(cache, { recursive: true });
  const dir = await mkdtemp(path.join(cache, 'niudai-test-server-'));
  const file = path.join(dir, 'server-process.mjs');
  const rebuild = () => bundle(file);
  await rebuild();
  return { file, dir, rebuild };
}

async function bundle(file: string): Promise<void> {
  await esbuild.build({
    entryPoints: [path.join(ROOT, 'tests/setup/server-process.ts')],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    keepNames: true,
    sourcemap: true,
    logLevel: 'warning',
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
}
