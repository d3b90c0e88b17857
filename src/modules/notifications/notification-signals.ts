import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { EventHub } from '../../core/events/event-hub.js';
import { ANY, type FeedEvent, type IndexedSubscriber, type PathSpec } from '../../core/events/match-index.js';
import { Topic } from '../../core/events/outbox.js';
import { WaitingStream } from '../../core/events/waiting-stream.js';
import { NotificationChannel } from './notification.enums.js';

/** The channel notification rounds are announced on: a wake-up call, the `notification` table is the truth. */
export const NOTIFICATIONS_CHANNEL = 'hub_notifications';

/**
 * A NOTIFY payload is at most 8,000 bytes; a round whose audience would not fit wakes every
 * `notificationReceived` subscriber instead (each reads what is hers, usually nothing).
 */
const MAX_PAYLOAD_CHARS = 7_000;

/** What one committed round of the notification worker made. */
export interface NotificationRound {
  /**
   * The highest notification id committed before the round. Rounds follow one another (one at a
   * time, in id order: notification-worker.ts), so this is the previous round's `upTo`.
   */
  after: number;
  /** Its highest notification id. */
  upTo: number;
  /** Whose notifications it made (`audienceKey`); null when there are too many to name. */
  audience: readonly string[] | null;
  /** The instant channels it queued deliveries for. */
  channels: readonly NotificationChannel[];
}

/** The key of a person or an organization in a round's audience. */
export function audienceKey(kind: 'user' | 'organization', id: number): string {
  return `${kind}:${id}`;
}

/**
 * How new notifications reach the live feed and the channel workers, outside the ordered outbox, so
 * that announcing a round costs the write path nothing (no outbox lock, no outbox row).
 *
 * After a round commits, the process that made it wakes its own subscribers at once and sends ONE
 * `NOTIFY hub_notifications` outside any transaction; every other process's relay connection hears
 * it and wakes its subscribers of that audience. A woken subscriber reads her notifications after
 * the last one she was sent (notification-feed.ts): the signal says only "look", so a late, repeated
 * or coalesced signal costs a read, never a notification.
 *
 * A signal can be missed: a process may stop between its round's commit and its NOTIFY, and a relay
 * connection may drop. Each round names the round before it (`after`), so each process keeps the
 * chain of rounds it was told of; every `checkMs` it reads the newest notification id, and when the
 * newest seen at the previous check is past the end of its chain, a round was missed and every
 * subscriber reads (within two checks). A relay reconnection wakes every subscriber at once.
 */
export class NotificationSignals {
  /** Tells this process's own NOTIFYs from the others'. */
  private readonly origin = randomUUID();
  /** Every round up to this id has been signalled here (null until the first check). */
  private chainEnd: number | null = null;
  /** Rounds signalled before the one they follow (NOTIFYs from two processes may cross): after → upTo. */
  private readonly unchained = new Map<number, number>();
  /** The newest notification id at the previous check. */
  private newestAtLastCheck: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private checking: Promise<void> | null = null;
  private readonly channelListeners = new Set<(channels: readonly NotificationChannel[]) => void>();

  constructor(private readonly events: EventHub) {
    events.listen(NOTIFICATIONS_CHANNEL, (payload) =>
      payload === null ? this.mayHaveMissed() : this.received(payload),
    );
  }

  /** Every notification up to this id has been signalled to this process (null before the first check). */
  get signalledUpTo(): number | null {
    return this.chainEnd;
  }

  /** Starts the periodic check for missed rounds (`checkMs` > 0), reading through `em`. */
  start(em: EntityManager, log: Logger, checkMs: number): void {
    if (this.timer || checkMs <= 0) return;
    const check = () => {
      this.checking ??= this.check(em.fork())
        .catch((error: unknown) => log.warn({ err: error }, 'notifications: signal check failed'))
        .finally(() => {
          this.checking = null;
        });
    };
    check();
    this.timer = setInterval(check, checkMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.checking;
  }

  /**
   * Opens a subscriber's wake-up stream for these audience keys: it joins the match index, and its
   * first `next()` resolves at once (so a round committed while it was being opened is read).
   */
  open(keys: readonly string[]): NotificationWakeStream {
    return new NotificationWakeStream(this.events, keys);
  }

  /** Calls `listener` with the channels of each round's deliveries (all of them after a missed signal). */
  onChannels(listener: (channels: readonly NotificationChannel[]) => void): () => void {
    this.channelListeners.add(listener);
    return () => this.channelListeners.delete(listener);
  }

  /**
   * Announces a committed round: this process's subscribers at once, the others' by one NOTIFY,
   * sent outside any transaction (a NOTIFY in the round's transaction would serialize its commit
   * with every other notifying commit, the write path's included).
   */
  async announce(em: EntityManager, round: NotificationRound): Promise<void> {
    this.handle(round);
    let payload = JSON.stringify({ origin: this.origin, ...round });
    if (payload.length > MAX_PAYLOAD_CHARS)
      payload = JSON.stringify({ origin: this.origin, ...round, audience: null });
    await em.getConnection().execute('select pg_notify(?, ?)', [NOTIFICATIONS_CHANNEL, payload], 'run');
  }

  /** Reads the newest notification id; wakes everyone when a round before the previous check was missed. */
  async check(em: EntityManager): Promise<void> {
    const [row] = await em.execute<{ newest: string }[]>(
      'select coalesce(max("id"), 0) as "newest" from "notification"',
    );
    const newest = Number(row?.newest ?? 0);
    if (this.chainEnd === null) {
      this.chainEnd = newest;
      this.extendChain();
    } else if (this.newestAtLastCheck !== null && this.chainEnd < this.newestAtLastCheck) {
      this.chainEnd = this.newestAtLastCheck;
      this.extendChain();
      this.wakeEveryone();
    }
    this.newestAtLastCheck = newest;
  }

  private received(payload: string): void {
    let round: NotificationRound & { origin?: unknown };
    try {
      round = JSON.parse(payload) as typeof round;
    } catch {
      return;
    }
    if (round.origin === this.origin) return;
    if (!Number.isSafeInteger(round.after) || !Number.isSafeInteger(round.upTo)) return;
    this.handle({
      after: round.after,
      upTo: round.upTo,
      audience: Array.isArray(round.audience) ? round.audience.map(String) : null,
      channels: Array.isArray(round.channels) ? round.channels : [],
    });
  }

  private handle(round: NotificationRound): void {
    if (round.audience === null) this.wakeEveryone();
    else
      this.wake(
        this.events.index.match({
          seq: round.upTo,
          topic: Topic.NOTIFICATION_CREATED,
          entityId: round.upTo,
          categoryPath: round.audience,
          regionPath: [],
          targetGroups: [],
        }),
      );
    if (round.channels.length > 0) for (const listener of this.channelListeners) listener(round.channels);
    if (this.chainEnd !== null && round.upTo <= this.chainEnd) return;
    this.unchained.set(round.after, round.upTo);
    this.extendChain();
  }

  /** The relay (re)connected: NOTIFYs sent meanwhile were lost. */
  private mayHaveMissed(): void {
    this.wakeEveryone();
    for (const listener of this.channelListeners) listener(Object.values(NotificationChannel));
  }

  private extendChain(): void {
    if (this.chainEnd === null) return;
    for (const [after, upTo] of this.unchained) if (upTo <= this.chainEnd) this.unchained.delete(after);
    for (
      let next = this.unchained.get(this.chainEnd);
      next !== undefined;
      next = this.unchained.get(this.chainEnd)
    ) {
      this.unchained.delete(this.chainEnd);
      this.chainEnd = next;
    }
  }

  private wakeEveryone(): void {
    this.wake([...this.events.index.subscribers()]);
  }

  /**
   * Rings these subscribers' streams once the relay has handed on every outbox event committed
   * before the round (whose commit preceded its signal): a rights change before it, such as her
   * suspension, reaches the rights watch first, as it does for the outbox's own feeds.
   */
  private wake(subscribers: readonly IndexedSubscriber[]): void {
    const streams = subscribers.filter((s) => s instanceof NotificationWakeStream);
    if (streams.length === 0) return;
    void this.events.caughtUp().then(() => {
      for (const stream of streams) stream.ring();
    });
  }
}

/**
 * One `notificationReceived` subscriber's wake-up calls: it sits in the match index under her
 * audience keys (her own, her organizations'), and each `next()` resolves once she has been woken
 * since the previous one (wake-ups coalesce: one read serves them all). Each value is a distinct
 * ring (its `seq` counts them), so a reader can tell a repeated mapping of one ring from the next.
 */
export class NotificationWakeStream extends WaitingStream implements IndexedSubscriber {
  readonly spec: PathSpec;
  private rings = 0;
  /** Woken since the last `next()` (true at first: she reads what is hers on subscribing). */
  private rung = true;

  constructor(
    private readonly events: EventHub,
    keys: readonly string[],
  ) {
    super();
    this.spec = {
      kind: 'paths',
      topic: Topic.NOTIFICATION_CREATED,
      categoryCodes: keys,
      regionCodes: [ANY],
      requiredCategory: null,
      requiredRegion: null,
      servedGroups: [],
      requiredGroups: [],
    };
    events.index.add(this);
  }

  /** Called by the match index for a round of her audience. */
  deliver(): void {
    this.ring();
  }

  /** Wakes the reader (at once if she waits, else at her next `next()`). */
  ring(): void {
    if (this.isClosed) return;
    if (this.readerWaits) this.handToWaiter(this.nextRing());
    else this.rung = true;
  }

  protected pull(): Promise<IteratorResult<FeedEvent>> | undefined {
    if (!this.rung) return undefined;
    this.rung = false;
    return Promise.resolve({ done: false, value: this.nextRing() });
  }

  protected onClose(): void {
    this.events.index.remove(this);
  }

  private nextRing(): FeedEvent {
    this.rings += 1;
    return {
      seq: this.rings,
      topic: Topic.NOTIFICATION_CREATED,
      entityId: 0,
      categoryPath: [],
      regionPath: [],
      targetGroups: [],
    };
  }
}
