import { describe, expect, it } from 'vitest';
import { FanOut } from '../../../src/core/events/fan-out.js';
import type { FeedEvent, IndexedSubscriber, PathSpec } from '../../../src/core/events/match-index.js';
import { Topic } from '../../../src/core/events/outbox.js';

const event = (seq: number): FeedEvent => ({
  seq,
  topic: Topic.DEMAND_PUBLISHED,
  entityId: seq,
  categoryPath: ['LIFE'],
  regionPath: ['370000'],
  targetGroups: [],
});

const spec: PathSpec = {
  kind: 'paths',
  topic: Topic.DEMAND_PUBLISHED,
  categoryCodes: ['LIFE'],
  regionCodes: ['370000'],
  requiredCategory: null,
  requiredRegion: null,
  servedGroups: [],
  requiredGroups: [],
};

/** Subscribers that log `name:seq` as they are handed events. */
function subscribers(count: number, log: string[]): IndexedSubscriber[] {
  return Array.from({ length: count }, (_, i) => ({
    spec,
    deliver: (e: FeedEvent) => void log.push(`${i}:${e.seq}`),
  }));
}

/** A FanOut whose later turns run when the test says (`turn()`). */
function manual(sliceSize: number) {
  const turns: (() => void)[] = [];
  const fanOut = new FanOut(sliceSize, (run) => void turns.push(run));
  return {
    fanOut,
    turn: () => turns.shift()?.(),
    get waiting() {
      return turns.length;
    },
  };
}

describe('FanOut', () => {
  it('hands an event that fits in one slice to every subscriber at once', () => {
    const log: string[] = [];
    const { fanOut, waiting } = manual(4);
    fanOut.push(event(1), subscribers(4, log));
    expect(log).toEqual(['0:1', '1:1', '2:1', '3:1']);
    expect(waiting).toBe(0);
    expect(fanOut.pending).toBe(0);
  });

  it('hands a large fan-out on one slice per turn', () => {
    const log: string[] = [];
    const t = manual(2);
    t.fanOut.push(event(1), subscribers(5, log));
    expect(log).toEqual(['0:1', '1:1']);
    t.turn();
    expect(log).toEqual(['0:1', '1:1', '2:1', '3:1']);
    t.turn();
    expect(log).toHaveLength(5);
    expect(t.fanOut.pending).toBe(0);
    expect(t.waiting).toBe(0);
  });

  it('never hands a subscriber a later event before an earlier one', () => {
    const log: string[] = [];
    const t = manual(2);
    const everyone = subscribers(3, log);
    t.fanOut.push(event(1), everyone);
    // Relayed while the first is still being handed on: it waits for its turn.
    t.fanOut.push(event(2), everyone);
    expect(log).toEqual(['0:1', '1:1']);
    while (t.waiting > 0) t.turn();
    expect(log).toEqual(['0:1', '1:1', '2:1', '0:2', '1:2', '2:2']);
    for (let i = 0; i < 3; i += 1)
      expect(log.filter((entry) => entry.startsWith(`${i}:`))).toEqual([`${i}:1`, `${i}:2`]);
  });
});
