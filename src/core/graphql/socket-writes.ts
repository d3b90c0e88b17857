/**
 * The write path of one WebSocket connection (docs/architecture.md, "Live path", 5).
 *
 * **One TCP write per turn.** A live event reaches every matching subscription of a socket (up to
 * 20) in the same turn of the event loop, and each frame was its own write system call. The TCP
 * socket is corked at the turn's first write and uncorked once that turn's promise jobs are done
 * (`process.nextTick`), so a fan-out slice's frames leave as soon as the slice is resolved
 * (fan-out.ts), not after the whole fan-out.
 *
 * **Unawaited sends.** graphql-ws awaits each send before it reads the operation's next result; ws
 * would resolve that only once the frame reached the kernel, after the flush, keeping every
 * subscriber's pending state alive across it. While the socket holds less than
 * {@link UNAWAITED_WRITE_BYTES} unsent, a send is reported done as it is queued; a slower reader
 * waits for its writes again, so a client that does not read holds at most that much (its
 * subscriptions fall back to replay, subscriber-stream.ts). A failed write still closes the socket
 * (ws listens for the TCP socket's errors), which ends its subscriptions.
 *
 * **A live event's frames are written here, not through ws's `send`.** Per frame ws builds two
 * option objects, counts the string's UTF-8 bytes (flattening the envelope concatenated around
 * the payload), allocates a header and writes header and string as two chunks, which the kernel
 * write then encodes again: with 10,000 subscribers that was about a quarter of a fan-out's server
 * CPU. {@link SocketWrites.sendText} writes one buffer per frame — the RFC 6455 header of an
 * unmasked, unfragmented text frame, then the subscription's envelope and the payload's bytes,
 * which all its subscribers share — on the same TCP socket ws writes to (`request.socket` of the
 * upgrade: public API of `http` and `ws`'s `connection` event).
 *
 * This keeps ws's state consistent because, for this server, ws's sender is stateless between
 * messages: it writes each message synchronously, in call order, unless it is compressing
 * (`permessage-deflate`, which {@link attachWebSocket} turns off, so no extension is ever
 * negotiated), reading a `Blob` (graphql-ws sends strings) or in the middle of a fragmented
 * message (nobody here sends `fin: false`). A frame written here therefore lands between ws's own
 * writes exactly where a `send` at the same moment would have. It is written only while ws reports
 * the socket OPEN, as ws's `send` does: once ws has written its close frame it is CLOSING, and
 * nothing may follow a close frame. `bufferedAmount` (ws's, the TCP socket's unsent bytes plus
 * ws's own queue, empty here) counts these frames too.
 *
 * @module
 */
import type { Socket } from 'node:net';
import { WebSocket } from 'ws';

/**
 * Bytes a socket may hold written but not yet handed to the kernel before a send waits for its
 * write again: below it a send is reported done as it is queued.
 */
export const UNAWAITED_WRITE_BYTES = 1 << 20;

/** FIN (the whole message in one frame) and opcode 1 (text). */
const FIN_TEXT = 0x81;

/**
 * One unmasked text frame (RFC 6455, 5.2: servers never mask) whose payload is `head`, `body` and
 * `tail`, which must together be valid UTF-8.
 */
export function textFrame(head: Buffer, body: Buffer, tail: Buffer): Buffer {
  const length = head.length + body.length + tail.length;
  // The payload length: 7 bits, or 126 and 16 bits, or 127 and 64 bits.
  const headerBytes = length < 126 ? 2 : length < 0x10000 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerBytes + length);
  frame[0] = FIN_TEXT;
  if (headerBytes === 2) frame[1] = length;
  else if (headerBytes === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 0x1_0000_0000), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  // TypedArray `set` copies in V8 itself; Buffer's `copy` is a call into C++ per part, three per
  // frame and subscriber of a live event.
  frame.set(head, headerBytes);
  frame.set(body, headerBytes + head.length);
  frame.set(tail, headerBytes + head.length + body.length);
  return frame;
}

/** What a live subscription writes its frames with (live-frames.ts). */
export interface TextFrameWriter {
  /**
   * Writes one text message made of `head`, `body` and `tail` (valid UTF-8 together). Returns a
   * promise to wait for when the socket holds too much unsent (settled once this frame is
   * written), else undefined; writes nothing to a socket that is no longer open.
   */
  sendText(head: Buffer, body: Buffer, tail: Buffer): Promise<void> | undefined;
}

export class SocketWrites implements TextFrameWriter {
  private corked = false;
  private readonly flush = () => {
    this.corked = false;
    this.tcp.uncork();
  };

  /**
   * Takes over `socket.send` (before graphql-ws's listener sees the socket): graphql-ws's own
   * messages go through ws, corked with the turn's other writes and unawaited as above.
   */
  constructor(
    private readonly socket: WebSocket,
    private readonly tcp: Pick<Socket, 'cork' | 'uncork' | 'write'>,
  ) {
    const send = socket.send.bind(socket) as (...args: unknown[]) => void;
    socket.send = ((data: unknown, ...rest: unknown[]) => {
      this.corkForTurn();
      // graphql-ws sends `(data, callback)`; any other form goes through unchanged.
      const [done] = rest;
      if (rest.length === 1 && typeof done === 'function' && socket.bufferedAmount < UNAWAITED_WRITE_BYTES) {
        send(data);
        (done as () => void)();
      } else send(data, ...rest);
    }) as WebSocket['send'];
  }

  sendText(head: Buffer, body: Buffer, tail: Buffer): Promise<void> | undefined {
    // What ws's `send` does after its close frame (or the peer's) has been seen: nothing is written.
    if (this.socket.readyState !== WebSocket.OPEN) return undefined;
    this.corkForTurn();
    const frame = textFrame(head, body, tail);
    if (this.socket.bufferedAmount < UNAWAITED_WRITE_BYTES) {
      this.tcp.write(frame);
      return undefined;
    }
    return new Promise((resolve, reject) =>
      this.tcp.write(frame, (error) => (error ? reject(error) : resolve())),
    );
  }

  private corkForTurn(): void {
    if (this.corked) return;
    this.corked = true;
    this.tcp.cork();
    process.nextTick(this.flush);
  }
}
