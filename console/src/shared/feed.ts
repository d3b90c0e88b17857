import { createClient, type Client } from 'graphql-ws/client';
import { bearer, wsUrl } from './api.js';
import type { DemandCard } from './fragments.js';
import { DEMAND_PUBLISHED } from '../operations.js';

/** Where the live feed stands, for the board's status line. */
export type FeedStatus = 'connecting' | 'live' | 'reconnecting' | 'failed';

export interface FeedHandlers {
  onEvent: (demand: DemandCard, cursor: string) => void;
  onStatus: (status: FeedStatus, detail?: string) => void;
}

interface DemandPublishedData {
  demandPublished: { cursor: string; demand: DemandCard };
}

/** Delay before the n-th reconnection attempt: 1 s doubling to 15 s. */
const backoff = (attempt: number): number => Math.min(15_000, 1_000 * 2 ** attempt);

/**
 * Subscribes to `demandPublished` and keeps it up: after a dropped connection it subscribes again
 * with `after` = the last cursor seen, so the hub replays what was missed. A refusal (FORBIDDEN,
 * UNAUTHENTICATED) is final. Returns a function that stops it.
 */
export function followDemands(token: string, handlers: FeedHandlers, from: string | null = null): () => void {
  let cursor = from;
  let stopped = false;
  let attempt = 0;
  let client: Client | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const retry = (detail: string) => {
    if (stopped) return;
    void client?.dispose();
    client = null;
    handlers.onStatus('reconnecting', detail);
    timer = setTimeout(start, backoff(attempt++));
  };

  function start() {
    if (stopped) return;
    handlers.onStatus(attempt === 0 ? 'connecting' : 'reconnecting');
    const current = createClient({
      url: wsUrl(),
      connectionParams: { authorization: bearer(token) },
      retryAttempts: 0,
      lazy: false,
      on: {
        connected: () => {
          attempt = 0;
          handlers.onStatus('live');
        },
      },
    });
    client = current;
    current.subscribe<DemandPublishedData>(
      { query: DEMAND_PUBLISHED, variables: { after: cursor } },
      {
        next: (result) => {
          const event = result.data?.demandPublished;
          if (event) {
            cursor = event.cursor;
            handlers.onEvent(event.demand, event.cursor);
          }
        },
        error: (error: unknown) => {
          if (Array.isArray(error)) {
            // GraphQL errors: the hub refused the subscription; retrying would not help.
            const first = error[0] as { message?: string } | undefined;
            stopped = true;
            handlers.onStatus('failed', first?.message ?? 'refused');
            void current.dispose();
            return;
          }
          retry(error instanceof Error ? error.message : 'connection lost');
        },
        complete: () => retry('the hub ended the subscription'),
      },
    );
  }

  start();
  return () => {
    stopped = true;
    clearTimeout(timer);
    void client?.dispose();
  };
}
