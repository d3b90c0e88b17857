import { useEffect, useRef, useState } from 'react';
import { createClient, type Client } from 'graphql-ws/client';
import { bearer, wsUrl } from './api.js';
import type { FeedStatus } from './feed.js';
import { useSession } from './session-context.js';

/** Where a live subscription stands: the same states as the demand board's feed. */
export type LiveStatus = FeedStatus;

interface LiveConnection {
  client: Client;
  status: LiveStatus;
  listeners: Set<(status: LiveStatus) => void>;
}

/**
 * One graphql-ws connection per signed-in token, shared by every live hook of the page (the bell,
 * a demand's updates…), so a screen with many live parts still opens one socket. It reconnects on
 * its own (1 s doubling to 15 s) and subscribes again to what is still followed.
 */
const connections = new Map<string, LiveConnection>();

function connectionFor(token: string): LiveConnection {
  let connection = connections.get(token);
  if (connection) return connection;
  const listeners = new Set<(status: LiveStatus) => void>();
  const set = (status: LiveStatus) => {
    created.status = status;
    for (const listener of listeners) listener(status);
  };
  const created: LiveConnection = {
    status: 'connecting',
    listeners,
    client: createClient({
      url: wsUrl(),
      connectionParams: { authorization: bearer(token) },
      lazy: true,
      retryAttempts: Number.POSITIVE_INFINITY,
      shouldRetry: () => true,
      retryWait: (attempt) =>
        new Promise((resolve) => setTimeout(resolve, Math.min(15_000, 1_000 * 2 ** attempt))),
      on: {
        connected: () => set('live'),
        closed: () => {
          if (created.status === 'live') set('reconnecting');
        },
      },
    }),
  };
  connection = created;
  connections.set(token, connection);
  return connection;
}

/** Closes every live connection (on sign-out: the token is no longer to be used). */
export function disposeLiveConnections(): void {
  for (const connection of connections.values()) void connection.client.dispose();
  connections.clear();
}

/**
 * Follows a subscription while the component is mounted and `variables` is not null: each result's
 * `data` goes to `onData` (the latest function given, so it may close over state). A refusal
 * (GraphQL errors, e.g. FORBIDDEN) is final: the status becomes `failed`. Answers the status.
 * After a reconnection the subscription starts again with the same variables; screens that must
 * not miss events read the state again when the status comes back to `live` (`onLive`).
 */
export function useLiveSubscription<T>(
  query: string,
  variables: Record<string, unknown> | null,
  onData: (data: T) => void,
  onLive?: () => void,
): LiveStatus {
  const { session } = useSession();
  const token = session?.token ?? null;
  const handlers = useRef({ onData, onLive });
  handlers.current = { onData, onLive };
  const key = variables === null ? null : JSON.stringify(variables);
  const [status, setStatus] = useState<LiveStatus>('connecting');

  useEffect(() => {
    if (!token || key === null) return;
    const connection = connectionFor(token);
    let refused = false;
    const listener = (next: LiveStatus) => {
      if (refused) return;
      setStatus(next);
      if (next === 'live') handlers.current.onLive?.();
    };
    connection.listeners.add(listener);
    setStatus(connection.status);
    const stop = connection.client.subscribe<T>(
      { query, variables: JSON.parse(key) as Record<string, unknown> },
      {
        next: (result) => {
          if (result.data) handlers.current.onData(result.data);
        },
        error: (error: unknown) => {
          if (Array.isArray(error)) {
            refused = true;
            setStatus('failed');
          }
        },
        complete: () => undefined,
      },
    );
    return () => {
      connection.listeners.delete(listener);
      stop();
    };
  }, [token, query, key]);

  return status;
}
