import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';

// createRequire, not import.meta.resolve: vitest's module runner (its global setup builds the
// console once) does not implement import.meta.resolve.
const require = createRequire(import.meta.url);

/** The console's front-end sources and where `npm run build:console` writes the bundle. */
export const CONSOLE_SOURCE_DIR = fileURLToPath(new URL('../../console/src/', import.meta.url));
export const CONSOLE_DIST_DIR = fileURLToPath(new URL('../../console/dist/', import.meta.url));

/** A built file of the console, served under `/console/`. */
export interface ConsoleAsset {
  contentType: string;
  body: Buffer;
}

/** Built files by URL path (`/`, `/console/app.js`, `/console/app.css`, chunks `/console/chunk-….js`). */
export type ConsoleAssets = Map<string, ConsoleAsset>;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/** The content type of a built file, by its extension. */
export function contentTypeOf(path: string): string {
  const extension = /\.[a-z]+$/.exec(path)?.[0] ?? '';
  return CONTENT_TYPES[extension] ?? 'application/octet-stream';
}

/** The page itself: the bundle and its stylesheet, nothing from elsewhere. */
export const INDEX_HTML = `<!doctype html>
<html lang="zh-CN">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>纽带 Niudai console</title>
    <link rel="stylesheet" href="/console/app.css" />
  </head>
  <body>
    <div id="root"></div>
    <script type="module" src="/console/app.js"></script>
  </body>
</html>
`;

/**
 * Bundles the console (React, antd-mobile, antd, GraphiQL, graphql-ws, all from node_modules) with
 * esbuild, in memory: the page, the entry `app.js` with `app.css`, and the chunks it imports. Code
 * splitting keeps each area's screens (and what only they use: antd for the desktop screens,
 * GraphiQL for the explorer) in chunks loaded when first shown, so a worker's phone downloads only
 * the shell and the worker's screens. GraphiQL's stylesheet is an entry of its own, `explorer.css`,
 * which the explorer links when shown (esbuild does not load a lazy chunk's CSS by itself).
 * Takes a few seconds. `metafile` says which output imports which (for the page-weight test).
 */
export async function bundleConsole(): Promise<{ assets: ConsoleAssets; metafile: Metafile }> {
  const result = await build({
    entryPoints: {
      app: `${CONSOLE_SOURCE_DIR}main.tsx`,
      explorer: require.resolve('graphiql/style.css'),
    },
    bundle: true,
    write: false,
    outdir: '/console',
    format: 'esm',
    splitting: true,
    chunkNames: 'chunk-[hash]',
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    jsx: 'automatic',
    legalComments: 'none',
    logLevel: 'silent',
    metafile: true,
    define: { 'process.env.NODE_ENV': '"production"' },
    loader: {
      '.woff2': 'dataurl',
      '.woff': 'dataurl',
      '.ttf': 'dataurl',
      '.png': 'dataurl',
      '.svg': 'dataurl',
    },
    tsconfig: `${CONSOLE_SOURCE_DIR}../tsconfig.json`,
  });
  const assets: ConsoleAssets = new Map([
    ['/', { contentType: CONTENT_TYPES['.html']!, body: Buffer.from(INDEX_HTML) }],
  ]);
  for (const file of result.outputFiles) {
    const name = file.path.slice(file.path.lastIndexOf('/') + 1);
    assets.set(`/console/${name}`, { contentType: contentTypeOf(name), body: Buffer.from(file.contents) });
  }
  return { assets, metafile: result.metafile };
}

/** The console's files; see {@link bundleConsole}. */
export async function buildConsole(): Promise<ConsoleAssets> {
  return (await bundleConsole()).assets;
}

/**
 * Every built file a page loads before it shows a screen: `entry` (`/console/app.js`) with the
 * stylesheet the page links (its CSS bundle) and what it imports statically, transitively; plus the
 * same for each lazily imported module of `screens` (source paths relative to the repository, e.g.
 * `console/src/worker/screens.tsx`). Other dynamic imports are not followed, nor the CSS bundles
 * esbuild writes for lazy chunks (the browser never asks for them). Answers URL paths (`/console/…`).
 */
export function filesLoadedFor(metafile: Metafile, entry: string, screens: string[] = []): string[] {
  const outputs = metafile.outputs;
  // esbuild names outputs relative to the working directory; the URL path is /console/<file name>.
  const urlOf = (path: string) => `/console/${path.slice(path.lastIndexOf('/') + 1)}`;
  const seen = new Set<string>();
  const visit = (path: string) => {
    if (seen.has(path) || !outputs[path]) return;
    seen.add(path);
    for (const imported of outputs[path].imports)
      if (imported.kind === 'import-statement') visit(imported.path);
  };
  const entryPath = Object.keys(outputs).find((path) => urlOf(path) === entry);
  if (!entryPath) throw new Error(`${entry} is not an output of the build`);
  visit(entryPath);
  const stylesheet = outputs[entryPath]!.cssBundle;
  if (stylesheet) seen.add(stylesheet);
  for (const [path, output] of Object.entries(outputs))
    if (output.entryPoint && screens.some((screen) => output.entryPoint!.endsWith(screen))) visit(path);
  return [...seen].map(urlOf);
}
