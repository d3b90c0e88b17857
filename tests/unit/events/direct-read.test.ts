import { describe, expect, it } from 'vitest';
import type { Context } from '../../../src/core/context.js';
import type { Viewer } from '../../../src/core/auth.js';
import { ForbiddenError } from '../../../src/core/errors.js';
import { readFrom } from '../../../src/core/events/direct-read.js';
import { mapStream } from '../../../src/core/events/feed-iterator.js';
import { MatchIndex, type FeedEvent } from '../../../src/core/events/match-index.js';
import { Topic } from '../../../src/core/events/outbox.js';
import { pathSpec } from './path-spec.js';
import { SubscriberStream } from '../../../src/core/events/subscriber-stream.js';
import { MemberRole, Role } from '../../../src/core/roles.js';
import { feedWithLiveRights } from '../../../src/core/rights/rights-feed.js';
import { RightsWatch } from '../../../src/core/rights/rights-watch.js';

/*
 * Reading a live stream with read(take, fail) (src/core/events/direct-read.ts): a live event handed
 * to a waiting reader goes through every link in the same call, and every per-event decision —
 * rights above all — is still made on that event, as it stands when it is handed on.
 */

const spec = pathSpec();

const ev = (seq: number, topic: Topic = Topic.DEMAND_PUBLISHED, entityId = seq): FeedEvent => ({
  seq,
  topic,
  entityId,
  categoryPath: ['LIFE'],
  regionPath: ['370000', '370100'],
  targetGroups: [],
});

/** A live stream past its (empty) replay: what it is handed next it hands to a waiting reader. */
async function liveStream(index = new MatchIndex()): Promise<SubscriberStream> {
  const stream = new SubscriberStream({ index, spec, after: 0, read: () => Promise.resolve([]) });
  // The first read replays the (empty) table; the stream then waits for live events.
  const first = stream.next();
  await new Promise<void>((resolve) => setImmediate(resolve));
  stream.deliver(ev(1));
  expect((await first).value).toMatchObject({ seq: 1 });
  return stream;
}

/** Reads `iterator` directly for as long as it answers, recording what it hands over. */
function readAll<T>(iterator: AsyncIterator<T>) {
  const values: T[] = [];
  const state: { done: boolean; error: unknown } = { done: false, error: null };
  const take = (step: IteratorResult<T>) => {
    if (step.done) state.done = true;
    else {
      values.push(step.value);
      readFrom(iterator, take, fail);
    }
  };
  const fail = (error: unknown) => (state.error = error);
  readFrom(iterator, take, fail);
  return { values, state };
}

describe('direct reads', () => {
  it('hands a live event through mapped links to the reader before deliver returns', async () => {
    const stream = await liveStream();
    const mapped = mapStream(
      mapStream(stream, (e) => (e.seq % 2 === 0 ? null : e.seq)),
      (seq) => `event ${seq}`,
    );
    const { values } = readAll(mapped);
    stream.deliver(ev(2)); // dropped by the first map
    expect(values).toEqual([]);
    stream.deliver(ev(3));
    expect(values).toEqual(['event 3']);
    stream.deliver(ev(5));
    expect(values).toEqual(['event 3', 'event 5']);
    await mapped.return?.();
  });

  it('waits for a map that must wait, keeping the order, and goes on synchronously afterwards', async () => {
    const stream = await liveStream();
    let wait: Promise<void> | null = new Promise<void>((resolve) => setImmediate(resolve));
    const mapped = mapStream(stream, (e) => (wait ? wait.then(() => e.seq) : e.seq));
    const { values } = readAll(mapped);
    stream.deliver(ev(2));
    stream.deliver(ev(3)); // buffered while the reader waits for event 2's map
    expect(values).toEqual([]);
    await wait;
    wait = null;
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(values).toEqual([2, 3]);
    stream.deliver(ev(4));
    expect(values).toEqual([2, 3, 4]);
    await mapped.return?.();
  });

  it('reads a long run of values answered synchronously, most of them dropped, without growing the stack', async () => {
    const index = new MatchIndex();
    const stream = new SubscriberStream({
      index,
      spec,
      after: 0,
      read: () => Promise.resolve([]),
      bufferSize: 100_000,
    });
    const replayed = stream.next(); // the (empty) replay, then live
    await new Promise<void>((resolve) => setImmediate(resolve));
    stream.deliver(ev(1));
    await replayed;
    // Buffered while nobody reads, then read in one go: each is answered synchronously.
    for (let seq = 2; seq <= 10_000; seq += 1) stream.deliver(ev(seq));
    const mapped = mapStream(stream, (e) => (e.seq % 1000 === 0 ? e.seq : null));
    const { values, state } = readAll(mapped);
    expect(state.error).toBeNull();
    expect(values).toHaveLength(10);
    expect(values.at(-1)).toBe(10_000);
    await mapped.return?.();
  });

  it('closes the source and fails the reader when a map throws', async () => {
    const stream = await liveStream();
    const mapped = mapStream(stream, () => {
      throw new Error('broken');
    });
    const { state } = readAll(mapped);
    stream.deliver(ev(2));
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect((state.error as Error).message).toBe('broken');
    // Closed: it left the match index.
    await expect(stream.next()).resolves.toEqual({ done: true, value: undefined });
  });
});

describe('direct reads under live rights', () => {
  const ORG = 7;
  const viewer = (member: boolean): Viewer => ({
    user: { id: 1 } as Viewer['user'],
    userId: 1,
    roles: new Set(member ? [Role.WORKER, Role.ORG_MEMBER] : [Role.WORKER]),
    memberships: new Map(member ? [[ORG, MemberRole.ORG_MEMBER]] : []),
    tokenExpiresAt: new Date(Date.now() + 3_600_000),
    rightsAsOf: 0,
  });

  it('hands on nothing after the member was removed mid-stream, and ends with FORBIDDEN', async () => {
    const index = new MatchIndex();
    const rights = new RightsWatch();
    // The account as it is now: the removal is what the next reload reads.
    let current = viewer(true);
    const ctx = {
      viewer: viewer(true),
      em: { fork: () => ({}) },
      services: {
        viewers: { load: () => Promise.resolve(current) },
        events: { rights },
      },
    } as unknown as Context;
    const admit = (v: Viewer) => {
      if (!v.memberships.has(ORG)) throw new ForbiddenError('You left the organization.');
    };
    const stream = await liveStream(index);
    const feed = feedWithLiveRights(ctx, stream, admit, (e) => e.seq);
    const { values, state } = readAll(feed);
    stream.deliver(ev(2));
    // Rights settled, nothing to wait for: handed on in the same call.
    expect(values).toEqual([2]);

    current = viewer(false);
    // The relay hands the rights event on before any later event (rights-watch.ts).
    rights.observe(ev(3, Topic.USER_RIGHTS_CHANGED, 1));
    stream.deliver(ev(4));
    expect(values).toEqual([2]);
    await expect.poll(() => state.error).toBeInstanceOf(ForbiddenError);
    stream.deliver(ev(5));
    expect(values).toEqual([2]);
  });

  it('goes on once a rights change that did not end the rights was re-checked', async () => {
    const rights = new RightsWatch();
    const ctx = {
      viewer: viewer(true),
      em: { fork: () => ({}) },
      services: { viewers: { load: () => Promise.resolve(viewer(true)) }, events: { rights } },
    } as unknown as Context;
    const stream = await liveStream();
    const feed = feedWithLiveRights(
      ctx,
      stream,
      () => undefined,
      (e) => e.seq,
    );
    const { values, state } = readAll(feed);
    rights.observe(ev(2, Topic.USER_RIGHTS_CHANGED, 1));
    stream.deliver(ev(3)); // waits for the re-check
    expect(values).toEqual([]);
    await expect.poll(() => values).toEqual([3]);
    stream.deliver(ev(4)); // settled again: at once
    expect(values).toEqual([3, 4]);
    expect(state.error).toBeNull();
    await feed.return?.();
  });
});
