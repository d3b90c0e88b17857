import { ReadLoop, readFrom, type DirectIterator, type Fail, type Take } from './direct-read.js';
import { isThenable, type MaybePromise } from './settling.js';

const DONE = { done: true, value: undefined } as const;

/**
 * Maps an event stream through an async function, dropping `null` results, as an iterator
 * whose `return()` reaches the source at once. (An async generator's `return()` waits until the
 * generator next yields, which for an idle subscriber is never: the source would stay subscribed.
 * A generator also costs three promise turns per value, paid by every subscriber of an event.)
 *
 * When `map` throws, the source is closed before the error goes on: graphql-ws ends the
 * subscription on the error without calling `return()`. `onEnd` runs once, however it ends.
 * `translateError` may replace the error the consumer sees (the source's or `map`'s). A `map` that
 * has its value at once may return it without a promise: it is then not awaited (settling.ts).
 *
 * Read with `read` (direct-read.ts), a value the source hands over synchronously and `map` maps
 * synchronously goes on to the reader in the same call, without a promise.
 *
 * **Fused.** Mapping a stream made here that nobody has read yet (a feed's stream, mapped again by
 * the shared execution, shared-execution.ts) makes one stream that applies both maps in turn,
 * rather than a stream reading another: per value, one link fewer to hand it through (its step,
 * its result object, its read back down) — for every subscriber of a live event. It behaves as the
 * two links did: a value either map drops is dropped; an error is translated by the map it arose
 * in and by every later one (a source's error by all); ending reaches the source first, then each
 * `onEnd` in order. The stream mapped further is spent: reading it fails, and its `return()` ends
 * the fused one.
 */
export function mapStream<T, U>(
  source: AsyncIterator<T>,
  map: (value: T) => MaybePromise<U | null>,
  onEnd?: () => void,
  translateError: (error: unknown) => unknown = (error) => error,
): DirectIterator<U> & AsyncIterableIterator<U> {
  const stage: Stage = { map: map as Stage['map'], onEnd, translateError };
  if (source instanceof MappedStream && source.fusible) return source.fuse<U>(stage);
  return new MappedStream<U>(source, [stage]);
}

/** One map of a {@link MappedStream}, with what it adds to the stream's end and errors. */
interface Stage {
  map: (value: unknown) => MaybePromise<unknown>;
  onEnd: (() => void) | undefined;
  translateError: (error: unknown) => unknown;
}

class MappedStream<U> implements DirectIterator<U>, AsyncIterableIterator<U> {
  private ended = false;
  /** Read, returned or thrown into: its maps can no longer be taken over. */
  private started = false;
  /** The stream that took over this one's source and maps (see mapStream, "Fused"). */
  private fusedInto: Pick<MappedStream<unknown>, 'return'> | null = null;
  /** The reader's pending read. */
  private take: Take<U> | null = null;
  private fail: Fail | null = null;
  /** Reads the source until a value is not dropped (made once: a read allocates nothing). */
  private readonly loop = new ReadLoop(() => readFrom(this.source, this.onStep, this.onSourceError));

  constructor(
    private readonly source: AsyncIterator<unknown>,
    private readonly stages: readonly Stage[],
  ) {}

  /** Whether another map may be fused onto this one (nothing has used it yet). */
  get fusible(): boolean {
    return !this.started && this.fusedInto === null;
  }

  /** A stream over this one's source applying its maps, then `stage`; this one is spent. */
  fuse<V>(stage: Stage): MappedStream<V> {
    const fused = new MappedStream<V>(this.source, [...this.stages, stage]);
    this.fusedInto = fused;
    return fused;
  }

  read(take: Take<U>, fail: Fail): void {
    this.started = true;
    if (this.fusedInto) return fail(new Error('mapStream: this stream was mapped further; read that one'));
    if (this.take) return fail(new Error('mapStream: one next() at a time'));
    this.take = take;
    this.fail = fail;
    this.loop.request();
  }

  next(): Promise<IteratorResult<U>> {
    return new Promise((resolve, reject) => this.read(resolve, reject));
  }

  async return(): Promise<IteratorResult<U>> {
    this.started = true;
    if (this.fusedInto) return (await this.fusedInto.return()) as IteratorResult<U>;
    await this.end();
    return DONE;
  }

  async throw(error?: unknown): Promise<IteratorResult<U>> {
    this.started = true;
    if (this.fusedInto) await this.fusedInto.return();
    else await this.end();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private readonly onStep = (step: IteratorResult<unknown>): void => {
    if (step.done) {
      this.end().then(() => this.give(DONE), this.onSourceError);
      return;
    }
    this.mapFrom(0, step.value);
  };

  /** Applies the maps from `first` on; waits where one answers with a promise. */
  private mapFrom(first: number, value: unknown): void {
    for (let at = first; at < this.stages.length; at += 1) {
      let mapped: MaybePromise<unknown>;
      try {
        mapped = this.stages[at]!.map(value);
      } catch (error) {
        this.failFrom(at, error);
        return;
      }
      if (isThenable(mapped)) {
        mapped.then(
          (later) => (later === null ? this.loop.request() : this.mapFrom(at + 1, later)),
          (error: unknown) => this.failFrom(at, error),
        );
        return;
      }
      if (mapped === null) {
        this.loop.request();
        return;
      }
      value = mapped;
    }
    this.give({ done: false, value: value as U });
  }

  private readonly onSourceError = (error: unknown): void => this.failFrom(0, error);

  /** Ends the stream, then fails the reader with `error` as the maps from `stage` on translate it. */
  private failFrom(stage: number, error: unknown): void {
    const fail = () => {
      let translated = error;
      for (let at = stage; at < this.stages.length; at += 1)
        translated = this.stages[at]!.translateError(translated);
      this.failWith(translated);
    };
    this.end().then(fail, fail);
  }

  private give(result: IteratorResult<U>): void {
    const take = this.take;
    this.take = null;
    this.fail = null;
    take?.(result);
  }

  private failWith(error: unknown): void {
    const fail = this.fail;
    this.take = null;
    this.fail = null;
    fail?.(error);
  }

  private async end(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    await this.source.return?.();
    for (const stage of this.stages) stage.onEnd?.();
  }
}
