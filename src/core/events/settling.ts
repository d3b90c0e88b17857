/**
 * Values that thousands of subscribers of one live event read once they are ready, without a
 * promise step each (docs/architecture.md, "Live path", 6).
 *
 * Awaiting a value costs a turn of the microtask queue and an allocation or two, even when it is
 * already there; the subscribers of an event handed on after its first slice (fan-out.ts) find the
 * event's shared reads and executions settled, and with these they go on synchronously.
 *
 * @module
 */

/** A value, or the promise of one. */
export type MaybePromise<T> = T | Promise<T>;

/** Whether `value` is a promise (or any thenable) to be awaited. */
export function isThenable<T>(value: MaybePromise<T>): value is Promise<T> {
  return (
    typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
  );
}

/** A promise whose value, once it has arrived, can be read synchronously. */
export class Settling<T> {
  private ready = false;
  private result: T | undefined;
  readonly promise: Promise<T>;

  constructor(promise: Promise<T>) {
    this.promise = promise.then((value) => {
      this.result = value;
      this.ready = true;
      return value;
    });
    // Readers may come after other work: a failure is theirs to see, not unhandled meanwhile.
    this.promise.catch(() => undefined);
  }

  /** The value once it has arrived; until then (and after a failure) the promise. */
  get now(): MaybePromise<T> {
    return this.ready ? (this.result as T) : this.promise;
  }
}
