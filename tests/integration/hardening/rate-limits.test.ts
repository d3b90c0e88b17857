import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { spawnServer, type ServerProcess } from '../../setup/server-process-client.js';
import { startTestApp, wsRequest, type TestApp } from '../../setup/test-app.js';
import { codes, gqlAt, rowCounts } from './helpers.js';

const SIGN_IN = `mutation SignIn($input: SignInInput!) { signIn(input: $input) { token } }`;
const SIGN_UP = `mutation SignUp($input: SignUpInput!) { signUp(input: $input) { token } }`;
/** The cheapest mutation there is: it spends a point of the budget and touches nothing. */
const PING = `mutation { __typename }`;

/** Small budgets for this file only: every other test file runs with the limiters off. */
const ENV = {
  RATE_SIGNIN_ACCOUNT_POINTS: '3',
  RATE_SIGNIN_ADDRESS_POINTS: '8',
  RATE_MUTATIONS_POINTS: '5',
  RATE_SIGNUP_ADDRESS_POINTS: '3',
};

let t: TestApp;
let other: ServerProcess | undefined;
beforeAll(async () => {
  t = await startTestApp(ENV);
});
afterAll(async () => {
  await other?.kill();
  await t.stop();
});
// Every test starts with full budgets (they are all spent from 127.0.0.1).
beforeEach(async () => {
  await t.orm.em.getConnection().execute('delete from rate_limit');
});

const signIn = (login: string, password: string, url = t.httpUrl) =>
  gqlAt(url, SIGN_IN, { input: { login, password } });

describe('signIn brute force', () => {
  it('locks a login after its budget of failures, even against the right password, with retryAfterSeconds', async () => {
    const victim = await t.seed.worker();
    const login = victim.user.email ?? '';
    for (let i = 0; i < 3; i++)
      expect(codes((await signIn(login, 'wrong password')).json)).toEqual(['UNAUTHENTICATED']);
    const locked = await signIn(login, victim.password);
    expect(codes(locked.json)).toEqual(['RATE_LIMITED']);
    const retry = locked.json.errors?.[0]?.extensions?.retryAfterSeconds;
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(15 * 60);
    // The login is counted case-insensitively: changing the case does not open a new budget.
    expect(codes((await signIn(login.toUpperCase(), victim.password)).json)).toEqual(['RATE_LIMITED']);
    // Another account from the same address is not locked by it.
    const bystander = await t.seed.worker();
    expect((await signIn(bystander.user.email ?? '', bystander.password)).json.data).toBeTruthy();
  });

  it('counts failures only: a successful sign-in clears the login count', async () => {
    const worker = await t.seed.worker();
    const login = worker.user.email ?? '';
    await signIn(login, 'wrong 1');
    await signIn(login, 'wrong 2');
    expect((await signIn(login, worker.password)).json.data).toBeTruthy();
    for (let i = 0; i < 3; i++)
      expect(codes((await signIn(login, `wrong ${i}`)).json)).toEqual(['UNAUTHENTICATED']);
    expect(codes((await signIn(login, worker.password)).json)).toEqual(['RATE_LIMITED']);
  });

  it('locks an address that guesses across many logins', async () => {
    for (let i = 0; i < 8; i++)
      expect(codes((await signIn(`nobody${i}@example.test`, 'guess')).json)).toEqual(['UNAUTHENTICATED']);
    const worker = await t.seed.worker();
    expect(codes((await signIn(worker.user.email ?? '', worker.password)).json)).toEqual(['RATE_LIMITED']);
  });

  it('is not beaten by parallel guesses: the budget is spent atomically', async () => {
    const worker = await t.seed.worker();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => signIn(worker.user.email ?? '', `parallel ${i}`)),
    );
    const all = results.flatMap((r) => codes(r.json));
    expect(all.filter((c) => c === 'UNAUTHENTICATED')).toHaveLength(3);
    expect(all.filter((c) => c === 'RATE_LIMITED')).toHaveLength(7);
  });
});

describe('signUp per address', () => {
  it('refuses sign-ups from one address beyond its budget, registered or not, and writes nothing', async () => {
    const taken = await t.seed.worker();
    const signUp = (email: string) =>
      gqlAt(t.httpUrl, SIGN_UP, { input: { email, password: 'long enough password', displayName: '新人' } });
    expect((await signUp(`new-${Date.now()}@example.test`)).json.errors).toBeUndefined();
    // Asking whether an address is registered spends the budget too.
    expect(codes((await signUp(taken.user.email!)).json)).toEqual(['CONFLICT']);
    expect(codes((await signUp(taken.user.email!)).json)).toEqual(['CONFLICT']);
    const before = await rowCounts(t, ['app_user']);
    const refused = await signUp(taken.user.email!);
    expect(codes(refused.json)).toEqual(['RATE_LIMITED']);
    expect(refused.json.errors?.[0]?.extensions?.retryAfterSeconds).toBeGreaterThan(0);
    expect(codes((await signUp(`fresh-${Date.now()}@example.test`)).json)).toEqual(['RATE_LIMITED']);
    expect(await rowCounts(t, ['app_user'])).toEqual(before);
  });
});

describe('mutations per user', () => {
  it('answers the mutation over budget with HTTP 429, Retry-After and RATE_LIMITED; queries and other users go on', async () => {
    const worker = await t.seed.worker();
    for (let i = 0; i < 5; i++) expect((await gqlAt(t.httpUrl, PING, {}, worker.token)).status).toBe(200);
    const refused = await gqlAt(t.httpUrl, PING, {}, worker.token);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(codes(refused.json)).toEqual(['RATE_LIMITED']);
    expect(refused.json.errors?.[0]?.extensions?.retryAfterSeconds).toBeGreaterThan(0);
    expect(refused.json.errors?.[0]?.extensions).not.toHaveProperty('http');
    // Queries are not mutations.
    expect((await gqlAt(t.httpUrl, '{ viewer { id } }', {}, worker.token)).json.data).toBeTruthy();
    const someoneElse = await t.seed.worker();
    expect((await gqlAt(t.httpUrl, PING, {}, someoneElse.token)).status).toBe(200);
  });

  it('refuses an anonymous caller per address before the mutation runs: nothing is written', async () => {
    for (let i = 0; i < 5; i++) await gqlAt(t.httpUrl, PING);
    const before = await rowCounts(t, ['app_user']);
    const refused = await gqlAt(t.httpUrl, SIGN_UP, {
      input: {
        email: `late-${Date.now()}@example.test`,
        password: 'long enough password',
        displayName: '迟到者',
      },
    });
    expect(codes(refused.json)).toEqual(['RATE_LIMITED']);
    expect(await rowCounts(t, ['app_user'])).toEqual(before);
  });

  it('shares the budget between HTTP and WebSocket, and reconnecting does not refill it', async () => {
    const worker = await t.seed.worker();
    for (let i = 0; i < 4; i++) await gqlAt(t.httpUrl, PING, {}, worker.token);
    const first = t.ws({ token: worker.token });
    expect((await wsRequest(first, PING)).data).toEqual({ __typename: 'Mutation' });
    expect(codes(await wsRequest(first, PING))).toEqual(['RATE_LIMITED']);
    // The refusal is per operation: the socket still answers queries.
    expect((await wsRequest(first, '{ viewer { id } }')).data).toBeTruthy();
    await first.dispose();
    const second = t.ws({ token: worker.token });
    expect(codes(await wsRequest(second, PING))).toEqual(['RATE_LIMITED']);
  });
});

describe('across processes', () => {
  it('keeps the counts in PostgreSQL: another server process refuses what this one spent', async () => {
    other = await spawnServer(t.config.databaseUrl ?? '', { ...ENV, JWT_SECRET: t.config.jwtSecret });
    const otherUrl = `${other.url}/graphql`;
    const worker = await t.seed.worker();
    const login = worker.user.email ?? '';
    for (let i = 0; i < 3; i++) await signIn(login, 'wrong password');
    expect(codes((await signIn(login, worker.password, otherUrl)).json)).toEqual(['RATE_LIMITED']);

    for (let i = 0; i < 5; i++) await gqlAt(otherUrl, PING, {}, worker.token);
    expect((await gqlAt(t.httpUrl, PING, {}, worker.token)).status).toBe(429);
  });
});
