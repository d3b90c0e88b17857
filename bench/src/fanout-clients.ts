/**
 * A child process holding many real graphql-ws subscriptions (`demandPublished`) and timing each
 * received event with the shared wall clock (performance.timeOrigin + now), so the parent can
 * subtract its commit times. Driven over IPC: `open`, `count`, `await`, `collect`, `tally`, `close`.
 *
 * Each socket speaks the graphql-transport-ws protocol itself over a `ws` WebSocket, as
 * graphql-ws's client would: `connection_init` with the token, `subscribe` per subscription once
 * `connection_ack` came, `pong` to a `ping`, a reconnect (and subscribing again) when the server
 * closes a socket with 4503 while signing it in. Per `next` message it does only what is measured:
 * ws receives the frame, the message is parsed whole (JSON.parse), checked to be a `next` for one
 * of this socket's subscriptions carrying the event (its demand's title) without errors, and the
 * time it arrived is recorded. graphql-ws's client did the same plus per-message work these
 * clients do not need (validating the message's shape, an event object per message, its
 * emitter): the clients share the server's two cores, so their CPU per message inflates the
 * latency they measure (bench/README.md).
 */
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
  /**
   * Answers `reached` (with the receipts counted) once `n` receipts of `title` arrived here, or
   * after `timeoutMs`: the measured events are awaited without polling this process.
   */
  | { type: 'await'; title: string; n: number; timeoutMs: number }
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

/** graphql-ws's subprotocol. */
const GRAPHQL_TRANSPORT_WS = 'graphql-transport-ws';
/** The hub's "try again" close code while signing a socket in (src/core/graphql/ws.ts). */
const SERVICE_UNAVAILABLE = 4503;
/** Reconnects per socket before it counts as failed (graphql-ws's client was given 5). */
const RETRY_ATTEMPTS = 5;

// The harness's --profile: the measured events' CPU profile of this client process as well.
if (process.env.BENCH_WINDOW_PROFILE_DIR)
  profileBetweenSignals(process.env.BENCH_WINDOW_PROFILE_DIR, { name: 'client' });

const now = () => performance.timeOrigin + performance.now();
const sockets: WebSocket[] = [];
let closing = false;
/** demand title → receipt times */
let receipts = new Map<string, number[]>();
/** The one `await` pending: the parent waits for one event at a time. */
let awaited: { title: string; n: number; timer: NodeJS.Timeout } | null = null;
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

function failed(error: unknown): void {
  errors++;
  lastError = JSON.stringify(error instanceof Error ? error.message : error).slice(0, 500);
}

/** A `next` message's payload as these subscriptions select it. */
interface NextPayload {
  data?: { demandPublished?: { demand?: { title?: string } } } | null;
  errors?: unknown[];
}

/** One subscription's receipts of an event. */
function received(filter: { regionCode: string }, seen: Set<string> | null, payload: NextPayload): void {
  const at = now();
  const title = payload.data?.demandPublished?.demand?.title;
  if (!title || payload.errors) return failed(payload.errors ?? 'a next message without the event');
  let list = receipts.get(title);
  if (!list) receipts.set(title, (list = []));
  list.push(at);
  if (awaited && list.length === awaited.n && title === awaited.title) {
    clearTimeout(awaited.timer);
    awaited = null;
    send({ type: 'reached', title, n: list.length });
  }
  if (!seen) return;
  const key = `${filter.regionCode}\t${title}`;
  const entry = tally.get(key) ?? { once: 0, duplicates: 0 };
  if (seen.has(title)) entry.duplicates++;
  else entry.once++;
  seen.add(title);
  tally.set(key, entry);
}

/**
 * One socket and its subscriptions (ids "0", "1", …); `onConnected` once the server acknowledged
 * it. A socket the server closes with 4503 before acknowledging it connects again after a backoff.
 */
function openSocket(
  command: OpenCommand,
  filters: { regionCode: string }[],
  onConnected: () => void,
  attempt = 0,
): void {
  const socket = new WebSocket(command.url, GRAPHQL_TRANSPORT_WS);
  sockets.push(socket);
  const seen = filters.map(() => (command.tally ? new Set<string>() : null));
  let acknowledged = false;
  socket.on('open', () =>
    socket.send(
      JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${command.token}` } }),
    ),
  );
  socket.on('message', (data: Buffer) => {
    let message: { type?: unknown; id?: unknown; payload?: unknown };
    try {
      message = JSON.parse(data.toString()) as typeof message;
    } catch (error) {
      return failed(error);
    }
    switch (message.type) {
      case 'next': {
        const index = Number(message.id);
        const filter = typeof message.id === 'string' ? filters[index] : undefined;
        if (!filter) return failed(`a next message for an unknown subscription ${String(message.id)}`);
        return received(filter, seen[index]!, (message.payload ?? {}) as NextPayload);
      }
      case 'error':
        return failed(message.payload);
      case 'complete':
        return;
      case 'ping':
        return socket.send(JSON.stringify({ type: 'pong' }));
      case 'pong':
        return;
      case 'connection_ack':
        acknowledged = true;
        filters.forEach((filter, i) =>
          socket.send(
            JSON.stringify({
              id: String(i),
              type: 'subscribe',
              payload: { query: SUBSCRIPTION, variables: { filter } },
            }),
          ),
        );
        return onConnected();
      default:
        return failed(`an unexpected message ${data.toString().slice(0, 200)}`);
    }
  });
  socket.on('error', (error) => failed(error));
  socket.on('close', (code, reason) => {
    if (closing) return;
    if (!acknowledged && code === SERVICE_UNAVAILABLE && attempt < RETRY_ATTEMPTS) {
      const backoffMs = 1000 * 2 ** attempt + Math.random() * 3000;
      setTimeout(() => openSocket(command, filters, onConnected, attempt + 1), backoffMs);
      return;
    }
    failed(`socket closed: ${code} ${reason.toString()}`);
  });
}

async function open(command: OpenCommand): Promise<void> {
  /** Sockets that connected at least once (a retried one counts once). */
  const up = new Set<number>();
  const count = Math.ceil(command.filters.length / command.perSocket);
  for (let s = 0; s < count; s++) {
    const filters = command.filters.slice(s * command.perSocket, (s + 1) * command.perSocket);
    openSocket(command, filters, () => void up.add(s));
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
  while (up.size < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  send({ type: 'opened', sockets: count, connected: up.size, subscriptions: command.filters.length });
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
  else if (command.type === 'await') {
    const { title, n } = command;
    const have = () => receipts.get(title)?.length ?? 0;
    if (have() >= n) send({ type: 'reached', title, n: have() });
    else {
      const timer = setTimeout(() => {
        awaited = null;
        send({ type: 'reached', title, n: have() });
      }, command.timeoutMs);
      awaited = { title, n, timer };
    }
  } else if (command.type === 'collect') {
    send({ type: 'receipts', receipts: [...receipts], errors });
    receipts = new Map();
  } else if (command.type === 'tally') {
    send({ type: 'tally', tally: [...tally], errors, lastError });
  } else if (command.type === 'close') {
    closing = true;
    for (const socket of sockets) socket.close(1000);
    setImmediate(() => process.exit(0));
  }
});
send({ type: 'up' });
