import pg from 'pg';
import type { Logger } from 'pino';
import { EVENTS_CHANNEL, OLDEST_RUNNING_HERE_SQL } from './outbox.js';
import { EVENT_COLUMNS, toFeedEvent, type EventRow } from './event-rows.js';
import type { FeedEvent } from './match-index.js';

/** `application_name` of the LISTEN connection, so operators (and tests) can find it. */
export const RELAY_APPLICATION_NAME = 'niudai-events-relay';

export interface RelayOptions {
  databaseUrl: string;
  log: Logger;
  /** Called for every new event, in seq order, exactly once per process. */
  onEvent: (event: FeedEvent) => void;
  /**
   * Other channels the same connection LISTENs on, each with its handler: called with each NOTIFY's
   * payload, and with `null` each time the connection is (re)established, since what was sent while
   * it was down is lost.
   */
  signals?: ReadonlyMap<string, SignalHandler>;
  /** Safety-net poll: a lost notification costs at most this much latency. */
  pollMs?: number;
  /** Rows per catch-up query. */
  batchSize?: number;
  /** First reconnect delay; it doubles on each failure up to `reconnectMaxMs`. */
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
}

/** Told of a NOTIFY on a signal channel (its payload), or with `null` that some may have been missed. */
export type SignalHandler = (payload: string | null) => void;

/** The next reconnect delay: exponential, capped, with jitter so processes don't reconnect in step. */
export function backoffDelay(attempt: number, minMs: number, maxMs: number, random = Math.random): number {
  const base = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 30));
  return Math.round(base / 2 + (random() * base) / 2);
}

/**
 * A relay read: its rows (none when `seq` is null), the oldest transaction running in the database
 * (`OLDEST_RUNNING_HERE_SQL`) and the snapshot's upper bound (xid8s as text).
 */
interface RelayRow extends Omit<EventRow, 'seq'> {
  seq: string | number | null;
  oldest_running: string | null;
  snapshot_xmax: string;
}

/**
 * The relay's read: up to `$2` events after seq `$1`, the snapshot's upper bound, and — only when `$3`
 * is true, i.e. when a missing seq or the start waits for running transactions to end — the oldest
 * transaction running in this database (null otherwise). The CASE leaves that subquery unevaluated
 * when it is not needed: it reads `pg_stat_activity` twice. A named prepared statement: planned once
 * per connection. Unprepared, planning the view's joins cost PostgreSQL about 10 ms per read against
 * 0.8 ms prepared (pgbench, one client), and the relay reads on every wake-up.
 */
const RELAY_READ_SQL = `select s."oldest_running", s."snapshot_xmax", e.*
   from (select case when $3::boolean then ${OLDEST_RUNNING_HERE_SQL} end as "oldest_running",
                pg_snapshot_xmax(pg_current_snapshot())::text as "snapshot_xmax") s
   left join lateral (select ${EVENT_COLUMNS} from "event" where "seq" > $1 order by "seq" limit $2) e
     on true`;
const RELAY_READ_STATEMENT = 'niudai_relay_read';

/** Seqs read but not handed on yet: those after a missing seq that a transaction may still fill. */
export interface HeldBack {
  /** The last seq handed on; the first missing one follows it. */
  after: number;
  /** The highest seq read. */
  upTo: number;
}

/** The first and the longest wait between re-checks of a missing seq (rollbacks send nothing). */
const RECHECK_MIN_MS = 5;
const RECHECK_MAX_MS = 250;

/**
 * The per-process events relay: one dedicated `LISTEN hub_events` connection (not from the ORM pool,
 * whose connections come and go). Notifications only wake it up; it reads the table for
 * `seq > lastSeen` in order, so a lost notification or a dropped connection costs latency, never an
 * event. It starts at the table's head: older events reach subscribers by replay, not live.
 *
 * Writers take seqs without a lock, so seq order is not commit order: the relay hands seqs on
 * contiguously. After a missing seq it holds back what follows until every transaction that was
 * running when it read (one of which owns the missing seq, or it rolled back) has ended; then a seq
 * still missing was rolled back and is passed over for good. Its `position` is therefore stable:
 * no event at or below it can appear later (docs/architecture.md, "Live path").
 */
export class EventRelay {
  private client: pg.Client | null = null;
  private lastSeen = 0;
  private initialized = false;
  private stopping = false;
  private reading: Promise<void> | null = null;
  private readAgain = false;
  private attempt = 0;
  private pollTimer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  /** Missing seqs up to `upTo` are dead once the oldest running transaction is at `horizon` or later. */
  private pending: { upTo: number; horizon: bigint } | null = null;
  /** Until the oldest running transaction reaches it, a seq below the start may still commit. */
  private startHorizon: bigint | null = null;
  private markReady: (() => void) | null = null;
  private readonly ready = new Promise<void>((resolve) => (this.markReady = resolve));
  private highestRead = 0;
  private recheckTimer: NodeJS.Timeout | null = null;
  private recheckMs = RECHECK_MIN_MS;
  private readonly readListeners = new Set<() => void>();
  private announcing: Promise<void> | null = null;
  private announceAgain = false;
  /** The last statement sent on the connection (see `query`). */
  private lastQuery: Promise<unknown> = Promise.resolve();
  private readonly pollMs: number;
  private readonly batchSize: number;
  private readonly reconnectMinMs: number;
  private readonly reconnectMaxMs: number;

  constructor(private readonly options: RelayOptions) {
    this.pollMs = options.pollMs ?? 5_000;
    this.batchSize = options.batchSize ?? 500;
    this.reconnectMinMs = options.reconnectMinMs ?? 100;
    this.reconnectMaxMs = options.reconnectMaxMs ?? 5_000;
  }

  /**
   * The seq of the last event handed on: every event up to it has been, and none at or below it can
   * still appear (the stable position that readers of the table read up to).
   */
  get position(): number {
    return this.lastSeen;
  }

  /** What a missing seq holds back (null when nothing is). */
  get heldBack(): HeldBack | null {
    return this.highestRead > this.lastSeen ? { after: this.lastSeen, upTo: this.highestRead } : null;
  }

  /** Calls `listener` after each read of the table (tests wait on it). Returns a function removing it. */
  onRead(listener: () => void): () => void {
    this.readListeners.add(listener);
    return () => this.readListeners.delete(listener);
  }

  /**
   * Resolves once every event visible now has been handed on: after a read, and, when a missing seq
   * holds some back, once that is settled (a long transaction makes it wait as long).
   */
  async caughtUp(): Promise<void> {
    await this.catchUp();
    const target = this.highestRead;
    while (this.lastSeen < target && !this.stopping)
      await new Promise<void>((resolve) => {
        const off = this.onRead(() => {
          off();
          resolve();
        });
      });
  }

  /**
   * Tells the other processes that events committed: one `NOTIFY hub_events` on this connection,
   * outside any writer's transaction; calls while one is being sent coalesce into one more. Never
   * throws: a lost notification costs the others their safety-net poll, never an event.
   */
  announce(): void {
    if (this.announcing) {
      this.announceAgain = true;
      return;
    }
    this.announcing = this.sendAnnouncements().finally(() => {
      this.announcing = null;
    });
  }

  private async sendAnnouncements(): Promise<void> {
    do {
      this.announceAgain = false;
      const client = this.client;
      if (!client || this.stopping) return;
      try {
        await this.query(client, `notify ${EVENTS_CHANNEL}`);
      } catch (error) {
        this.options.log.warn({ err: error }, 'events relay: announcing new events failed');
      }
    } while (this.announceAgain);
  }

  /**
   * Reads and announcements share the connection: each statement waits for the one before, since pg
   * only queues a statement sent while another runs (deprecated; its next major version refuses it).
   */
  private query<R extends pg.QueryResultRow>(
    client: pg.Client,
    statement: string | pg.QueryConfig,
  ): Promise<pg.QueryResult<R>> {
    const sent = this.lastQuery.then(() => client.query<R>(statement));
    this.lastQuery = sent.catch(() => undefined);
    return sent;
  }

  /** Whether the LISTEN connection is up. */
  get connected(): boolean {
    return this.client !== null;
  }

  /**
   * Connects and listens; resolves once the first connection is up (or throws if it cannot be) and
   * the position is stable: every transaction running at the start, which may still commit a seq
   * below the head it started from, has ended.
   */
  async start(): Promise<void> {
    await this.connect();
    this.pollTimer = setInterval(() => this.catchUp(), this.pollMs);
    this.pollTimer.unref();
    await this.ready;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.recheckTimer) clearTimeout(this.recheckTimer);
    this.markReady?.();
    const client = this.client;
    this.client = null;
    await this.reading?.catch(() => undefined);
    await client?.end().catch(() => undefined);
  }

  /** Reads everything new now (also what notifications and the poll do). Never rejects. */
  catchUp(): Promise<void> {
    if (this.reading) {
      // A read is under way; its snapshot may predate this wake-up, so read once more after it.
      this.readAgain = true;
      return this.reading;
    }
    this.reading = this.readAll()
      .catch((error: unknown) => this.options.log.warn({ err: error }, 'events relay: catch-up failed'))
      .finally(() => {
        this.reading = null;
      });
    return this.reading;
  }

  private async readAll(): Promise<void> {
    do {
      this.readAgain = false;
      for (;;) {
        const client = this.client;
        if (!client || this.stopping) return;
        // One statement: the rows and the snapshot they were read in.
        const { rows } = await this.query<RelayRow>(client, {
          name: RELAY_READ_STATEMENT,
          text: RELAY_READ_SQL,
          values: [this.lastSeen, this.batchSize, this.pending !== null || this.startHorizon !== null],
        });
        const read = rows.filter((row) => row.seq !== null).length;
        const blocked = this.handOn(rows);
        for (const listener of this.readListeners) listener();
        if (blocked || read < this.batchSize) break;
      }
    } while (this.readAgain);
  }

  /**
   * Hands on the rows of one read in seq order up to the first missing seq that may still be
   * filled; true when that held some back. See the class comment and docs/architecture.md.
   */
  private handOn(rows: readonly RelayRow[]): boolean {
    const first = rows[0];
    if (!first) return false;
    // Read only while something waits on it (RELAY_READ_SQL); -1 reaches no horizon.
    const oldestRunning = first.oldest_running === null ? -1n : BigInt(first.oldest_running);
    if (this.startHorizon !== null && oldestRunning >= this.startHorizon) {
      this.startHorizon = null;
      this.markReady?.();
    }
    // Every transaction running at the read that found the gap has ended: this statement sees all
    // that committed, so a seq still missing up to there was rolled back.
    let settledUpTo = this.lastSeen;
    if (this.pending && oldestRunning >= this.pending.horizon) {
      settledUpTo = Math.max(settledUpTo, this.pending.upTo);
      this.pending = null;
    }
    let blocked = false;
    for (const row of rows) {
      if (row.seq === null) break;
      const event = toFeedEvent(row as EventRow);
      this.highestRead = Math.max(this.highestRead, event.seq);
      if (blocked) continue;
      if (event.seq - 1 > Math.max(this.lastSeen, settledUpTo)) {
        blocked = true;
        continue;
      }
      this.lastSeen = event.seq;
      try {
        this.options.onEvent(event);
      } catch (error) {
        this.options.log.error({ err: error, seq: event.seq }, 'events relay: subscriber dispatch failed');
      }
    }
    if (this.pending && this.lastSeen >= this.pending.upTo) this.pending = null;
    // The writer of a missing seq owned its transaction id before taking the seq (insertEventsSql),
    // and a later seq committed before this read: so it was running at this read, or rolled back.
    if (blocked && !this.pending)
      this.pending = { upTo: this.highestRead, horizon: BigInt(first.snapshot_xmax) };
    if (this.pending || this.startHorizon !== null) this.scheduleRecheck();
    else this.recheckMs = RECHECK_MIN_MS;
    return blocked;
  }

  /** Reads again soon: a rollback that settles a missing seq sends no notification. */
  private scheduleRecheck(): void {
    if (this.recheckTimer || this.stopping) return;
    this.recheckTimer = setTimeout(() => {
      this.recheckTimer = null;
      void this.catchUp();
    }, this.recheckMs);
    this.recheckTimer.unref();
    this.recheckMs = Math.min(RECHECK_MAX_MS, this.recheckMs * 2);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.options.databaseUrl,
      application_name: RELAY_APPLICATION_NAME,
      keepAlive: true,
    });
    let lost = false;
    const onLost = (error?: Error) => {
      if (lost) return;
      lost = true;
      if (this.client === client) this.client = null;
      client.end().catch(() => undefined);
      if (this.stopping) return;
      this.options.log.warn({ err: error }, 'events relay: LISTEN connection lost; reconnecting');
      this.scheduleReconnect();
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (message) => {
      if (message.channel !== EVENTS_CHANNEL) this.signal(message.channel, message.payload ?? '');
      // Its own announcements followed a wake-up of this relay already (EventHub.committed).
      else if (message.processId !== (client as unknown as { processID?: number }).processID)
        void this.catchUp();
    });
    try {
      await client.connect();
      await client.query(`listen ${EVENTS_CHANNEL}`);
      for (const channel of this.options.signals?.keys() ?? []) await client.query(`listen ${channel}`);
      if (!this.initialized) {
        // Transactions running now may still commit seqs below the head: the position is published
        // (start resolves) once they have all ended (handOn).
        const { rows } = await client.query<{ head: string; horizon: string }>(
          `select coalesce(max("seq"), 0) as head,
                  pg_snapshot_xmax(pg_current_snapshot())::text as horizon from "event"`,
        );
        this.lastSeen = Number(rows[0]?.head ?? 0);
        this.highestRead = this.lastSeen;
        this.startHorizon = BigInt(rows[0]?.horizon ?? 0);
        this.initialized = true;
      }
    } catch (error) {
      lost = true;
      client.end().catch(() => undefined);
      throw error;
    }
    if (this.stopping) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.attempt = 0;
    // Whatever committed while we were not listening.
    void this.catchUp();
    for (const channel of this.options.signals?.keys() ?? []) this.signal(channel, null);
  }

  private signal(channel: string, payload: string | null): void {
    try {
      this.options.signals?.get(channel)?.(payload);
    } catch (error) {
      this.options.log.error({ err: error, channel }, 'events relay: signal handler failed');
    }
  }

  private scheduleReconnect(): void {
    if (this.stopping || this.reconnectTimer) return;
    const delay = backoffDelay(this.attempt++, this.reconnectMinMs, this.reconnectMaxMs);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect().catch((error: unknown) => {
        this.options.log.warn({ err: error, attempt: this.attempt }, 'events relay: reconnect failed');
        this.scheduleReconnect();
      });
    }, delay);
    this.reconnectTimer.unref();
  }
}
