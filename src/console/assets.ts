import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  buildConsole,
  CONSOLE_DIST_DIR,
  CONSOLE_SOURCE_DIR,
  contentTypeOf,
  type ConsoleAssets,
} from './build.js';

/** Newest modification time (ms) of the files in a directory tree; 0 when it does not exist. */
async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true, recursive: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    newest = Math.max(newest, (await stat(join(entry.parentPath, entry.name))).mtimeMs);
  }
  return newest;
}

/** Writes a build to `dir` (replacing what was there): `index.html` and the files under `console/`. */
export async function writeConsole(assets: ConsoleAssets, dir = CONSOLE_DIST_DIR): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(join(dir, 'console'), { recursive: true });
  for (const [path, asset] of assets)
    await writeFile(join(dir, path === '/' ? 'index.html' : path.slice(1)), asset.body);
}

/** Reads a build written by {@link writeConsole}. */
async function readConsole(dir: string): Promise<ConsoleAssets> {
  const assets: ConsoleAssets = new Map();
  assets.set('/', {
    contentType: contentTypeOf('index.html'),
    body: await readFile(join(dir, 'index.html')),
  });
  for (const name of await readdir(join(dir, 'console')))
    assets.set(`/console/${name}`, {
      contentType: contentTypeOf(name),
      body: await readFile(join(dir, 'console', name)),
    });
  return assets;
}

/**
 * The console's files: the build in `console/dist` (from `npm run build:console`, which `npm start`
 * runs first) when it is newer than every source file, otherwise a fresh build in memory (under a
 * second), so a checkout that never ran the build step, or edited the sources since, still serves
 * the current page.
 */
export async function loadConsoleAssets(
  dist = CONSOLE_DIST_DIR,
  sources = CONSOLE_SOURCE_DIR,
): Promise<{ assets: ConsoleAssets; prebuilt: boolean }> {
  const built = await newestMtime(dist);
  if (built > 0 && built >= (await newestMtime(sources))) {
    try {
      return { assets: await readConsole(dist), prebuilt: true };
    } catch {
      // An incomplete build folder: build afresh below.
    }
  }
  return { assets: await buildConsole(), prebuilt: false };
}
