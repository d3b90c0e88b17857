import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { loadConsoleAssets } from './assets.js';
import type { ConsoleAssets } from './build.js';

/** Whether a request path belongs to the console: the page at `/` and its files under `/console/`. */
export function isConsolePath(path: string): boolean {
  return path === '/' || path === '/index.html' || path.startsWith('/console/');
}

/** Serves the console's page and assets; builds or reads them on the first request. */
export interface ConsoleServer {
  serve(path: string, req: IncomingMessage, res: ServerResponse): Promise<void>;
}

/**
 * The page is served with a strict Content-Security-Policy: everything from this origin (and the
 * API's WebSocket), no inline script, no third party; the hub must work with no Internet access.
 */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; font-src 'self' data:; " +
    "style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

export function createConsoleServer(log: Logger): ConsoleServer {
  let loading: Promise<ConsoleAssets> | undefined;
  const assets = () =>
    (loading ??= (async () => {
      const started = performance.now();
      const loaded = await loadConsoleAssets();
      log.info(
        { prebuilt: loaded.prebuilt, ms: Math.round(performance.now() - started) },
        loaded.prebuilt ? 'console assets read' : 'console built in memory',
      );
      return loaded.assets;
    })().catch((error: unknown) => {
      loading = undefined; // try again on the next request
      throw error;
    }));

  return {
    async serve(path, req, res) {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      const asset = (await assets()).get(path === '/index.html' ? '/' : path);
      if (!asset) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found.');
        return;
      }
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'content-type': asset.contentType,
        'content-length': asset.body.length,
        // The page must pick up a new build; the assets are small enough to revalidate too.
        'cache-control': 'no-cache',
      });
      res.end(req.method === 'HEAD' ? undefined : asset.body);
    },
  };
}
