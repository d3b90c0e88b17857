import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { bundleConsole, filesLoadedFor } from '../../../src/console/build.js';

// A whole esbuild bundle of the console (seconds): with the integration files, which run beside one
// another, rather than in the unit tests, which are to take a few seconds in all.
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
