import { createClient, type Client } from 'graphql-ws';
import { WebSocket } from 'ws';

/** One pushed `DemandEvent` as the tests select it. */
export interface PushedDemand {
  cursor: string;
  demand: { id: string; title: string };
}

export const DEMAND_PUBLISHED = `subscription Feed($filter: DemandSubscriptionFilter, $after: String) {
  demandPublished(filter: $filter, after: $after) { cursor demand { id title } }
}`;

/** A subscription that records what it receives and lets a test wait for it. */
export interface Recorder {
  events: PushedDemand[];
  errors: unknown[];
  /** Resolves once `count` events arrived; rejects after `ms`. */
  waitFor(count: number, ms?: number): Promise<PushedDemand[]>;
  /** Resolves once the subscription failed with an error. */
  failed(ms?: number): Promise<unknown>;
  stop(): void;
}

/** Subscribes on `client` and records the `demandPublished` (or given field's) events. */
export function record(
  client: Client,
  variables: Record<string, unknown> = {},
  query = DEMAND_PUBLISHED,
  field = 'demandPublished',
): Recorder {
  const events: PushedDemand[] = [];
  const errors: unknown[] = [];
  let changed = () => {};
  const stop = client.subscribe<Record<string, PushedDemand>>(
    { query, variables },
    {
      next: (value) => {
        if (value.errors) errors.push(...value.errors);
        const event = value.data?.[field];
        if (event) events.push(event);
        changed();
      },
      error: (error) => {
        errors.push(error);
        changed();
      },
      complete: () => changed(),
    },
  );
  const until = <T>(ready: () => T | undefined, ms: number, what: string) =>
    new Promise<T>((resolve, reject) => {
      const check = () => {
        const value = ready();
        if (value === undefined) return;
        clearTimeout(timer);
        changed = () => {};
        resolve(value);
      };
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `timed out waiting for ${what}; got ${events.length} events, errors ${JSON.stringify(errors)}`,
            ),
          ),
        ms,
      );
      changed = check;
      check();
    });
  return {
    events,
    errors,
    waitFor: (count, ms = 5_000) =>
      until(() => (events.length >= count ? events.slice(0, count) : undefined), ms, `${count} events`),
    failed: (ms = 5_000) => until(() => errors[0], ms, 'an error'),
    stop,
  };
}

/** A graphql-ws client for `wsUrl` signed in with `token`. */
export function wsClient(wsUrl: string, token: string, onSocket?: (socket: WebSocket) => void): Client {
  return createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: true,
    connectionParams: { authorization: `Bearer ${token}` },
    on: onSocket ? { connected: (socket) => onSocket(socket as WebSocket) } : {},
  });
}
