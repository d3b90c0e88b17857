import pg from 'pg';
import type { Logger } from 'pino';
import { EVENTS_CHANNEL } from './outbox.js';
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
 * The per-process events relay: one dedicated `LISTEN hub_events` connection (not from the ORM pool,
 * whose connections come and go). Notifications only wake it up; it reads the table for
 * `seq > lastSeen` in order, so a lost notification or a dropped connection costs latency, never an
 * event. It starts at the table's head: older events reach subscribers by replay, not live.
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

  /** The seq of the last event handed on. */
  get position(): number {
    return this.lastSeen;
  }

  /** Whether the LISTEN connection is up. */
  get connected(): boolean {
    return this.client !== null;
  }

  /** Connects and listens; resolves once the first connection is up (or throws if it cannot be). */
  async start(): Promise<void> {
    await this.connect();
    this.pollTimer = setInterval(() => this.catchUp(), this.pollMs);
    this.pollTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
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
        const { rows } = await client.query<EventRow>(
          `select ${EVENT_COLUMNS} from "event" where "seq" > $1 order by "seq" limit $2`,
          [this.lastSeen, this.batchSize],
        );
        for (const row of rows) {
          const event = toFeedEvent(row);
          this.lastSeen = event.seq;
          try {
            this.options.onEvent(event);
          } catch (error) {
            this.options.log.error(
              { err: error, seq: event.seq },
              'events relay: subscriber dispatch failed',
            );
          }
        }
        if (rows.length < this.batchSize) break;
      }
    } while (this.readAgain);
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
      if (message.channel === EVENTS_CHANNEL) void this.catchUp();
      else this.signal(message.channel, message.payload ?? '');
    });
    try {
      await client.connect();
      await client.query(`listen ${EVENTS_CHANNEL}`);
      for (const channel of this.options.signals?.keys() ?? []) await client.query(`listen ${channel}`);
      if (!this.initialized) {
        const { rows } = await client.query<{ head: string }>(
          'select coalesce(max("seq"), 0) as head from "event"',
        );
        this.lastSeen = Number(rows[0]?.head ?? 0);
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
