/**
 * A child process holding many real graphql-ws subscriptions (`demandPublished`) and timing each
 * received event with the shared wall clock (performance.timeOrigin + now), so the parent can
 * subtract its commit times. Driven over IPC: `open`, `collect`, `close`.
 */
import { createClient, type Client } from 'graphql-ws';
import { WebSocket } from 'ws';
import { profileBetweenSignals } from './window-profile.js';

interface OpenCommand {
  type: 'open';
  url: string;
  token: string;
  /** One filter per subscription. */
  filters: { regionCode: string }[];
  perSocket: number;
  /**
   * Count each subscription's copies of each event (`tally`): the soak checks every delivery of a
   * run with it. The fan-out scenario leaves it off, so a message costs the clients only what it
   * measures — receiving the frame, parsing it, checking it is the event, recording its time —
   * and the clients' CPU competes less with the server's on the same cores.
   */
  tally?: boolean;
}
type Command =
  | OpenCommand
  | { type: 'count'; title: string }
  | { type: 'collect' }
  | { type: 'tally' }
  | { type: 'close' };

const SUBSCRIPTION = /* GraphQL */ `
  subscription Feed($filter: DemandSubscriptionFilter) {
    demandPublished(filter: $filter) {
      cursor
      demand {
        id
        title
        urgency
        category {
          code
        }
        region {
          code
        }
      }
    }
  }
`;

// The harness's --profile: the measured events' CPU profile of this client process as well.
if (process.env.BENCH_WINDOW_PROFILE_DIR)
  profileBetweenSignals(process.env.BENCH_WINDOW_PROFILE_DIR, { name: 'client' });

const now = () => performance.timeOrigin + performance.now();
const clients: Client[] = [];
const disposers: (() => void)[] = [];
/** demand title → receipt times */
let receipts = new Map<string, number[]>();
let errors = 0;
let lastError = '';
/**
 * Per subscription filter and title (`regionCode\ttitle`): how many subscriptions received it once,
 * and how many extra copies arrived on a subscription that had it already (duplicates). Kept from
 * `open` on, never reset by `collect`, so the soak can check every delivery of a run; only when
 * `open` asks for it (`tally: true`).
 */
const tally = new Map<string, { once: number; duplicates: number }>();

function send(message: unknown): void {
  process.send?.(message);
}

async function open(command: OpenCommand): Promise<void> {
  /** Sockets that connected at least once (a retried one counts once). */
  const up = new Set<number>();
  const sockets = Math.ceil(command.filters.length / command.perSocket);
  for (let s = 0; s < sockets; s++) {
    const client = createClient({
      url: command.url,
      webSocketImpl: WebSocket,
      // A socket the server closed with 4503 (the database was too slow to sign it in, on a loaded
      // machine) reconnects, as the hub asks, and subscribes again: only setup, before any event.
      retryAttempts: 5,
      lazy: false,
      keepAlive: 0,
      connectionParams: { authorization: `Bearer ${command.token}` },
      on: { connected: () => void up.add(s) },
    });
    clients.push(client);
    for (const filter of command.filters.slice(s * command.perSocket, (s + 1) * command.perSocket)) {
      const seen = new Set<string>();
      disposers.push(
        client.subscribe<{ demandPublished: { demand: { title: string } } }>(
          { query: SUBSCRIPTION, variables: { filter } },
          {
            next: (result) => {
              const at = now();
              const title = result.data?.demandPublished.demand.title;
              if (!title) {
                errors++;
                return;
              }
              let list = receipts.get(title);
              if (!list) receipts.set(title, (list = []));
              list.push(at);
              if (!command.tally) return;
              const key = `${filter.regionCode}\t${title}`;
              const entry = tally.get(key) ?? { once: 0, duplicates: 0 };
              if (seen.has(title)) entry.duplicates++;
              else entry.once++;
              seen.add(title);
              tally.set(key, entry);
            },
            error: (error: unknown) => {
              errors++;
              lastError = JSON.stringify(error instanceof Error ? error.message : error).slice(0, 500);
            },
            complete: () => {},
          },
        ),
      );
    }
    // Open sockets in small waves so the server's handshake queue is not the thing measured; on a
    // loaded machine, let a wave's sign-ins finish first (up to 10 s).
    if (s % 20 === 19) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const waveDeadline = Date.now() + 10_000;
      while (up.size < s + 1 && Date.now() < waveDeadline)
        await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  const deadline = Date.now() + 120_000;
  while (up.size < sockets && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  send({ type: 'opened', sockets, connected: up.size, subscriptions: command.filters.length });
}

process.on('message', (command: Command) => {
  if (command.type === 'open') void open(command);
  else if (command.type === 'count')
    send({
      type: 'count',
      title: command.title,
      n: receipts.get(command.title)?.length ?? 0,
      errors,
      lastError,
    });
  else if (command.type === 'collect') {
    send({ type: 'receipts', receipts: [...receipts], errors });
    receipts = new Map();
  } else if (command.type === 'tally') {
    send({ type: 'tally', tally: [...tally], errors, lastError });
  } else if (command.type === 'close') {
    for (const dispose of disposers) dispose();
    void Promise.all(clients.map((c) => c.dispose())).finally(() => process.exit(0));
  }
});
send({ type: 'up' });
