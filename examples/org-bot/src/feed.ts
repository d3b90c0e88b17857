import { createClient, type Client } from 'graphql-ws';
import { WebSocket } from 'ws';
import type {
  BotDemandPublishedSubscription,
  BotDemandPublishedSubscriptionVariables,
} from './generated/graphql.js';
import { DEMAND_PUBLISHED } from './operations.js';

/** One pushed event: the demand and the cursor to resume after it. */
export type DemandEvent = BotDemandPublishedSubscription['demandPublished'];

export interface FeedOptions {
  /** The hub's graphql-ws URL, e.g. ws://localhost:4000/graphql. */
  wsUrl: string;
  token: string;
  filter?: BotDemandPublishedSubscriptionVariables['filter'];
  /** Resume after this cursor (the last event handled before a restart). */
  after?: string | null;
  /** Handles one event; the cursor advances once it resolves, so a crash mid-way replays it. */
  onEvent: (event: DemandEvent) => Promise<void>;
  onCursor?: (cursor: string) => void;
  /** Told about connections, losses and retries. */
  log?: (message: string) => void;
  /** Longest wait between reconnection attempts (ms); 30 s by default. */
  maxBackoffMs?: number;
}

/** A running subscription; `stop` ends it for good. */
export interface Feed {
  stop(): Promise<void>;
  /** The cursor of the last event handled. */
  cursor(): string | null;
}

/**
 * Follows `demandPublished` for as long as it runs. When the connection drops it connects again
 * (1 s doubling up to `maxBackoffMs`) and subscribes with `after` set to the last cursor handled, so
 * the hub replays what was missed: no gap and no duplicate. A refusal (GraphQL errors, e.g.
 * FORBIDDEN) stops the feed and is thrown from the promise returned by `done`.
 */
export function followDemands(options: FeedOptions): Feed & { done: Promise<void> } {
  const log = options.log ?? (() => {});
  const maxBackoff = options.maxBackoffMs ?? 30_000;
  let cursor = options.after ?? null;
  let stopped = false;
  let client: Client | null = null;
  let wake: (() => void) | null = null;

  /** One subscription, until the connection drops or the hub completes it; rejects on a refusal. */
  const subscribeOnce = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const current = createClient({
        url: options.wsUrl,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${options.token}` },
        retryAttempts: 0,
        lazy: true,
        on: { connected: () => log(`connected; resuming after ${cursor ?? '(now)'}`) },
      });
      client = current;
      let queue = Promise.resolve();
      current.subscribe<BotDemandPublishedSubscription>(
        { query: DEMAND_PUBLISHED, variables: { after: cursor, filter: options.filter ?? null } },
        {
          next: (result) => {
            const event = result.data?.demandPublished;
            if (!event) return;
            // Handle events one at a time, in order; the cursor moves only past handled events.
            queue = queue.then(async () => {
              await options.onEvent(event);
              cursor = event.cursor;
              options.onCursor?.(event.cursor);
            });
          },
          error: (error: unknown) => {
            void queue.then(() => current.dispose());
            if (Array.isArray(error)) reject(new Error(`subscription refused: ${JSON.stringify(error)}`));
            else resolve();
          },
          complete: () => void queue.then(() => resolve()),
        },
      );
    });

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const done = (async () => {
    let attempt = 0;
    while (!stopped) {
      const started = Date.now();
      await subscribeOnce();
      if (stopped) break;
      if (Date.now() - started > 10_000) attempt = 0; // it was up a while: start the backoff over
      const delay = Math.min(maxBackoff, 1_000 * 2 ** attempt++);
      log(`connection lost; reconnecting in ${delay} ms`);
      await sleep(delay);
    }
  })();

  return {
    done,
    cursor: () => cursor,
    async stop() {
      stopped = true;
      wake?.();
      await client?.dispose();
      await done.catch(() => {});
    },
  };
}
