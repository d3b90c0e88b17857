/** One error of a GraphQL response, as the hub sends it. */
export interface GraphQLErrorShape {
  message: string;
  extensions?: { code?: string } & Record<string, unknown>;
}

/** One invalid input field as the hub names it: `path` is dotted inside the operation (`input.mobile`). */
export interface FieldProblem {
  path: string;
  message: string;
}

/**
 * A GraphQL request that came back with errors (or a non-JSON answer): `code` is the first error's,
 * `fields` every field problem of every error (`extensions.fields`), for showing next to the fields.
 */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly errors: readonly GraphQLErrorShape[] = [],
  ) {
    super(message);
  }

  get fields(): FieldProblem[] {
    return this.errors.flatMap((error) => {
      const fields = error.extensions?.fields;
      return Array.isArray(fields) ? (fields as FieldProblem[]) : [];
    });
  }
}

/** The hub's HTTP endpoint, on the page's own origin. */
export const HTTP_URL = '/graphql';

/** The graphql-ws endpoint: the same path, over ws:// or wss:// as the page. */
export function wsUrl(): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/graphql`;
}

/** The Authorization header value for a token. */
export const bearer = (token: string): string => `Bearer ${token}`;

/**
 * POSTs one operation to the hub and returns its `data`; throws {@link ApiError} with the first
 * error's code when the answer has errors.
 */
export async function request<T>(
  query: string,
  variables: Record<string, unknown> = {},
  token?: string | null,
): Promise<T> {
  const response = await fetch(HTTP_URL, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: bearer(token) } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  let body: { data?: T | null; errors?: GraphQLErrorShape[] };
  try {
    body = (await response.json()) as typeof body;
  } catch {
    throw new ApiError(`The hub answered ${response.status} without JSON.`, 'HTTP_ERROR');
  }
  const first = body.errors?.[0];
  if (first) throw new ApiError(first.message, first.extensions?.code ?? 'ERROR', body.errors);
  if (body.data == null) throw new ApiError('The hub answered without data.', 'ERROR');
  return body.data;
}
