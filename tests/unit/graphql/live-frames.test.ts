import { describe, expect, it } from 'vitest';
import type { ExecutionResult } from 'graphql';
import { liveFrames } from '../../../src/core/graphql/live-frames.js';
import type { TextFrameWriter } from '../../../src/core/graphql/socket-writes.js';
import { mapStream } from '../../../src/core/events/feed-iterator.js';
import { MatchIndex, type FeedEvent } from '../../../src/core/events/match-index.js';
import { Topic } from '../../../src/core/events/outbox.js';
import { SubscriberStream } from '../../../src/core/events/subscriber-stream.js';

/**
 * A socket that records the text of what is sent; with `slow` set, each write must be waited for
 * until the test calls its callback (socket-writes.ts: a socket holding too much unsent).
 */
function recordingSocket() {
  const sent: string[] = [];
  const callbacks: (() => void)[] = [];
  const socket = {
    slow: false as boolean,
    sendText(head: Buffer, body: Buffer, tail: Buffer): Promise<void> | undefined {
      sent.push(Buffer.concat([head, body, tail]).toString());
      if (!this.slow) return undefined;
      return new Promise<void>((resolve) => callbacks.push(resolve));
    },
  } satisfies TextFrameWriter & { slow: boolean };
  return { socket, sent, callbacks };
}

/** A source the test feeds by hand, which records whether it was returned. */
function manualSource() {
  const waiting: ((step: IteratorResult<ExecutionResult>) => void)[] = [];
  const failing: ((error: unknown) => void)[] = [];
  const state = { returned: false };
  const source: AsyncIterator<ExecutionResult> = {
    next: () =>
      new Promise((resolve, reject) => {
        waiting.push(resolve);
        failing.push(reject);
      }),
    return: async () => {
      state.returned = true;
      waiting.shift()?.({ done: true, value: undefined });
      return { done: true, value: undefined };
    },
  };
  const push = (result: ExecutionResult) => {
    failing.shift();
    waiting.shift()!({ done: false, value: result });
  };
  const fail = (error: unknown) => {
    waiting.shift();
    failing.shift()!(error);
  };
  const finish = () => {
    failing.shift();
    waiting.shift()!({ done: true, value: undefined });
  };
  return { source, push, fail, finish, state };
}

/** Lets the frames' promise steps run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

const payload = (result: ExecutionResult) => Buffer.from(JSON.stringify(result));

describe('liveFrames', () => {
  it('writes each result as a graphql-ws next frame with its own id around the shared payload, then ends when the source does', async () => {
    const { socket, sent } = recordingSocket();
    const { source, push, finish } = manualSource();
    const frames = liveFrames(source, { id: 'sub-"1"', socket, payload });
    const ended = frames.next();
    push({ data: { n: 1 } });
    await settle();
    push({ data: { n: 2 } });
    await settle();
    expect(sent.map((frame) => JSON.parse(frame) as unknown)).toEqual([
      { id: 'sub-"1"', type: 'next', payload: { data: { n: 1 } } },
      { id: 'sub-"1"', type: 'next', payload: { data: { n: 2 } } },
    ]);
    finish();
    // graphql-ws sends `complete` when this resolves as done.
    expect(await ended).toEqual({ done: true, value: undefined });
  });

  it('rejects with the source’s error, so graphql-ws sends its error frame', async () => {
    const { socket, sent } = recordingSocket();
    const { source, fail } = manualSource();
    const ended = liveFrames(source, { id: '1', socket, payload }).next();
    const forbidden = new Error('FORBIDDEN');
    fail(forbidden);
    await expect(ended).rejects.toBe(forbidden);
    expect(sent).toEqual([]);
  });

  it('sends nothing more once returned (the client completed), even a result already on its way', async () => {
    const { socket, sent } = recordingSocket();
    const waiting: ((step: IteratorResult<ExecutionResult>) => void)[] = [];
    let returned = false;
    const source: AsyncIterator<ExecutionResult> = {
      next: () => new Promise((resolve) => waiting.push(resolve)),
      // Returning does not settle the pending next(): its result arrives afterwards.
      return: async () => {
        returned = true;
        return { done: true, value: undefined };
      },
    };
    const frames = liveFrames(source, { id: '1', socket, payload });
    const ended = frames.next();
    await frames.return!();
    expect(returned).toBe(true);
    waiting.shift()!({ done: false, value: { data: { late: true } } });
    expect(await ended).toEqual({ done: true, value: undefined });
    expect(sent).toEqual([]);
  });

  it('waits for the write of a socket holding too much unsent before reading the next result', async () => {
    const { socket, sent, callbacks } = recordingSocket();
    let reads = 0;
    const waiting: ((step: IteratorResult<ExecutionResult>) => void)[] = [];
    const source: AsyncIterator<ExecutionResult> = {
      next: () => {
        reads += 1;
        return new Promise((resolve) => waiting.push(resolve));
      },
    };
    void liveFrames(source, { id: '1', socket, payload }).next();
    socket.slow = true;
    waiting.shift()!({ done: false, value: { data: { n: 1 } } });
    await settle();
    expect(sent).toHaveLength(1);
    expect(reads).toBe(1);
    callbacks.shift()!();
    await settle();
    expect(reads).toBe(2);
  });
});

describe('liveFrames over a direct source (src/core/events/direct-read.ts)', () => {
  /** A live subscriber stream past its (empty) replay, mapped to results as a feed would. */
  async function liveResults() {
    const stream = new SubscriberStream({
      index: new MatchIndex(),
      spec: { kind: 'entity', topic: Topic.DEMAND_UPDATED, entityId: 1 },
      after: 0,
      read: () => Promise.resolve([]),
    });
    const event = (seq: number): FeedEvent => ({
      seq,
      topic: Topic.DEMAND_UPDATED,
      entityId: 1,
      categoryPath: [],
      regionPath: [],
      targetGroups: [],
    });
    const results = mapStream(stream, (e): ExecutionResult => ({ data: { n: e.seq } }));
    return { stream, results, event };
  }

  it('writes a live event’s frame inside the deliver that hands it on', async () => {
    const { socket, sent } = recordingSocket();
    const { stream, results, event } = await liveResults();
    const ended = liveFrames(results, { id: '1', socket, payload }).next();
    await settle(); // the empty replay
    stream.deliver(event(1));
    expect(sent).toEqual(['{"id":"1","type":"next","payload":{"data":{"n":1}}}']);
    stream.deliver(event(2));
    expect(sent).toHaveLength(2);
    await results.return?.();
    expect(await ended).toEqual({ done: true, value: undefined });
  });

  it('keeps a failure to write a frame to its own subscription, out of the deliver that handed it on', async () => {
    const { socket } = recordingSocket();
    const { stream, results, event } = await liveResults();
    const failing = () => {
      throw new Error('cannot serialize');
    };
    const ended = liveFrames(results, {
      id: '1',
      socket,
      payload: failing,
    }).next();
    await settle();
    expect(() => stream.deliver(event(1))).not.toThrow();
    await expect(ended).rejects.toThrow('cannot serialize');
  });
});
