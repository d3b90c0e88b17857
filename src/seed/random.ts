/**
 * A small seeded pseudo-random generator for demo data. Every generated thing (organization i,
 * demand j, project k) draws from its own stream, derived from the run's seed and its index, so its
 * content does not depend on how many others are generated or in which order: `--orgs 300` after
 * `--orgs 200` produces the same first 200 and adds 100.
 *
 * @module
 */

/** FNV-1a over the UTF-16 units of `text`, as a 32-bit unsigned integer. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * A deterministic random stream (mulberry32: 32-bit state, fast, good enough for test data; not for
 * anything secret).
 */
export class Random {
  private state: number;

  /**
   * @param seed - the run's seed
   * @param keys - what the stream is for, e.g. `('org', 17)`; equal keys give equal streams
   */
  constructor(seed: number, ...keys: (string | number)[]) {
    this.state = fnv1a(`${seed}|${keys.join('|')}`);
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max] (both inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /**
   * One element of a non-empty list.
   *
   * @throws RangeError if `items` is empty
   */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('Random.pick: empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /**
   * One value by weight: `[[value, weight], …]`; weights need not sum to 1.
   *
   * @throws RangeError if the list is empty
   */
  weighted<T>(choices: readonly (readonly [T, number])[]): T {
    const total = choices.reduce((sum, [, weight]) => sum + weight, 0);
    let point = this.next() * total;
    for (const [value, weight] of choices) {
      point -= weight;
      if (point < 0) return value;
    }
    const last = choices.at(-1);
    if (!last) throw new RangeError('Random.weighted: empty list');
    return last[0];
  }

  /** `count` distinct elements of `items` (all of them when there are fewer), in random order. */
  sample<T>(items: readonly T[], count: number): T[] {
    const copy = [...items];
    const n = Math.min(count, copy.length);
    for (let i = 0; i < n; i += 1) {
      const j = i + Math.floor(this.next() * (copy.length - i));
      [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
    }
    return copy.slice(0, n);
  }
}
