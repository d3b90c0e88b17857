import { createClient, type Client } from 'graphql-ws';
import { WebSocket } from 'ws';
import type {
  BotDemandPublishedSubscription,
  BotDemandPublishedSubscriptionVariables,
} from './generated/graphql.js';
import { backoffMs, describe, HubError, isRefusalCode } from './http.js';
import { DEMAND_PUBLISHED } from './operations.js';

/** One pushed event: the demand and the cursor to resume after it. */
export type DemandEvent = BotDemandPublishedSubscription['demandPublished'];

export interface FeedOptions {
  /** The hub's graphql-ws URL, e.g. ws://localhost:4000/graphql. */
  wsUrl: string;
  token: string;
  /** Asked for a new token when the hub closes the connection because the token expired (4401). */
  renewToken?: () => Promise<string>;
  filter?: BotDemandPublishedSubscriptionVariables['filter'];
  /** Resume after this cursor (the last event handled before a restart). */
  after?: string | null;
  /**
   * Handles one event; the cursor advances once it resolves. When it throws, the feed reconnects
   * and the hub replays the event (a refusal, see isRefusalCode, stops the feed instead).
   */
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

/** The hub's close codes that decide what to do next (README, "Live updates"). */
const CLOSED_FORBIDDEN = 4403;
const CLOSED_TOKEN_EXPIRED = 4401;

/** How one subscription ended. */
type Ending = { refused: Error } | { tokenExpired: true } | { lost: string };

/** A GraphQL error list as graphql-ws hands it over. */
type GraphQLErrors = readonly { message: string; extensions?: Record<string, unknown> }[];

/** What to do after the hub sent errors for the subscription: stop on a refusal, else resume. */
function endingOfErrors(errors: GraphQLErrors): Ending {
  const refusal = errors.find((e) => isRefusalCode(e.extensions?.code));
  if (refusal) return { refused: new HubError(refusal.message, String(refusal.extensions?.code)) };
  const codes = errors.map((e) => String(e.extensions?.code ?? 'ERROR')).join(', ');
  return { lost: `the subscription ended with ${codes}` };
}

/** What to do after the subscription failed: GraphQL errors, a closed socket, or a network error. */
function endingOf(failure: unknown): Ending {
  if (Array.isArray(failure)) return endingOfErrors(failure as GraphQLErrors);
  if (typeof failure === 'object' && failure !== null && 'code' in failure) {
    const { code, reason } = failure as { code: unknown; reason?: unknown };
    if (code === CLOSED_FORBIDDEN)
      return { refused: new HubError(`the hub refused the connection: ${String(reason)}`, 'FORBIDDEN') };
    if (code === CLOSED_TOKEN_EXPIRED) return { tokenExpired: true };
    return { lost: `connection closed (${String(code)}${reason ? ` ${String(reason)}` : ''})` };
  }
  return { lost: `connection failed (${describe(failure)})` };
}

/**
 * Follows `demandPublished` for as long as it runs, handling each event once, in order. Whatever
 * interrupts it — the connection dropping, the hub closing it to be retried (4503, its database
 * restarting), the subscription ending with SERVICE_UNAVAILABLE or INTERNAL_SERVER_ERROR, the
 * handler failing — it connects again (1 s doubling up to `maxBackoffMs`) and subscribes with
 * `after` set to the last cursor handled, so the hub replays what was missed: no gap and no
 * duplicate. It stops only on a refusal (UNAUTHENTICATED, FORBIDDEN, a request the hub rejects,
 * 4403), which `done` rejects with; an expired token (4401) is renewed with `renewToken`.
 */
export function followDemands(options: FeedOptions): Feed & { done: Promise<void> } {
  const log = options.log ?? (() => {});
  const maxBackoff = options.maxBackoffMs ?? 30_000;
  let cursor = options.after ?? null;
  let token = options.token;
  let stopped = false;
  let client: Client | null = null;
  let wake: (() => void) | null = null;

  /** One subscription, until it ends; resolves with how, once the events received are handled. */
  const subscribeOnce = (): Promise<Ending> =>
    new Promise((resolve) => {
      const current = createClient({
        url: options.wsUrl,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${token}` },
        retryAttempts: 0,
        lazy: true,
        on: { connected: () => log(`connected; resuming after ${cursor ?? '(now)'}`) },
      });
      client = current;
      let queue = Promise.resolve();
      let ended = false;
      /** Events already received are handled first (in order), so the cursor is current. */
      const end = (ending: Ending) => {
        if (ended) return;
        ended = true;
        void queue.then(async () => {
          await current.dispose();
          resolve(ending);
        });
      };
      let handlerFailed = false;
      current.subscribe<BotDemandPublishedSubscription>(
        { query: DEMAND_PUBLISHED, variables: { after: cursor, filter: options.filter ?? null } },
        {
          next: (result) => {
            if (result.errors?.length) return end(endingOfErrors(result.errors));
            const event = result.data?.demandPublished;
            if (!event) return;
            // One at a time, in order; the cursor moves only past handled events. After a handler
            // failed, nothing more is handled here: the next subscription replays from the cursor.
            queue = queue.then(async () => {
              if (handlerFailed) return;
              try {
                await options.onEvent(event);
              } catch (error) {
                handlerFailed = true;
                if (error instanceof HubError && isRefusalCode(error.code)) end({ refused: error });
                else end({ lost: `handling ${event.cursor} failed (${describe(error)})` });
                return;
              }
              cursor = event.cursor;
              options.onCursor?.(event.cursor);
            });
          },
          error: (error: unknown) => end(endingOf(error)),
          complete: () => end({ lost: 'the hub completed the subscription' }),
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
      const ending = await subscribeOnce();
      if (stopped) break;
      if ('refused' in ending) throw ending.refused;
      if (Date.now() - started > 10_000) attempt = 0; // it was up a while: start the backoff over
      if ('tokenExpired' in ending) {
        if (!options.renewToken) throw new HubError('the access token expired', 'UNAUTHENTICATED');
        log('token expired; signing in again');
        token = await options.renewToken();
        continue;
      }
      const delay = backoffMs(attempt++, maxBackoff);
      log(`${ending.lost}; reconnecting in ${delay} ms`);
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
