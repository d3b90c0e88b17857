import { mkdtemp, mkdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConsoleAssets, writeConsole } from '../../../src/console/assets.js';
import type { ConsoleAssets } from '../../../src/console/build.js';
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
