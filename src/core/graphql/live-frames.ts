/**
 * A subscription's events sent as graphql-ws `next` frames directly on its socket
 * (docs/architecture.md, "Live path", 5).
 *
 * graphql-ws reads a subscription's iterator with `for await`, then per event awaits its `onNext`
 * hook, builds a message object, validates it, `JSON.stringify`s the whole payload and awaits a
 * send promise: a dozen promise steps and one serialization per subscriber and event, which a
 * fan-out to 10,000 subscribers pays 10,000 times for payloads that are mostly one shared result.
 *
 * Here the iterator handed to graphql-ws sends each result itself and yields nothing: its `next()`
 * settles only when the subscription ends, so graphql-ws still sends `complete` (the source is
 * done) or `error` (the source threw: formatted by its `onError` as before), and a client's
 * `complete` still reaches the source through `return()`. The payload's bytes are made once per
 * executed result (`payload`; subscribers sharing one execution share them, see
 * shared-execution.ts), the envelope with the subscription's id once per subscription, and each
 * frame is written as one buffer (socket-writes.ts).
 * What each subscriber receives is decided, as before, by its own stream and rights: this only
 * changes how a result already made for it is written.
 *
 * @module
 */
// graphql-ws's result type (graphql's own, with `hasNext`): what its `onOperation` hands over.
import type { ExecutionResult } from 'graphql-ws';
import { ReadLoop, readFrom } from '../events/direct-read.js';
import type { TextFrameWriter } from './socket-writes.js';

const DONE = { done: true, value: undefined } as const;
/** The end of the envelope `{"id":…,"type":"next","payload":…}`. */
const ENVELOPE_END = Buffer.from('}');

export interface LiveFramesOptions {
  /** The subscription's id on its socket, as the client chose it. */
  id: string;
  /** The subscription's socket (ws.ts: a slow reader's write is waited for before reading on). */
  socket: TextFrameWriter;
  /**
   * The `payload` of the `next` frame for a result, as UTF-8 JSON (checked, errors formatted): the
   * same bytes for every subscriber of one executed result.
   */
  payload: (result: ExecutionResult) => Buffer;
}

/**
 * Wraps a subscription's results so that they are written as `next` frames as they come; the
 * returned iterator yields nothing and ends (or throws) when the source does.
 *
 * The source is read with `read` (direct-read.ts): a live event that every link of the chain can
 * resolve at once is written to the socket inside the fan-out's `deliver`, without a promise, and
 * the next read is made before that returns.
 */
export function liveFrames(
  source: AsyncIterator<ExecutionResult>,
  options: LiveFramesOptions,
): AsyncIterableIterator<never> {
  const { socket, payload } = options;
  // The envelope graphql-ws would write, `{ id, type, payload }`, around a shared payload.
  const head = Buffer.from(`{"id":${JSON.stringify(options.id)},"type":"next","payload":`);
  let returned = false;
  /** graphql-ws's pending `next()`: settled when the source ends. */
  let ended: { resolve: (done: typeof DONE) => void; reject: (error: unknown) => void } | null = null;
  const finish = (error?: unknown) => {
    const pending = ended;
    ended = null;
    if (error === undefined) pending?.resolve(DONE);
    else pending?.reject(error);
  };
  const fail = (error: unknown) => finish(error ?? new Error('live frames: the source failed'));
  const take = (step: IteratorResult<ExecutionResult>) => {
    // After `return()` (the client completed, or the socket closed) nothing more is sent.
    if (step.done || returned) return finish();
    let written: Promise<void> | undefined;
    try {
      written = socket.sendText(head, payload(step.value), ENVELOPE_END);
    } catch (error) {
      // Runs inside the fan-out's loop: a failure is this subscription's, as a thrown `next()` was.
      return fail(error);
    }
    if (written) written.then(() => loop.request(), fail);
    else loop.request();
  };
  const loop = new ReadLoop(() => readFrom(source, take, fail));
  return {
    next(): Promise<IteratorResult<never>> {
      return new Promise((resolve, reject) => {
        ended = { resolve, reject };
        loop.request();
      });
    },
    async return(): Promise<IteratorResult<never>> {
      returned = true;
      await source.return?.();
      return DONE;
    },
    async throw(error?: unknown): Promise<IteratorResult<never>> {
      returned = true;
      await source.return?.();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
