import { mkdir, mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import { bundleServer } from '../../scripts/build-server.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * Bundles `tests/setup/server-process.ts` into one JavaScript file in a new folder under
 * node_modules/.cache, and returns its path, with `bundleServer` (scripts/build-server.js): the
 * same build `npm start` makes of src/main.ts. Built once per run by global-setup.ts: each spawned
 * server then loads one file instead of having tsx resolve, transform and load some 400 TypeScript
 * modules (docs/architecture.md, "Tests"). The folder is inside node_modules so that Node finds the
 * packages the bundle imports.
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
  const rebuild = () => bundleServer(path.join(ROOT, 'tests/setup/server-process.ts'), file);
  await rebuild();
  return { file, dir, rebuild };
}
