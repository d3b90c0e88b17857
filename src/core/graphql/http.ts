import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type HTTPGraphQLRequest } from '@apollo/server';

/** An HTTP failure before GraphQL is involved (body too large, bad JSON, bad charset). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Reads the request body up to `limit` bytes (413 beyond it). */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit)
    throw new HttpError(413, `The request body exceeds ${limit} bytes.`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, `The request body exceeds ${limit} bytes.`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Decodes a POST body for Apollo: JSON must be UTF-8 (415 otherwise) and well-formed (400
 * otherwise). Other media types pass through as text, so Apollo's CSRF prevention and its own
 * media-type checks answer them.
 */
export function parseBody(req: IncomingMessage, raw: Buffer): unknown {
  if (req.method !== 'POST') return undefined;
  const contentType = req.headers['content-type'] ?? '';
  const charset = /charset=([^;]+)/i.exec(contentType)?.[1]?.trim().replace(/"/g, '').toLowerCase();
  if (charset && charset !== 'utf-8' && charset !== 'utf8')
    throw new HttpError(415, `Unsupported charset '${charset}'; use utf-8.`);
  const text = raw.toString('utf8');
  if (!/^application\/(graphql-response\+)?json/i.test(contentType)) return text;
  if (text.trim() === '')
    throw new HttpError(400, 'The request body is empty; send a JSON object with a "query".');
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'The request body is not valid JSON.');
  }
}

export function headerMap(req: IncomingMessage): HeaderMap {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  return headers;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/**
 * Runs one GraphQL request through Apollo and writes its response (complete or incremental). When
 * `runAgain` gives a context once the first run is done, the request runs once more in it and only
 * that answer is sent (a read whose replica failed under it, run again on the primary).
 */
export async function executeGraphQL<TContext extends object>(
  apollo: ApolloServer<TContext>,
  req: IncomingMessage,
  res: ServerResponse,
  body: unknown,
  context: () => Promise<TContext>,
  runAgain?: () => (() => Promise<TContext>) | null,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const httpGraphQLRequest: HTTPGraphQLRequest = {
    method: (req.method ?? 'GET').toUpperCase(),
    headers: headerMap(req),
    search: url.search,
    body,
  };
  let response = await apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest, context });
  const again = runAgain?.();
  if (again) response = await apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest, context: again });
  for (const [key, value] of response.headers) res.setHeader(key, value);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}
