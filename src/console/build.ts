import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** The console's front-end sources and where `npm run build:console` writes the bundle. */
export const CONSOLE_SOURCE_DIR = fileURLToPath(new URL('../../console/src/', import.meta.url));
export const CONSOLE_DIST_DIR = fileURLToPath(new URL('../../console/dist/', import.meta.url));

/** A built file of the console, served under `/console/`. */
export interface ConsoleAsset {
  contentType: string;
  body: Buffer;
}

/** Built files by URL path (`/`, `/console/app.js`, `/console/app.css`). */
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
 * Bundles the console (React, GraphiQL, graphql-ws, all from node_modules) with esbuild, in memory.
 * Takes a few seconds; the result is the page and its two assets.
 */
export async function buildConsole(): Promise<ConsoleAssets> {
  const result = await build({
    entryPoints: { app: `${CONSOLE_SOURCE_DIR}main.tsx` },
    bundle: true,
    write: false,
    outdir: '/console',
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    jsx: 'automatic',
    legalComments: 'none',
    logLevel: 'silent',
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
  return assets;
}
