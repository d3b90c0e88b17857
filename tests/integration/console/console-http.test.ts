import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../setup/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.stop());

describe('the console over HTTP', () => {
  it('serves the page at / with a same-origin Content-Security-Policy, and its script and styles', async () => {
    const page = await fetch(`${t.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await page.text();
    expect(html).toContain('/console/app.js');
    expect(html).not.toMatch(/https?:\/\//);
    for (const [path, type] of [
      ['/console/app.js', 'javascript'],
      ['/console/app.css', 'css'],
    ] as const) {
      const asset = await fetch(`${t.url}${path}`);
      expect(asset.status).toBe(200);
      expect(asset.headers.get('content-type')).toContain(type);
      expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(1_000);
    }
  });

  it('answers 404 for an unknown asset and 405 for a POST', async () => {
    expect((await fetch(`${t.url}/console/nope.js`)).status).toBe(404);
    expect((await fetch(`${t.url}/`, { method: 'POST' })).status).toBe(405);
  });
});
