import { ApiError, bearer, type GraphQLErrorShape } from './api.js';

/** Where organizations' documents are uploaded and downloaded (the hub's plain HTTP route). */
export const DOCUMENTS_PATH = '/organization-documents';

/** The refusal in a non-2xx answer of the documents route (the API's error shape). */
async function refusal(response: Response): Promise<ApiError> {
  try {
    const body = (await response.json()) as { errors?: GraphQLErrorShape[] };
    const first = body.errors?.[0];
    if (first) return new ApiError(first.message, first.extensions?.code ?? 'ERROR', body.errors);
  } catch {
    // not JSON: said below
  }
  return new ApiError(`The hub answered ${response.status}.`, 'HTTP_ERROR');
}

/**
 * Uploads one file as an organization's document; throws {@link ApiError} (with `fields`: `file`,
 * `kind`, `fileName`) when the hub refuses it.
 */
export async function uploadDocument(
  token: string,
  organizationId: string,
  kind: string,
  file: File,
): Promise<void> {
  const query = new URLSearchParams({ organizationId, kind, fileName: file.name });
  const response = await fetch(`${DOCUMENTS_PATH}?${query.toString()}`, {
    method: 'POST',
    headers: { authorization: bearer(token), 'content-type': 'application/octet-stream' },
    body: file,
  });
  if (!response.ok) throw await refusal(response);
}

/**
 * Downloads a document with the session's token (a plain link cannot send it) and hands it to the
 * browser as a file named `fileName`.
 */
export async function downloadDocument(token: string, path: string, fileName: string): Promise<void> {
  const response = await fetch(path, { headers: { authorization: bearer(token) } });
  if (!response.ok) throw await refusal(response);
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  // The browser has read the blob once the click's download started; free it on the next turn.
  setTimeout(() => URL.revokeObjectURL(url));
}
