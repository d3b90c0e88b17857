import { describe, expect, it } from 'vitest';
import { MatchIndex, type FeedEvent } from '../../../src/core/events/match-index.js';
import { Topic } from '../../../src/core/events/outbox.js';
import { pathSpec } from './path-spec.js';
import { SubscriberStream, type ReadEvents } from '../../../src/core/events/subscriber-stream.js';
import { backoffDelay } from '../../../src/core/events/relay.js';

const spec = pathSpec();

const ev = (seq: number): FeedEvent => ({
  seq,
  topic: Topic.DEMAND_PUBLISHED,
  entityId: seq,
  categoryPath: ['LIFE'],
  regionPath: ['370000', '370100'],
  targetGroups: [],
});

/** An in-memory event table and a relay that publishes appended rows to the index. */
function fakeFeed() {
  const table: FeedEvent[] = [];
  const index = new MatchIndex();
  let reads = 0;
  const read: ReadEvents = async (_s, after, limit) => {
    reads += 1;
    await Promise.resolve();
    return table.filter((e) => e.seq > after).slice(0, limit);
  };
  return {
    index,
    read,
    table,
    get reads() {
      return reads;
    },
    commit(seq: number) {
      table.push(ev(seq));
      index.publish(ev(seq));
    },
  };
}

/**
 * Resolves once every promise already settling has run its callbacks (the fake read is in memory):
 * the next turn of the event loop, not a wait on the clock.
 */
const settled = () => new Promise<void>((resolve) => setImmediate(resolve));

async function take(stream: SubscriberStream, n: number): Promise<number[]> {
  const out: number[] = [];
  while (out.length < n) {
    const r = await stream.next();
    if (r.done) break;
    out.push(r.value.seq);
  }
  return out;
}

describe('SubscriberStream', () => {
  it('replays after the cursor, then goes live, with no gap and no duplicate', async () => {
    const feed = fakeFeed();
    for (let s = 1; s <= 5; s += 1) feed.table.push(ev(s));
    const stream = new SubscriberStream({ index: feed.index, spec, after: 2, read: feed.read, batchSize: 2 });
    const first = stream.next();
    // Committed while the replay is under way: reaches both the table and the buffer.
    feed.commit(6);
    expect((await first).value?.seq).toBe(3);
    feed.commit(7);
    expect(await take(stream, 4)).toEqual([4, 5, 6, 7]);
    const later = stream.next();
    feed.commit(8);
    expect((await later).value?.seq).toBe(8);
    await stream.return();
    expect(feed.index.size).toBe(0);
  });

  it('bounds a non-reading subscriber’s buffer and catches up from the table in order', async () => {
    const feed = fakeFeed();
    const stream = new SubscriberStream({
      index: feed.index,
      spec,
      after: 0,
      read: feed.read,
      bufferSize: 16,
    });
    let maxBuffered = 0;
    for (let s = 1; s <= 2000; s += 1) {
      feed.commit(s);
      maxBuffered = Math.max(maxBuffered, stream.buffered);
    }
    expect(maxBuffered).toBeLessThanOrEqual(16);
    expect(stream.overflows).toBeGreaterThan(0);
    const got = await take(stream, 2000);
    expect(got).toEqual(Array.from({ length: 2000 }, (_, i) => i + 1));
    await stream.return();
  });

  it('hands a live event straight to a waiting reader, without buffering it', async () => {
    const feed = fakeFeed();
    const stream = new SubscriberStream({ index: feed.index, spec, after: 0, read: feed.read });
    expect(await take(stream, 0)).toEqual([]);
    const waiting = stream.next();
    // The first next() replays the (empty) table; once that in-memory read settled, it waits live.
    await settled();
    feed.commit(1);
    expect(stream.buffered).toBe(0);
    expect((await waiting).value?.seq).toBe(1);
    feed.commit(2);
    feed.commit(3);
    expect(stream.buffered).toBe(2);
    expect(await take(stream, 2)).toEqual([2, 3]);
    expect(feed.reads).toBe(1);
    await stream.return();
  });

  it('serves one next() at a time, as for-await reads', async () => {
    const feed = fakeFeed();
    const stream = new SubscriberStream({ index: feed.index, spec, after: 0, read: feed.read });
    const first = stream.next();
    await settled();
    await expect(stream.next()).rejects.toThrow(/one next\(\) at a time/);
    await stream.return();
    expect((await first).done).toBe(true);
  });

  it('ends a pending read when closed', async () => {
    const feed = fakeFeed();
    const stream = new SubscriberStream({ index: feed.index, spec, after: 0, read: feed.read });
    const pending = stream.next();
    await stream.return();
    expect((await pending).done).toBe(true);
  });
});

describe('backoffDelay', () => {
  it('doubles up to the cap, with jitter in the upper half', () => {
    expect(backoffDelay(0, 100, 5000, () => 0)).toBe(50);
    expect(backoffDelay(3, 100, 5000, () => 1)).toBe(800);
    expect(backoffDelay(20, 100, 5000, () => 1)).toBe(5000);
  });
});
