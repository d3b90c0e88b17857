/**
 * Open data over plain HTTP, so the federation's data outlives this platform and other tools read it
 * without GraphQL (README, "Open data"):
 *
 * - `/opendata/hsds/`: the read-only HSDS 3.0 API (`/`, `/services`, `/services/{id}`,
 *   `/organizations`, `/organizations/{id}`, `/taxonomies`, `/taxonomy_terms` and their `{id}`s),
 *   and the bulk files `organizations.ndjson` and `services.ndjson`;
 * - `/opendata/ocds/`: `releases.json` (release package), `records.json` (record package) and their
 *   `.ndjson` forms, each with an optional `since` filter;
 * - `/opendata/policy`: the publication policy the OCDS packages point to.
 *
 * They show exactly what the anonymous API shows: verified organizations only (a pending or suspended
 * one, or a hub that is not verified, is absent, as from `organization(id:)`), no retired service,
 * no draft project.
 *
 * Bulk files are streamed from the database in keyset batches while they are written, respecting
 * the socket's back-pressure, and stop reading when the client goes away.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError, BadUserInputError, ErrorCode } from '../../core/errors.js';
import {
  HSDS_VERSION,
  hsdsOrganization,
  hsdsOrganizationPage,
  hsdsOrganizations,
  hsdsService,
  hsdsServicePage,
  hsdsServices,
  page,
  pageRequest,
} from './hsds.js';
import { HsdsVocabulary } from './hsds-taxonomy.js';
import {
  ocdsRecords,
  ocdsReleases,
  recordPackageHeader,
  releasePackageHeader,
  type OcdsSettings,
} from './ocds.js';
import { publicationPolicyHtml } from './policy.js';

/** The published HSDS OpenAPI description this API follows. */
const HSDS_OPENAPI_URL =
  'https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json';
/** HSDS without a profile: the specification itself. */
const HSDS_PROFILE_URL = 'https://docs.openreferral.org/en/v3.0/';

/** Fixed paths this module serves (the HSDS API's `{id}` paths besides). */
export const OPEN_DATA_PATHS = [
  '/opendata/policy',
  '/opendata/hsds/',
  '/opendata/hsds/services',
  '/opendata/hsds/organizations',
  '/opendata/hsds/taxonomies',
  '/opendata/hsds/taxonomy_terms',
  '/opendata/hsds/organizations.ndjson',
  '/opendata/hsds/services.ndjson',
  '/opendata/ocds/releases.json',
  '/opendata/ocds/releases.ndjson',
  '/opendata/ocds/records.json',
  '/opendata/ocds/records.ndjson',
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

function headers(settings: OcdsSettings, contentType: string): Record<string, string> {
  return {
    'content-type': contentType,
    'cache-control': 'public, max-age=300',
    'access-control-allow-origin': '*',
    // The licence of every open-data response, machine-readable (RFC 8288).
    link: `<${settings.licenseUrl}>; rel="license"`,
  };
}

const JSON_TYPE = 'application/json; charset=utf-8';
const NDJSON_TYPE = 'application/x-ndjson; charset=utf-8';

function sendJson(res: ServerResponse, settings: OcdsSettings, status: number, body: unknown): void {
  res.writeHead(status, headers(settings, JSON_TYPE));
  res.end(JSON.stringify(body));
}

function notFound(res: ServerResponse, settings: OcdsSettings, message: string): void {
  sendJson(res, settings, 404, { error: { code: ErrorCode.NOT_FOUND, message, paths: OPEN_DATA_PATHS } });
}

/** `since` of the OCDS files: an ISO 8601 date or date-time; releases dated at or after it. */
function sinceOf(params: URLSearchParams): Date | null {
  const raw = params.get('since');
  if (raw === null || raw === '') return null;
  const date = new Date(raw);
  if (!/^\d{4}-\d{2}-\d{2}/.test(raw) || Number.isNaN(date.getTime()))
    throw BadUserInputError.field('since', 'must be an ISO 8601 date or date-time');
  return date;
}

/** Streams `items` one JSON document per line. */
async function streamLines(res: ServerResponse, items: AsyncIterable<unknown>): Promise<boolean> {
  for await (const item of items) if (!(await write(res, JSON.stringify(item) + '\n'))) return false;
  return true;
}

/** Streams a package: its header object with `key` holding `items`, without holding them in memory. */
async function streamPackage(
  res: ServerResponse,
  header: Record<string, unknown>,
  key: string,
  items: AsyncIterable<unknown>,
): Promise<boolean> {
  // The header object without its closing brace, then the array streamed into it.
  if (!(await write(res, `${JSON.stringify(header).slice(0, -1)},${JSON.stringify(key)}:[`))) return false;
  let first = true;
  for await (const item of items) {
    if (!(await write(res, (first ? '' : ',') + JSON.stringify(item)))) return false;
    first = false;
  }
  return write(res, ']}');
}

/**
 * Serves an open-data request. `em` is a fresh fork for this request; `settings.publicUrl` is the
 * configured base of the URLs written into the responses (never the request's Host header: they are
 * cached publicly, so a forged Host would reach every later reader). Unknown paths under
 * `/opendata/` get 404 with the list of paths; methods other than GET and HEAD get 405; bad query
 * parameters get 400 with the code BAD_USER_INPUT and the parameter's name.
 */
export async function serveOpenData(
  em: EntityManager,
  settings: OcdsSettings,
  url: URL,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': JSON_TYPE });
    res.end(JSON.stringify({ error: { code: 'METHOD_NOT_ALLOWED', message: 'Only GET and HEAD.' } }));
    return;
  }
  try {
    await route(em, settings, url, req, res);
  } catch (error) {
    if (!(error instanceof AppError) || res.headersSent) throw error;
    const fields = (error.extensions.fields as { path: string; message: string }[] | undefined) ?? [];
    sendJson(res, settings, error.extensions.code === ErrorCode.BAD_USER_INPUT ? 400 : 500, {
      error: { code: error.extensions.code, message: error.message, field: fields[0]?.path },
    });
  }
}

async function route(
  em: EntityManager,
  settings: OcdsSettings,
  url: URL,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const path = url.pathname;
  const params = url.searchParams;
  const head = req.method === 'HEAD';

  if (path === '/opendata/policy') {
    res.writeHead(200, headers(settings, 'text/html; charset=utf-8'));
    res.end(head ? undefined : publicationPolicyHtml(settings));
    return;
  }

  if (path === '/opendata' || path === '/opendata/') {
    sendJson(res, settings, 200, {
      license: settings.licenseUrl,
      publicationPolicy: `${settings.publicUrl}/opendata/policy`,
      paths: OPEN_DATA_PATHS.map((p) => `${settings.publicUrl}${p}`),
    });
    return;
  }

  const vocabulary = () => HsdsVocabulary.load(em, settings.publicUrl);
  // The package's own URL: its path and the filter that made it, from the configured base.
  const packageUri = () => `${settings.publicUrl}${path}${url.search}`;
  const since = path.startsWith('/opendata/ocds/') ? sinceOf(params) : null;

  // Bulk files and packages: streamed.
  const streamed: Record<string, () => Promise<boolean>> = {
    '/opendata/hsds/organizations.ndjson': async () =>
      streamLines(
        res,
        hsdsOrganizations(em, { publicUrl: settings.publicUrl, vocabulary: await vocabulary() }),
      ),
    '/opendata/hsds/services.ndjson': async () =>
      streamLines(res, hsdsServices(em, { publicUrl: settings.publicUrl, vocabulary: await vocabulary() })),
    '/opendata/ocds/releases.ndjson': () => streamLines(res, ocdsReleases(em, settings, since)),
    '/opendata/ocds/records.ndjson': () => streamLines(res, ocdsRecords(em, settings, since)),
    '/opendata/ocds/releases.json': () =>
      streamPackage(
        res,
        releasePackageHeader(settings, packageUri(), new Date()),
        'releases',
        ocdsReleases(em, settings, since),
      ),
    '/opendata/ocds/records.json': () =>
      streamPackage(
        res,
        recordPackageHeader(settings, packageUri(), new Date()),
        'records',
        ocdsRecords(em, settings, since),
      ),
  };
  const stream = streamed[path];
  if (stream) {
    res.writeHead(200, {
      ...headers(settings, path.endsWith('.ndjson') ? NDJSON_TYPE : JSON_TYPE),
      'content-disposition': `inline; filename="${path.slice(path.lastIndexOf('/') + 1)}"`,
    });
    if (head || (await stream())) res.end();
    return;
  }

  // The HSDS API.
  const hsds = /^\/opendata\/hsds(\/[a-z_]*)?(?:\/([^/]+))?\/?$/.exec(path);
  if (hsds) {
    const [, collection = '/', id] = hsds;
    const ctx = { publicUrl: settings.publicUrl, vocabulary: await vocabulary() };
    let body: unknown = undefined;
    if (collection === '/' && id === undefined)
      body = { version: HSDS_VERSION, profile: HSDS_PROFILE_URL, openapi_url: HSDS_OPENAPI_URL };
    else if (collection === '/services')
      body = id === undefined ? await hsdsServicePage(em, ctx, params) : await hsdsService(em, ctx, id);
    else if (collection === '/organizations')
      body =
        id === undefined ? await hsdsOrganizationPage(em, ctx, params) : await hsdsOrganization(em, ctx, id);
    else if (collection === '/taxonomies') {
      if (id === undefined) {
        const request = pageRequest(params);
        const all = ctx.vocabulary.taxonomies;
        body = page(
          all.slice((request.page - 1) * request.perPage, request.page * request.perPage),
          all.length,
          request,
        );
      } else body = ctx.vocabulary.taxonomyById(id.toLowerCase()) ?? null;
    } else if (collection === '/taxonomy_terms') {
      if (id === undefined) {
        const request = pageRequest(params);
        const taxonomyId = params.get('taxonomy_id')?.toLowerCase();
        const all = ctx.vocabulary.terms.filter((t) => !taxonomyId || t.taxonomy_id === taxonomyId);
        body = page(
          all.slice((request.page - 1) * request.perPage, request.page * request.perPage),
          all.length,
          request,
        );
      } else body = ctx.vocabulary.termById(id.toLowerCase()) ?? null;
    }
    if (body === undefined) return notFound(res, settings, 'Not found.');
    if (body === null) return notFound(res, settings, `No ${collection.slice(1)} has the id ${id}.`);
    res.writeHead(200, headers(settings, JSON_TYPE));
    res.end(head ? undefined : JSON.stringify(body));
    return;
  }
  notFound(res, settings, 'Not found.');
}
