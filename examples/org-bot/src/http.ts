/** A GraphQL error as the hub sends it: a message and a machine-readable code. */
export class HubError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/**
 * POSTs one operation to the hub's `/graphql` and returns its typed `data`. `TData` and `TVariables`
 * are the types Code Generator wrote for the operation, so a schema change that breaks the operation
 * breaks the build.
 */
export async function request<TData, TVariables extends Record<string, unknown>>(
  url: string,
  query: string,
  variables: TVariables,
  token?: string,
): Promise<TData> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as {
    data?: TData | null;
    errors?: { message: string; extensions?: { code?: string } }[];
  };
  const first = body.errors?.[0];
  if (first) throw new HubError(first.message, first.extensions?.code ?? 'ERROR');
  if (body.data == null) throw new HubError(`HTTP ${response.status} without data`, 'ERROR');
  return body.data;
}
