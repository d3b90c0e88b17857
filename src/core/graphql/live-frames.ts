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
 * `complete` still reaches the source through `return()`. The payload's JSON is made once per
 * executed result (`payloadJson`; subscribers sharing one execution share one string, see
 * shared-execution.ts), and only the frame's envelope — the subscription's id — is per subscriber.
 * What each subscriber receives is decided, as before, by its own stream and rights: this only
 * changes how a result already made for it is written.
 *
 * @module
 */
// graphql-ws's result type (graphql's own, with `hasNext`): what its `onOperation` hands over.
import type { ExecutionResult } from 'graphql-ws';
import type { WebSocket } from 'ws';
import { ReadLoop, readFrom } from '../events/direct-read.js';

const DONE = { done: true, value: undefined } as const;

/** The socket as the frames need it (a `ws` WebSocket). */
export type FrameSocket = Pick<WebSocket, 'send' | 'readyState' | 'bufferedAmount' | 'OPEN'>;

export interface LiveFramesOptions {
  /** The subscription's id on its socket, as the client chose it. */
  id: string;
  socket: FrameSocket;
  /** The `payload` of the `next` frame for a result, as JSON (checked, errors formatted). */
  payloadJson: (result: ExecutionResult) => string;
  /**
   * Bytes the socket may hold unsent before the next frame waits for its write: below it a frame
   * is queued and the next event read at once (ws.ts, `coalesceWrites`, has the same bound).
   */
  unawaitedWriteBytes: number;
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
  const { socket, payloadJson, unawaitedWriteBytes } = options;
  // The envelope graphql-ws would write, `{ id, type, payload }`, around a shared payload.
  const head = `{"id":${JSON.stringify(options.id)},"type":"next","payload":`;
  let returned = false;
  /** graphql-ws's pending `next()`: settled when the source ends. */
  let ended: { resolve: (done: typeof DONE) => void; reject: (error: unknown) => void } | null = null;
  const finish = (error?: unknown) => {
    const pending = ended;
    ended = null;
    if (error === undefined) pending?.resolve(DONE);
    else pending?.reject(error);
  };
  const send = (frame: string): Promise<void> | undefined => {
    // graphql-ws drops what is sent to a socket that is no longer open; its close ends the source.
    if (socket.readyState !== socket.OPEN) return undefined;
    if (socket.bufferedAmount < unawaitedWriteBytes) {
      socket.send(frame);
      return undefined;
    }
    // A slow reader: wait until this frame is written before reading on (its stream falls back to replay).
    return new Promise((resolve, reject) =>
      socket.send(frame, (error) => (error ? reject(error) : resolve())),
    );
  };
  const fail = (error: unknown) => finish(error ?? new Error('live frames: the source failed'));
  const take = (step: IteratorResult<ExecutionResult>) => {
    // After `return()` (the client completed, or the socket closed) nothing more is sent.
    if (step.done || returned) return finish();
    let written: Promise<void> | undefined;
    try {
      written = send(head + payloadJson(step.value) + '}');
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
