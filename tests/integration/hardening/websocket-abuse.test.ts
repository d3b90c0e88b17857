import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { startTestApp, wsRequest, type TestApp } from '../../setup/test-app.js';
import { openRaw, type RawSocket } from './raw-socket.js';
import { subscriptionsReach, until } from '../../setup/probes.js';

const INIT_TIMEOUT_MS = 300;
const MAX_OPERATIONS = 3;
const MAX_SOCKETS = 2;
const FEED = `subscription { demandPublished { cursor } }`;

let t: TestApp;
const sockets: RawSocket[] = [];
beforeAll(async () => {
  t = await startTestApp({
    WS_CONNECTION_INIT_TIMEOUT_MS: String(INIT_TIMEOUT_MS),
    WS_MAX_OPERATIONS_PER_SOCKET: String(MAX_OPERATIONS),
    WS_MAX_SOCKETS_PER_USER: String(MAX_SOCKETS),
  });
});
afterAll(async () => {
  for (const s of sockets) s.socket.terminate();
  await t.stop();
});

function raw(): RawSocket {
  const socket = openRaw(t.wsUrl);
  sockets.push(socket);
  return socket;
}

/** Opens a socket and sends connection_init: true when acknowledged, false when closed instead. */
async function accepted(token: string): Promise<boolean> {
  const socket = raw();
  await socket.opened;
  socket.send({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } });
  return Promise.race([
    socket.waitFor((m) => m.type === 'connection_ack').then(() => true),
    socket.closed.then(() => false),
  ]);
}

/** The server still answers over HTTP: nothing above crashed it. */
async function serverIsUp(): Promise<void> {
  const { region } = await t.data<{ region: { code: string } }>(`{ region(code: "370100") { code } }`);
  expect(region.code).toBe('370100');
}

describe('protocol abuse', () => {
  it('closes a socket that never sends connection_init with 4408 once the configured time has passed', async () => {
    const socket = raw();
    await socket.opened;
    const { code, afterMs } = await socket.closed;
    expect(code).toBe(4408);
    // Not before the configured time (measured from before the socket opened; the slack is for
    // timer rounding). No upper bound: a busy machine may close it late.
    expect(afterMs).toBeGreaterThanOrEqual(INIT_TIMEOUT_MS - 50);
  });

  it('closes a socket that sends garbage with 4400', async () => {
    const before = raw();
    await before.opened;
    before.send('this is not json {');
    expect((await before.closed).code).toBe(4400);

    const after = raw();
    await after.init();
    after.send({ type: 'subscribe', id: 'x' }); // no payload
    expect((await after.closed).code).toBe(4400);
    await serverIsUp();
  });

  it('closes a socket that reuses a running operation id with 4409', async () => {
    const { token } = await t.seed.organization();
    const socket = raw();
    await socket.init(token);
    socket.send({ type: 'subscribe', id: 'same', payload: { query: FEED } });
    socket.send({ type: 'subscribe', id: 'same', payload: { query: FEED } });
    expect((await socket.closed).code).toBe(4409);
    await serverIsUp();
  });

  it('refuses a message over the size limit with 1009 (ws maxPayload)', async () => {
    const socket = raw();
    await socket.init();
    socket.send({
      type: 'subscribe',
      id: 'big',
      payload: {
        query: '{ viewer { id } }',
        variables: { padding: 'x'.repeat(t.config.limits.maxBodyBytes + 10) },
      },
    });
    expect((await socket.closed).code).toBe(1009);
    await serverIsUp();
  });
});

describe('caps', () => {
  it('fails the operation over the per-socket cap with RATE_LIMITED, and the socket goes on', async () => {
    const { token } = await t.seed.organization();
    const client = t.ws({ token });
    const stops: (() => void)[] = [];
    const before = t.app.services.events.index.size;
    for (let i = 0; i < MAX_OPERATIONS; i++)
      stops.push(client.subscribe({ query: FEED }, { next: () => {}, error: () => {}, complete: () => {} }));
    await subscriptionsReach(t, before + MAX_OPERATIONS);
    const refused = await wsRequest(client, FEED);
    expect(refused.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(refused.errors?.[0]?.message).toContain(String(MAX_OPERATIONS));
    // Completing one frees a place.
    stops[0]?.();
    // graphql-ws forgets the operation before the feed leaves the match index.
    await subscriptionsReach(t, before + MAX_OPERATIONS - 1);
    const viewer = await wsRequest<{ viewer: { id: string } }>(client, '{ viewer { id } }');
    expect(viewer.data?.viewer.id).toBeTruthy();
    for (const stop of stops) stop();
  });

  it('closes a user’s socket beyond the per-user cap with 4429; closing one makes room', async () => {
    const worker = await t.seed.worker();
    const open: RawSocket[] = [];
    for (let i = 0; i < MAX_SOCKETS; i++) {
      const socket = raw();
      await socket.init(worker.token);
      open.push(socket);
    }
    const extra = raw();
    await extra.opened;
    extra.send({ type: 'connection_init', payload: { authorization: `Bearer ${worker.token}` } });
    expect((await extra.closed).code).toBe(4429);
    // Other users and anonymous sockets are not affected.
    const other = await t.seed.worker();
    const otherSocket = raw();
    await otherSocket.init(other.token);

    open[0]?.socket.close(1000);
    await open[0]?.closed;
    // Room is made once the hub has handled that close: a new socket is accepted from then on.
    await until(() => accepted(worker.token), 5_000, 20, 'a socket accepted after one closed');
    await serverIsUp();
  });
});

describe('token expiry', () => {
  it('closes a socket with 4401 when its token expires', async () => {
    const worker = await t.seed.worker();
    const now = Math.floor(Date.now() / 1000);
    const shortLived = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(String(worker.user.id))
      .setIssuer('niudai')
      .setAudience('niudai-api')
      .setIssuedAt(now)
      .setExpirationTime(now + 2)
      .sign(new TextEncoder().encode(t.config.jwtSecret));
    const socket = raw();
    await socket.init(shortLived);
    socket.send({ type: 'subscribe', id: 'v', payload: { query: '{ viewer { id } }' } });
    await socket.waitFor((m) => m.type === 'next' && m.id === 'v');
    const { code } = await socket.closed;
    expect(code).toBe(4401);
  });
});
