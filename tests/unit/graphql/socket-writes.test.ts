import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { SocketWrites, UNAWAITED_WRITE_BYTES, textFrame } from '../../../src/core/graphql/socket-writes.js';

/**
 * A loopback ws server whose connections write through {@link SocketWrites}, and a ws client: the
 * client's receiver checks every frame (lengths, opcode, reserved bits, UTF-8) and fails the
 * connection with 1002 or 1007 on anything wrong.
 */
async function connectedPair() {
  const http: Server = createServer();
  const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
  /** The frames SocketWrites wrote on the TCP socket itself. */
  const framesWritten: Buffer[] = [];
  const accepted = new Promise<{ socket: WebSocket; writes: SocketWrites }>((resolve) =>
    wss.on('connection', (socket, request) => {
      const tcp = request.socket;
      const recorded = {
        cork: () => tcp.cork(),
        uncork: () => tcp.uncork(),
        write: ((frame: Buffer, ...rest: never[]) => {
          framesWritten.push(frame);
          return tcp.write(frame, ...rest);
        }) as typeof tcp.write,
      };
      resolve({ socket, writes: new SocketWrites(socket, recorded) });
    }),
  );
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  // The client offers compression: the server must not take it (sendText writes uncompressed frames).
  const client = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: true });
  const received: string[] = [];
  const arrivals: (() => void)[] = [];
  client.on('message', (data: Buffer, isBinary: boolean) => {
    expect(isBinary).toBe(false);
    received.push(data.toString());
    for (const arrival of arrivals.splice(0)) arrival();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    client.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise<void>((resolve, reject) => {
    client.once('open', () => resolve());
    client.once('error', reject);
  });
  const server = await accepted;
  const receivedCount = async (count: number) => {
    while (received.length < count) await new Promise<void>((resolve) => arrivals.push(resolve));
    return received;
  };
  cleanups.push(async () => {
    client.terminate();
    for (const socket of wss.clients) socket.terminate();
    await new Promise((resolve) => wss.close(resolve));
    await new Promise((resolve) => http.close(resolve));
  });
  return { client, received, receivedCount, closed, framesWritten, ...server };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const bytes = (text: string) => Buffer.from(text);

describe('textFrame', () => {
  it('uses the 7-bit, 16-bit and 64-bit payload lengths of RFC 6455 at their boundaries', () => {
    for (const [length, header] of [
      [0, 2],
      [125, 2],
      [126, 4],
      [0xffff, 4],
      [0x10000, 10],
    ] as const) {
      const frame = textFrame(bytes(''), Buffer.alloc(length, 0x61), bytes(''));
      expect(frame.length).toBe(header + length);
      expect(frame[0]).toBe(0x81);
      if (header === 2) expect(frame[1]).toBe(length);
      if (header === 4) expect([frame[1], frame.readUInt16BE(2)]).toEqual([126, length]);
      if (header === 10) expect([frame[1], frame.readBigUInt64BE(2)]).toEqual([127, BigInt(length)]);
    }
  });
});

describe('SocketWrites', () => {
  it('negotiates no extension, and a client reads its frames of every length as the exact messages', async () => {
    const { client, writes, receivedCount } = await connectedPair();
    expect(client.extensions).toBe('');
    const texts = [0, 1, 124, 125, 126, 0xffff - 2, 0xffff, 0x10000, 200_000].map(
      // Multi-byte UTF-8 too: the header counts bytes, not characters.
      (length, i) => `${i}:` + '济'.repeat(Math.floor(length / 3)) + 'a'.repeat(length % 3),
    );
    for (const text of texts) writes.sendText(bytes('{"t":"'), bytes(text), bytes('"}'));
    const received = await receivedCount(texts.length);
    expect(received).toEqual(texts.map((text) => `{"t":"${text}"}`));
  });

  it('keeps its frames and ws’s own sends in the order they were made', async () => {
    const { socket, writes, receivedCount } = await connectedPair();
    writes.sendText(bytes('a'), bytes('1'), bytes(''));
    socket.send('b');
    writes.sendText(bytes('c'), bytes('2'), bytes(''));
    socket.send('d', () => {});
    writes.sendText(bytes('e'), bytes('3'), bytes(''));
    expect(await receivedCount(5)).toEqual(['a1', 'b', 'c2', 'd', 'e3']);
  });

  it('writes nothing after ws’s close frame, so the client sees a clean close', async () => {
    const { socket, writes, received, receivedCount, closed, framesWritten } = await connectedPair();
    writes.sendText(bytes('before'), bytes(''), bytes(''));
    socket.close(4403, 'Forbidden');
    expect(writes.sendText(bytes('after'), bytes(''), bytes(''))).toBeUndefined();
    // RFC 6455, 5.5.1: nothing may follow a close frame on the wire.
    expect(framesWritten.map((frame) => frame.subarray(2).toString())).toEqual(['before']);
    expect(await closed).toEqual({ code: 4403, reason: 'Forbidden' });
    expect(await receivedCount(1)).toEqual(['before']);
    expect(received).toHaveLength(1);
  });

  it('makes a sender wait once the socket holds too much unsent, until the reader catches up', async () => {
    const { client, socket, writes, receivedCount } = await connectedPair();
    client.pause();
    const chunk = Buffer.alloc(64 * 1024, 0x62);
    let waited: Promise<void> | undefined;
    let frames = 0;
    // The kernel's buffers take some; then the socket holds it unsent.
    while (!waited && frames < 10_000) {
      waited = writes.sendText(bytes(''), chunk, bytes(''));
      frames += 1;
    }
    expect(waited).toBeInstanceOf(Promise);
    expect(socket.bufferedAmount).toBeGreaterThanOrEqual(UNAWAITED_WRITE_BYTES);
    client.resume();
    await waited;
    expect(await receivedCount(frames)).toHaveLength(frames);
  });
});
