import { describe, expect, it } from 'vitest';
import { isThenable, Settling } from '../../../src/core/events/settling.js';
import { mapStream } from '../../../src/core/events/feed-iterator.js';

async function* numbers(...values: number[]): AsyncGenerator<number> {
  for (const value of values) yield value;
}

describe('Settling', () => {
  it('answers the promise until the value arrived, then the value itself', async () => {
    let resolve!: (value: number) => void;
    const settling = new Settling(new Promise<number>((r) => (resolve = r)));
    expect(isThenable(settling.now)).toBe(true);
    resolve(7);
    await settling.promise;
    expect(settling.now).toBe(7);
  });

  it('keeps answering the rejected promise after a failure, so every reader sees the error', async () => {
    const failure = new Error('outage');
    const settling = new Settling(Promise.reject(failure));
    await expect(settling.promise).rejects.toBe(failure);
    const now = settling.now;
    expect(isThenable(now)).toBe(true);
    await expect(now).rejects.toBe(failure);
  });
});

describe('mapStream with a map that answers at once', () => {
  it('maps values given without a promise, drops nulls, and still awaits the ones given as promises', async () => {
    const mapped = mapStream(numbers(1, 2, 3, 4), (n) =>
      n === 2 ? null : n === 3 ? Promise.resolve(n * 10) : n * 10,
    );
    const seen: number[] = [];
    for await (const value of mapped) seen.push(value);
    expect(seen).toEqual([10, 30, 40]);
  });

  it('ends the source when a map answering at once throws', async () => {
    let returned = false;
    const source: AsyncIterator<number> = {
      next: async () => ({ done: false, value: 1 }),
      return: async () => {
        returned = true;
        return { done: true, value: undefined };
      },
    };
    const failure = new Error('FORBIDDEN');
    const mapped = mapStream(source, () => {
      throw failure;
    });
    await expect(mapped.next()).rejects.toBe(failure);
    expect(returned).toBe(true);
  });
});
