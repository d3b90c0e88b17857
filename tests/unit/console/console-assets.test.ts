import { mkdtemp, mkdir, rm, utimes, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConsoleAssets, writeConsole } from '../../../src/console/assets.js';
import { bundleConsole, filesLoadedFor, type ConsoleAssets } from '../../../src/console/build.js';
import { isConsolePath } from '../../../src/console/http.js';

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

describe('console assets', () => {
  it('serves a prebuilt console/dist that is newer than the sources', async () => {
    const root = await mkdtemp(join(tmpdir(), 'niudai-console-'));
    dirs.push(root);
    const sources = join(root, 'src');
    await mkdir(sources);
    await writeFile(join(sources, 'main.tsx'), '');
    const old = new Date(Date.now() - 60_000);
    await utimes(join(sources, 'main.tsx'), old, old);
    const built: ConsoleAssets = new Map([
      ['/', { contentType: 'text/html; charset=utf-8', body: Buffer.from('<p>hi</p>') }],
      ['/console/app.js', { contentType: 'text/javascript; charset=utf-8', body: Buffer.from('1') }],
    ]);
    await writeConsole(built, join(root, 'dist'));
    const { assets, prebuilt } = await loadConsoleAssets(join(root, 'dist'), sources);
    expect(prebuilt).toBe(true);
    expect(assets.get('/')?.body.toString()).toBe('<p>hi</p>');
    expect(assets.get('/console/app.js')?.contentType).toContain('javascript');
  });

  it('claims only the page and its files', () => {
    expect(['/', '/index.html', '/console/app.js'].every(isConsolePath)).toBe(true);
    expect(['/graphql', '/healthz', '/opendata/x', '/consoles'].some(isConsolePath)).toBe(false);
  });
});

describe('the console bundle', () => {
  /** What a worker's phone downloads before her first screen (sign-in) shows. */
  const WORKER_SCREENS = ['console/src/worker/screens.tsx'];

  it('loads a worker’s first page in under 300 KB gzipped, without antd’s desktop components or GraphiQL', async () => {
    const { assets, metafile } = await bundleConsole();
    const files = filesLoadedFor(metafile, '/console/app.js', WORKER_SCREENS);
    expect(files).toContain('/console/app.js');
    expect(files).toContain('/console/app.css');
    // The worker's screens are a chunk of their own, found through the metafile.
    expect(files.length).toBeGreaterThan(2);

    const gzipped = files.reduce((sum, file) => sum + gzipSync(assets.get(file)!.body).length, 0);
    expect(gzipped).toBeLessThan(300 * 1024);

    const inputs = Object.entries(metafile.outputs)
      .filter(([path]) => files.includes(`/console/${path.slice(path.lastIndexOf('/') + 1)}`))
      .flatMap(([, output]) => Object.keys(output.inputs));
    expect(inputs.some((input) => input.includes('node_modules/antd-mobile/'))).toBe(true);
    expect(
      inputs.filter((input) => /node_modules\/(antd|graphiql|@graphiql|codemirror)\//.test(input)),
    ).toEqual([]);

    // GraphiQL is still built, for the explorer, with its stylesheet under a name the explorer links.
    const explorer = filesLoadedFor(metafile, '/console/app.js', ['console/src/Explorer.tsx']);
    // (Files of its own, not a larger count: how esbuild splits shared modules moves the counts.)
    expect(explorer.filter((file) => !files.includes(file)).length).toBeGreaterThan(0);
    expect(assets.get('/console/explorer.css')?.body.length).toBeGreaterThan(10_000);
  });
});
