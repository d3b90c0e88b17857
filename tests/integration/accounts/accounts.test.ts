import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { Role } from '../../../src/core/roles.js';
import { toGlobalId } from '../../../src/core/relay/global-id.js';
import { AccountStatus, User } from '../../../src/modules/accounts/user.entity.js';
import { startTestApp, wsRequest, type TestApp } from '../../setup/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

const SIGN_UP = `mutation SignUp($input: SignUpInput!) { signUp(input: $input) { token expiresAt viewer { id displayName email roles } } }`;
const SIGN_IN = `mutation SignIn($input: SignInInput!) { signIn(input: $input) { token viewer { id email } } }`;
const VIEWER = `query Viewer { viewer { id displayName email roles } }`;
const CREATE_STAFF = `mutation CreateStaff($input: CreateStaffAccountInput!) {
  createStaffAccount(input: $input) { user { id roles regionScope { code } } }
}`;

let serial = 0;
/** A unique email per call: tests share one database. */
const email = () => `person${++serial}-${Date.now()}@example.cn`;

/** Signs a token the way the hub does, with any claims and key: for expired and forged tokens. */
function signToken(secret: string, userId: number, expiresAt: number): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(String(userId))
    .setIssuer('niudai')
    .setAudience('niudai-api')
    .setIssuedAt(expiresAt - 3600)
    .setExpirationTime(expiresAt)
    .sign(new TextEncoder().encode(secret));
}

/** An unsigned token (`alg: none`) claiming to be `userId`, built by hand: jose refuses to make one. */
function unsignedToken(userId: number): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ sub: String(userId), iss: 'niudai', aud: 'niudai-api', iat: now, exp: now + 3600 })}.`;
}

describe('sign-up, sign-in and viewer', () => {
  it('signs a worker up, signs them in, and shows them as the viewer', async () => {
    const up = await t.data<{ signUp: { token: string; viewer: { email: string; roles: string[] } } }>(
      SIGN_UP,
      { input: { email: 'Li.Hua@example.cn', password: 'secret-password', displayName: '李华' } },
    );
    expect(up.signUp.viewer).toMatchObject({ email: 'li.hua@example.cn', roles: ['WORKER'] });
    const inRes = await t.data<{ signIn: { token: string } }>(SIGN_IN, {
      input: { login: 'li.hua@example.cn', password: 'secret-password' },
    });
    const me = await t.data<{ viewer: { displayName: string } }>(VIEWER, {}, inRes.signIn.token);
    expect(me.viewer.displayName).toBe('李华');
  });

  it('signs a worker up with a mobile number and in with it', async () => {
    await t.data(SIGN_UP, {
      input: { mobile: '13800138000', password: 'secret-password', displayName: '王芳' },
    });
    const res = await t.data<{ signIn: { token: string } }>(SIGN_IN, {
      input: { login: '13800138000', password: 'secret-password' },
    });
    expect(res.signIn.token).toMatch(/^ey/);
  });

  it('shows an anonymous caller a null viewer', async () => {
    expect(await t.data(VIEWER)).toEqual({ viewer: null });
  });

  it('gives the same error for a wrong password and an unknown login', async () => {
    const address = email();
    await t.data(SIGN_UP, { input: { email: address, password: 'secret-password', displayName: '张伟' } });
    const wrong = await t.gql(SIGN_IN, { input: { login: address, password: 'not-the-password' } });
    const unknown = await t.gql(SIGN_IN, { input: { login: email(), password: 'not-the-password' } });
    expect(wrong.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(unknown.body.errors?.[0]).toEqual(wrong.body.errors?.[0]);
    expect(wrong.body.data).toBeNull();
  });

  it('refuses a second account with the same email as CONFLICT', async () => {
    const address = email();
    await t.data(SIGN_UP, { input: { email: address, password: 'secret-password', displayName: '甲' } });
    const again = await t.gql(SIGN_UP, {
      input: { email: address.toUpperCase(), password: 'secret-password', displayName: '乙' },
    });
    expect(again.body.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  });

  it('names every bad field of a sign-up', async () => {
    const res = await t.gql(SIGN_UP, {
      input: { email: 'not-an-email', mobile: '12345', password: 'short', displayName: '丙' },
    });
    const error = res.body.errors?.[0];
    expect(error?.extensions?.code).toBe('BAD_USER_INPUT');
    const paths = (error?.extensions?.fields as { path: string }[]).map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['input.email', 'input.mobile', 'input.password']));
    const count = await t.orm.em.fork().count(User, { displayName: '丙' });
    expect(count).toBe(0);
  });

  it('asks for an email or a mobile number', async () => {
    const res = await t.gql(SIGN_UP, { input: { password: 'secret-password', displayName: '丁' } });
    expect(res.body.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [{ path: 'input.email' }, { path: 'input.mobile' }],
    });
  });
});

describe('tokens that must be refused', () => {
  let worker: Awaited<ReturnType<TestApp['seed']['worker']>>;
  beforeAll(async () => {
    worker = await t.seed.worker();
  });

  const badTokens = async (): Promise<[string, string][]> => {
    const now = Math.floor(Date.now() / 1000);
    return [
      ['expired', await signToken(t.config.jwtSecret, worker.user.id, now - 60)],
      ['forged', await signToken('a-different-secret-of-at-least-32-characters', worker.user.id, now + 3600)],
      ['alg none', unsignedToken(worker.user.id)],
      ['garbage', 'not.a.token'],
    ];
  };

  it('accepts the good token on both transports', async () => {
    expect((await t.data<{ viewer: { id: string } }>(VIEWER, {}, worker.token)).viewer).not.toBeNull();
    const res = await wsRequest(t.ws({ token: worker.token }), VIEWER);
    expect(res.data).toMatchObject({ viewer: { displayName: worker.user.displayName } });
  });

  it('answers expired, forged and alg:none tokens over HTTP with 401 UNAUTHENTICATED', async () => {
    for (const [kind, token] of await badTokens()) {
      const res = await t.gql(VIEWER, {}, token);
      expect(res.status, kind).toBe(401);
      expect(res.body.errors?.[0]?.extensions?.code, kind).toBe('UNAUTHENTICATED');
      expect(res.body.data ?? null, kind).toBeNull();
    }
  });

  it('closes a graphql-ws connection with 4403 for expired, forged and alg:none tokens', async () => {
    for (const [kind, token] of await badTokens()) {
      await expect(wsRequest(t.ws({ token }), VIEWER), kind).rejects.toMatchObject({ code: 4403 });
    }
  });

  it('refuses the token of a suspended account on HTTP and at WebSocket connect', async () => {
    const suspended = await t.seed.worker();
    const em = t.orm.em.fork();
    await em.nativeUpdate(User, { id: suspended.user.id }, { status: AccountStatus.SUSPENDED });
    const res = await t.gql(VIEWER, {}, suspended.token);
    expect(res.status).toBe(401);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    await expect(wsRequest(t.ws({ token: suspended.token }), VIEWER)).rejects.toMatchObject({ code: 4403 });
    const signIn = await t.gql(SIGN_IN, {
      input: { login: suspended.user.email, password: suspended.password },
    });
    expect(signIn.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('lets an admin suspend and reinstate an account, with a reason, but not her own', async () => {
    const admin = await t.seed.admin();
    const worker = await t.seed.worker();
    const SET = `mutation($input: SetAccountStatusInput!) { setAccountStatus(input: $input) { user { id status } } }`;
    const set = (userId: number, status: string, reason: string, token = admin.token) =>
      t.gql<{ setAccountStatus: { user: { status: string } } }>(
        SET,
        { input: { userId: toGlobalId('User', userId), status, reason } },
        token,
      );
    expect((await set(worker.user.id, 'SUSPENDED', '   ')).body.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [expect.objectContaining({ path: 'input.reason' })],
    });
    expect((await set(admin.user.id, 'SUSPENDED', '测试自己')).body.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [expect.objectContaining({ path: 'input.userId' })],
    });
    expect(
      (await set(worker.user.id, 'SUSPENDED', '冒用', worker.token)).body.errors?.[0]?.extensions?.code,
    ).toBe('FORBIDDEN');
    expect(
      (await set(worker.user.id, 'SUSPENDED', '冒用他人身份')).body.data?.setAccountStatus.user.status,
    ).toBe('SUSPENDED');
    expect((await t.gql(VIEWER, {}, worker.token)).body.errors?.[0]?.extensions?.code).toBe(
      'UNAUTHENTICATED',
    );
    expect((await set(worker.user.id, 'ACTIVE', '核实无误')).body.data?.setAccountStatus.user.status).toBe(
      'ACTIVE',
    );
    expect((await t.data<{ viewer: { id: string } }>(VIEWER, {}, worker.token)).viewer.id).toBe(
      toGlobalId('User', worker.user.id),
    );
  });

  it('refuses a malformed Authorization header with 401', async () => {
    const res = await fetch(t.httpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Basic abc' },
      body: JSON.stringify({ query: VIEWER }),
    });
    expect(res.status).toBe(401);
  });
});

describe('createStaffAccount', () => {
  const staffInput = (role: Role, regionScopeCode?: string) => ({
    input: { email: email(), password: 'secret-password', displayName: '工作人员', role, regionScopeCode },
  });
  const code = (res: Awaited<ReturnType<TestApp['gql']>>) => res.body.errors?.[0]?.extensions?.code;

  it('lets an admin create staff of any kind anywhere, admins included', async () => {
    const admin = await t.seed.admin();
    const union = await t.data<{
      createStaffAccount: { user: { roles: string[]; regionScope: { code: string } } };
    }>(CREATE_STAFF, staffInput(Role.UNION_STAFF, '370200'), admin.token);
    expect(union.createStaffAccount.user).toMatchObject({
      roles: ['UNION_STAFF'],
      regionScope: { code: '370200' },
    });
    const another = await t.data<{ createStaffAccount: { user: { roles: string[] } } }>(
      CREATE_STAFF,
      staffInput(Role.ADMIN),
      admin.token,
    );
    expect(another.createStaffAccount.user.roles).toEqual(['ADMIN']);
  });

  it('lets union staff create staff inside their region scope', async () => {
    const jinan = await t.seed.unionStaff('370100');
    const res = await t.data<{ createStaffAccount: { user: { regionScope: { code: string } } } }>(
      CREATE_STAFF,
      staffInput(Role.GOV_STAFF, '370102'),
      jinan.token,
    );
    expect(res.createStaffAccount.user.regionScope.code).toBe('370102');
    await t.data(CREATE_STAFF, staffInput(Role.UNION_STAFF, '370100'), jinan.token);
  });

  it('refuses union staff outside their scope, and creating admins, as FORBIDDEN', async () => {
    const jinan = await t.seed.unionStaff('370100');
    expect(code(await t.gql(CREATE_STAFF, staffInput(Role.UNION_STAFF, '370200'), jinan.token))).toBe(
      'FORBIDDEN',
    );
    expect(code(await t.gql(CREATE_STAFF, staffInput(Role.GOV_STAFF, '370000'), jinan.token))).toBe(
      'FORBIDDEN',
    );
    expect(code(await t.gql(CREATE_STAFF, staffInput(Role.ENTERPRISE_STAFF), jinan.token))).toBe('FORBIDDEN');
    expect(code(await t.gql(CREATE_STAFF, staffInput(Role.ADMIN), jinan.token))).toBe('FORBIDDEN');
  });

  it('refuses workers as FORBIDDEN and anonymous callers as UNAUTHENTICATED', async () => {
    const worker = await t.seed.worker();
    expect(code(await t.gql(CREATE_STAFF, staffInput(Role.GOV_STAFF, '370100'), worker.token))).toBe(
      'FORBIDDEN',
    );
    expect(code(await t.gql(CREATE_STAFF, staffInput(Role.GOV_STAFF, '370100')))).toBe('UNAUTHENTICATED');
  });

  it('refuses a staff role that is not one, an unknown region and a missing scope as BAD_USER_INPUT', async () => {
    const admin = await t.seed.admin();
    const worker = await t.gql(CREATE_STAFF, staffInput(Role.WORKER), admin.token);
    expect(worker.body.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [{ path: 'input.role' }],
    });
    const unknown = await t.gql(CREATE_STAFF, staffInput(Role.GOV_STAFF, '999999'), admin.token);
    expect(unknown.body.errors?.[0]?.extensions).toMatchObject({
      fields: [{ path: 'input.regionScopeCode' }],
    });
    const missing = await t.gql(CREATE_STAFF, staffInput(Role.UNION_STAFF), admin.token);
    expect(missing.body.errors?.[0]?.extensions).toMatchObject({
      fields: [{ path: 'input.regionScopeCode' }],
    });
  });
});
