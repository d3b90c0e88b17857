import { describe, expect, it } from 'vitest';
import { mapStream } from '../../../src/core/events/feed-iterator.js';

/*
 * A stream made by mapStream, mapped again before anyone read it, is fused into one stream applying
 * both maps (src/core/events/feed-iterator.ts): it must behave exactly as the two links did — the
 * same values, drops, errors (and their translations), endings and `onEnd` calls.
 */

/** A source yielding `values` (none once returned), recording whether `return()` reached it. */
function source(...values: number[]) {
  const state = { returned: 0 };
  let at = 0;
  const iterator: AsyncIterator<number> = {
    next: async () =>
      at < values.length ? { done: false, value: values[at++]! } : { done: true, value: undefined },
    return: async () => {
      state.returned += 1;
      at = values.length;
      return { done: true, value: undefined };
    },
  };
  return { iterator, state };
}

/** A source whose first read fails with `error`. */
function failing(error: Error) {
  const state = { returned: 0 };
  const iterator: AsyncIterator<number> = {
    next: () => Promise.reject(error),
    return: async () => {
      state.returned += 1;
      return { done: true, value: undefined };
    },
  };
  return { iterator, state };
}

class Tagged extends Error {
  constructor(
    readonly by: string,
    readonly inner: unknown,
  ) {
    super(`${by}(${(inner as Error).message})`);
  }
}

/** Two maps on `iterator` as a feed and the shared execution stack them, recording their ends. */
function twoLinks(
  iterator: AsyncIterator<number>,
  first: (n: number) => unknown,
  second: (v: unknown) => unknown,
) {
  const ends: string[] = [];
  const inner = mapStream(
    iterator,
    first,
    () => ends.push('first'),
    (error) => new Tagged('first', error),
  );
  const outer = mapStream(
    inner,
    second,
    () => ends.push('second'),
    (error) => new Tagged('second', error),
  );
  return { inner, outer, ends };
}

async function drain<T>(iterator: AsyncIterator<T>): Promise<T[]> {
  const seen: T[] = [];
  for (;;) {
    const step = await iterator.next();
    if (step.done) return seen;
    seen.push(step.value);
  }
}

describe('mapStream fused with the stream it maps', () => {
  it('applies both maps in turn, drops what either drops, waits where either must, and ends once', async () => {
    const { iterator, state } = source(1, 2, 3, 4, 5, 6);
    const { outer, ends } = twoLinks(
      iterator,
      (n) => (n === 2 ? null : n === 3 ? Promise.resolve(n * 10) : n * 10),
      (v) => (v === 40 ? null : v === 50 ? Promise.resolve(`v${String(v)}`) : `v${String(v)}`),
    );
    expect(await drain(outer)).toEqual(['v10', 'v30', 'v50', 'v60']);
    expect(state.returned).toBe(1);
    expect(ends).toEqual(['first', 'second']);
  });

  it('leaves the stream mapped further spent: reading it fails, and its return() ends the fused one', async () => {
    const { iterator, state } = source(1, 2);
    const { inner, outer, ends } = twoLinks(
      iterator,
      (n) => n,
      (v) => v,
    );
    await expect(inner.next()).rejects.toThrow(/mapped further/);
    await inner.return?.();
    expect(state.returned).toBe(1);
    expect(ends).toEqual(['first', 'second']);
    expect(await outer.next()).toEqual({ done: true, value: undefined });
  });

  it('translates an error of the first map by both maps, after ending the source', async () => {
    const { iterator, state } = source(1);
    const { outer, ends } = twoLinks(
      iterator,
      () => {
        throw new Error('refused');
      },
      (v) => v,
    );
    const error = await outer.next().then(
      () => null,
      (e: unknown) => e,
    );
    expect((error as Error).message).toBe('second(first(refused))');
    expect(state.returned).toBe(1);
    expect(ends).toEqual(['first', 'second']);
  });

  it('translates an error of the second map by the second alone, also when it comes as a rejection', async () => {
    const { iterator } = source(1);
    const { outer } = twoLinks(
      iterator,
      (n) => Promise.resolve(n),
      () => Promise.reject(new Error('execution')),
    );
    await expect(outer.next()).rejects.toThrow('second(execution)');
  });

  it('translates an error of the source by both maps', async () => {
    const { iterator, state } = failing(new Error('outage'));
    const { outer, ends } = twoLinks(
      iterator,
      (n) => n,
      (v) => v,
    );
    await expect(outer.next()).rejects.toThrow('second(first(outage))');
    expect(state.returned).toBe(1);
    expect(ends).toEqual(['first', 'second']);
  });

  it('does not fuse a stream someone has read: the two links then read one another, as before', async () => {
    const { iterator } = source(1, 2, 3);
    const inner = mapStream(iterator, (n) => n * 10);
    expect(await inner.next()).toEqual({ done: false, value: 10 });
    const outer = mapStream(inner, (v) => v + 1);
    expect(await drain(outer)).toEqual([21, 31]);
  });
});
