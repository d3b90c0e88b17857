/**
 * The plain HTTP route of organizations' documents (GraphQL multipart is not enabled): an
 * authenticated POST uploads one file's bytes as the request body, an authenticated GET downloads
 * one. The same bearer token and viewer rules as the API; refusals are JSON in the API's error shape.
 *
 * - `POST /organization-documents?organizationId=<id>&kind=<DocumentKind>&fileName=<name>` (body:
 *   the file) → 201 `{ document: { id, kind, fileName, contentType, sizeBytes, downloadPath } }`
 * - `GET /organization-documents/<id>` → the bytes, as an attachment
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Context } from '../../core/context.js';
import { AppError, BadUserInputError, ErrorCode } from '../../core/errors.js';
import { HttpError, readBody, sendJson } from '../../core/graphql/http.js';

export const DOCUMENT_PATH = '/organization-documents';

export function isDocumentPath(path: string): boolean {
  return path === DOCUMENT_PATH || path.startsWith(`${DOCUMENT_PATH}/`);
}

const STATUS_OF: Partial<Record<string, number>> = {
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.BAD_USER_INPUT]: 400,
  [ErrorCode.CONFLICT]: 409,
  [ErrorCode.RATE_LIMITED]: 429,
};

/**
 * Serves one request of the route; `context` authenticates it (a bad token throws UNAUTHENTICATED);
 * `spendMutation` takes an upload from the caller's mutation budget, as a GraphQL mutation would
 * (RATE_LIMITED when it is spent).
 */
export async function serveDocuments(
  path: string,
  url: URL,
  req: IncomingMessage,
  res: ServerResponse,
  context: () => Promise<Context>,
  spendMutation: (ctx: Context) => Promise<void>,
): Promise<void> {
  try {
    if (req.method === 'POST' && path === DOCUMENT_PATH) {
      const ctx = await context();
      await spendMutation(ctx);
      return await upload(url, req, res, ctx);
    }
    if (req.method === 'GET' && path.startsWith(`${DOCUMENT_PATH}/`))
      return await download(path.slice(DOCUMENT_PATH.length + 1), res, await context());
    res.setHeader('allow', path === DOCUMENT_PATH ? 'POST' : 'GET');
    return sendJson(res, 405, {
      errors: [{ message: 'Upload with POST, download with GET.', extensions: { code: 'BAD_REQUEST' } }],
    });
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    const code = String(error.extensions.code);
    // A refusal before the body was read: the client may still be sending it.
    res.setHeader('connection', 'close');
    if (code === ErrorCode.RATE_LIMITED)
      res.setHeader('retry-after', String(error.extensions.retryAfterSeconds));
    const tooLarge = error.extensions.tooLarge === true;
    const { tooLarge: _tooLarge, http: _http, ...extensions } = error.extensions;
    sendJson(res, tooLarge ? 413 : (STATUS_OF[code] ?? 400), {
      errors: [{ message: error.message, extensions }],
    });
  }
}

async function upload(url: URL, req: IncomingMessage, res: ServerResponse, ctx: Context): Promise<void> {
  const documents = ctx.services.organizationDocuments;
  const param = (name: string) => url.searchParams.get(name) ?? '';
  const limit = documents.maxBytes;
  let content: Buffer;
  try {
    content = await readBody(req, limit);
  } catch (error) {
    if (!(error instanceof HttpError) || error.status !== 413) throw error;
    const refusal = BadUserInputError.field('file', `must be at most ${limit} bytes`);
    refusal.extensions.tooLarge = true;
    throw refusal;
  }
  const document = await documents.upload(ctx, {
    organizationId: param('organizationId'),
    kind: param('kind'),
    fileName: param('fileName'),
    content,
  });
  sendJson(res, 201, {
    document: {
      id: document.globalId(),
      kind: document.kind,
      fileName: document.fileName,
      contentType: document.contentType,
      sizeBytes: document.sizeBytes,
      downloadPath: `${DOCUMENT_PATH}/${encodeURIComponent(document.globalId())}`,
    },
  });
}

async function download(id: string, res: ServerResponse, ctx: Context): Promise<void> {
  const document = await ctx.services.organizationDocuments.download(ctx, id);
  res.writeHead(200, {
    'content-type': document.contentType,
    'content-length': document.content.length,
    // Never shown inline from the hub's origin: a crafted PDF cannot run there.
    'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(document.fileName)}`,
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; sandbox",
    'cache-control': 'private, no-store',
  });
  res.end(document.content);
}
