import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { MatchIndex, type FeedEvent, type MatchSpec } from './match-index.js';
import { EventRelay, type SignalHandler } from './relay.js';
import { EventPass } from './event-pass.js';
import { replayQuery, toFeedEvent, type EventRow } from './event-rows.js';
import { settledHead, type CommitNotifier } from './outbox.js';
import { SubscriberStream, type ReadEvents } from './subscriber-stream.js';
import { RightsWatch } from '../rights/rights-watch.js';
import { FanOut } from './fan-out.js';

/** Told of one relayed event and how many live subscribers matched it. */
export type EventListener = (event: FeedEvent, matched: number) => void;

/** Tuning of the real-time feed; the defaults suit production. */
export interface EventHubOptions {
  bufferSize?: number;
  pollMs?: number;
  /** Subscribers handed an event per turn of the event loop (fan-out.ts). */
  fanOutSlice?: number;
}

/**
 * The process's side of the event feed: the match index, the relay that fills it, and the factory
 * of subscriber streams. Built with the services; the relay runs between `start` and `stop`.
 */
export class EventHub implements CommitNotifier {
  readonly index = new MatchIndex();
  /** Work shared by the subscribers resolving the same live event (event-pass.ts). */
  readonly pass = new EventPass();
  /** The open subscriptions' rights, re-checked on the relay's rights events (rights-watch.ts). */
  readonly rights = new RightsWatch();
  /** Hands each event to its matching subscribers, a slice per turn, in order (fan-out.ts). */
  private readonly fanOut: FanOut;
  private relay: EventRelay | null = null;
  /** Told of every relayed event after the index had it (metrics, the webhook worker). */
  private readonly listeners = new Set<EventListener>();
  /** Channels besides the outbox's that the relay's connection listens on (see `listen`). */
  private readonly signals = new Map<string, SignalHandler>();

  constructor(private readonly options: EventHubOptions = {}) {
    this.fanOut = new FanOut(options.fanOutSlice);
  }

  /**
   * The seq of the last event this process's relay handed on (0 before it started): every event up
   * to it has reached the rights watch and been matched (its subscribers are handed it in order, a
   * slice per turn: fan-out.ts), and no event at or below it can still commit (relay.ts).
   */
  get position(): number {
    return this.relay?.position ?? 0;
  }

  /**
   * How far a reader of the `event` table may read: no event at or below it can still commit. The
   * relay's position; without a relay (not started), the head once every transaction that might
   * still fill a seq below it has ended. Never `max(seq)`: a seq below it may be uncommitted, and a
   * reader that stepped past it would never see that event (docs/architecture.md, "Live path").
   */
  stablePosition(em: EntityManager): Promise<number> {
    return this.relay ? Promise.resolve(this.relay.position) : settledHead(em);
  }

  /** After the commit of events (outbox.ts): wakes this relay and tells the other processes. */
  committed(): void {
    void this.relay?.catchUp();
    this.relay?.announce();
  }

  /** The relay, once started (tests look at it). */
  get activeRelay(): EventRelay | null {
    return this.relay;
  }

  async start(databaseUrl: string, log: Logger): Promise<void> {
    if (this.relay) return;
    const relay = new EventRelay({
      databaseUrl,
      log,
      pollMs: this.options.pollMs,
      signals: this.signals,
      onEvent: (event) => {
        // The rights watch first, at once: a subscription hears of a rights change before any
        // later event reaches it, however long the fan-out of the events before takes.
        this.rights.observe(event);
        const matched = this.index.match(event);
        this.fanOut.push(event, matched);
        for (const listener of this.listeners) listener(event, matched.length);
      },
    });
    await relay.start();
    this.relay = relay;
  }

  /**
   * Resolves once the relay has handed on every event committed before this call (at once when it
   * is not running): what follows is then told after every rights change before it. A transaction
   * still holding an earlier seq makes it wait for that transaction's end.
   */
  caughtUp(): Promise<void> {
    return this.relay?.caughtUp() ?? Promise.resolve();
  }

  /**
   * Listens on `channel` too, on the relay's one connection: `handler` gets each NOTIFY's payload,
   * and `null` whenever the connection is (re)established (what was sent meanwhile was missed).
   * For wake-up calls that are not outbox events; register before `start`.
   */
  listen(channel: string, handler: SignalHandler): void {
    if (this.relay) throw new Error(`EventHub: listen(${channel}) after start`);
    this.signals.set(channel, handler);
  }

  /**
   * Calls `listener` for every event this process relays, with the number of live subscribers it was
   * handed to. Listeners must be synchronous and cheap (they run on the relay's read loop). Returns
   * a function that removes it.
   */
  onEvent(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async stop(): Promise<void> {
    const relay = this.relay;
    this.relay = null;
    await relay?.stop();
  }

  /**
   * Opens a subscriber's stream: from `after` when given, else from the stable position (taken
   * before joining the index, so nothing handed on in between is missed). `em` is used only for
   * replay queries.
   */
  async open(em: EntityManager, spec: MatchSpec, after: number | null): Promise<SubscriberStream> {
    const connection = em.getConnection();
    const from = after ?? (await this.stablePosition(em));
    // Replay reads no further than the relay has handed on: a later event reaches the stream live,
    // after the relay has handed on everything before it — rights changes included (rights-watch.ts).
    const read: ReadEvents = async (s, since, limit) => {
      const query = replayQuery(s, since, limit, this.relay ? this.relay.position : null);
      const rows = await connection.execute<EventRow[]>(query.sql, query.params);
      return rows.map(toFeedEvent);
    };
    return new SubscriberStream({
      index: this.index,
      spec,
      after: from,
      read,
      bufferSize: this.options.bufferSize,
    });
  }
}
