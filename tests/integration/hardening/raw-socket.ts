import { WebSocket } from 'ws';

/** graphql-ws's subprotocol name. */
export const GRAPHQL_TRANSPORT_WS = 'graphql-transport-ws';

/** A graphql-ws message as the server sends it. */
export interface WsMessage {
  type: string;
  id?: string;
  payload?: unknown;
}

/** A bare WebSocket speaking graphql-transport-ws by hand, to send what a well-behaved client never would. */
export interface RawSocket {
  socket: WebSocket;
  opened: Promise<void>;
  /** Resolves with the close code and reason, and how long after opening the close came. */
  closed: Promise<{ code: number; reason: string; afterMs: number }>;
  messages: WsMessage[];
  send(message: unknown): void;
  /** Sends `connection_init` and waits for `connection_ack`. */
  init(token?: string): Promise<void>;
  /** Resolves with the first message (already received or to come) that `match` accepts. */
  waitFor(match: (m: WsMessage) => boolean, ms?: number): Promise<WsMessage>;
}

/** Opens a raw socket on `url`. */
export function openRaw(url: string): RawSocket {
  const socket = new WebSocket(url, GRAPHQL_TRANSPORT_WS);
  const started = Date.now();
  const messages: WsMessage[] = [];
  const listeners = new Set<() => void>();
  socket.on('message', (data: Buffer) => {
    messages.push(JSON.parse(data.toString()) as WsMessage);
    for (const listener of listeners) listener();
  });
  socket.on('error', () => {}); // a refused socket reports through `closed`
  const opened = new Promise<void>((resolve) => socket.once('open', () => resolve()));
  const closed = new Promise<{ code: number; reason: string; afterMs: number }>((resolve) =>
    socket.once('close', (code, reason) =>
      resolve({ code, reason: reason.toString(), afterMs: Date.now() - started }),
    ),
  );
  const raw: RawSocket = {
    socket,
    opened,
    closed,
    messages,
    send(message) {
      socket.send(typeof message === 'string' ? message : JSON.stringify(message));
    },
    async init(token) {
      await opened;
      raw.send({ type: 'connection_init', payload: token ? { authorization: `Bearer ${token}` } : {} });
      await raw.waitFor((m) => m.type === 'connection_ack');
    },
    waitFor(match, ms = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.find(match);
          if (!found) return;
          clearTimeout(timer);
          listeners.delete(check);
          resolve(found);
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no matching message within ${ms} ms; got ${JSON.stringify(messages)}`));
        }, ms);
        listeners.add(check);
        check();
      });
    },
  };
  return raw;
}
