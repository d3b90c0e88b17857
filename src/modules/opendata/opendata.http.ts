/**
 * Open data over plain HTTP, so the federation's data outlives this platform and other tools read it
 * without GraphQL:
 *
 * - `GET /opendata/hsds/organizations.ndjson`: verified organizations with their services, one HSDS
 *   organization per line;
 * - `GET /opendata/ocds/releases.json`: projects and awards as one OCDS release package;
 * - `GET /opendata/ocds/releases.ndjson`: the same releases, one per line.
 *
 * They show exactly what the anonymous API shows: verified organizations only (a pending or suspended
 * one, or a hub that is not verified, is absent, as from `organization(id:)`), and no retired service.
 *
 * Each is streamed from the database in keyset batches while it is written, respecting the socket's
 * back-pressure, and stops reading when the client goes away.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EntityManager } from '@mikro-orm/postgresql';
import { hsdsOrganizations } from './hsds.js';
import { ocdsReleases, releasePackageHeader } from './ocds.js';

/** The paths this module serves. */
export const OPEN_DATA_PATHS = [
  '/opendata/hsds/organizations.ndjson',
  '/opendata/ocds/releases.json',
  '/opendata/ocds/releases.ndjson',
] as const;

/** Whether a request path is one of the open-data paths (or under `/opendata/`). */
export function isOpenDataPath(path: string): boolean {
  return path === '/opendata' || path.startsWith('/opendata/');
}

/** Writes a chunk; waits for `drain` when the socket's buffer is full. False once the client is gone. */
async function write(res: ServerResponse, chunk: string): Promise<boolean> {
  if (res.destroyed) return false;
  if (res.write(chunk)) return true;
  await new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
  return !res.destroyed;
}

function start(res: ServerResponse, contentType: string, filename: string): void {
  res.writeHead(200, {
    'content-type': contentType,
    'content-disposition': `inline; filename="${filename}"`,
    'cache-control': 'public, max-age=300',
    'access-control-allow-origin': '*',
  });
}

/**
 * Serves an open-data request. `em` is a fresh fork for this request; `publicUrl` is the configured
 * base of the URLs written into the files (never the request's Host header: the files are cached
 * publicly, so a forged Host would reach every later reader). Unknown paths under `/opendata/` get
 * 404 with the list of paths; methods other than GET and HEAD get 405.
 */
export async function serveOpenData(
  em: EntityManager,
  publicUrl: string,
  path: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const known = (OPEN_DATA_PATHS as readonly string[]).includes(path);
  if (!known) {
    res.writeHead(404, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify({ error: 'Not found.', paths: OPEN_DATA_PATHS }));
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify({ error: 'Only GET and HEAD.' }));
    return;
  }
  const ndjson = path.endsWith('.ndjson');
  start(
    res,
    ndjson ? 'application/x-ndjson; charset=utf-8' : 'application/json; charset=utf-8',
    path.slice(path.lastIndexOf('/') + 1),
  );
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  if (path === '/opendata/hsds/organizations.ndjson') {
    for await (const organization of hsdsOrganizations(em)) {
      if (!(await write(res, JSON.stringify(organization) + '\n'))) return;
    }
  } else if (ndjson) {
    for await (const release of ocdsReleases(em)) {
      if (!(await write(res, JSON.stringify(release) + '\n'))) return;
    }
  } else {
    const uri = `${publicUrl}${path}`;
    const header = JSON.stringify(releasePackageHeader(uri, new Date()));
    // The header object without its closing brace, then the releases array streamed into it.
    if (!(await write(res, `${header.slice(0, -1)},"releases":[`))) return;
    let first = true;
    for await (const release of ocdsReleases(em)) {
      if (!(await write(res, (first ? '' : ',') + JSON.stringify(release)))) return;
      first = false;
    }
    if (!(await write(res, ']}'))) return;
  }
  res.end();
}
