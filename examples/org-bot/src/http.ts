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
 * Codes that no retry can change: the hub refused who we are (UNAUTHENTICATED, FORBIDDEN) or what
 * we sent. The bot stops on these; on anything else (SERVICE_UNAVAILABLE while the hub's database
 * restarts, INTERNAL_SERVER_ERROR, RATE_LIMITED, a dropped connection) it waits and tries again.
 */
const REFUSALS = new Set([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'QUERY_TOO_COMPLEX',
]);

/** Whether `code` is a refusal (stop) rather than a passing failure (try again). */
export function isRefusalCode(code: unknown): boolean {
  return typeof code === 'string' && REFUSALS.has(code);
}

/** Whether a failed request may succeed if sent again: network errors, 5xx, unavailability. */
export function isTransient(error: unknown): boolean {
  return !(error instanceof HubError) || !isRefusalCode(error.code);
}

/** Waits 1 s, doubling up to `maxMs`, for the `attempt`-th retry (0-based). */
export function backoffMs(attempt: number, maxMs: number): number {
  return Math.min(maxMs, 1_000 * 2 ** Math.min(attempt, 20));
}

/**
 * Runs `send` until it succeeds or fails with a refusal, waiting with backoff after each passing
 * failure (the hub or its database restarting, the network).
 */
export async function untilAnswered<T>(
  what: string,
  send: () => Promise<T>,
  log: (message: string) => void,
  maxBackoffMs = 30_000,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      if (!isTransient(error)) throw error;
      const delay = backoffMs(attempt, maxBackoffMs);
      log(`${what} failed (${describe(error)}); trying again in ${delay} ms`);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** A short description of a failure for the log. */
export function describe(error: unknown): string {
  if (error instanceof HubError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
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
  let body: { data?: TData | null; errors?: { message: string; extensions?: { code?: string } }[] };
  try {
    body = (await response.json()) as typeof body;
  } catch {
    throw new HubError(`HTTP ${response.status} without a GraphQL answer`, `HTTP_${response.status}`);
  }
  const first = body.errors?.[0];
  if (first) throw new HubError(first.message, first.extensions?.code ?? 'ERROR');
  if (body.data == null)
    throw new HubError(`HTTP ${response.status} without data`, `HTTP_${response.status}`);
  return body.data;
}
