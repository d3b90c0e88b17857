import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../setup/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) { token expiresAt viewer { id displayName email roles } } }`;
const SIGN_IN = `mutation($input: SignInInput!) { signIn(input: $input) { token viewer { id email } } }`;
const VIEWER = `{ viewer { id displayName email roles } }`;

describe('accounts', () => {
  it('signs a worker up, signs them in, and shows them as the viewer', async () => {
    const up = await t.data<{ signUp: { token: string; viewer: { email: string; roles: string[] } } }>(
      SIGN_UP,
      {
        input: { email: 'Li.Hua@example.cn', password: 'secret-password', displayName: '李华' },
      },
    );
    expect(up.signUp.viewer).toMatchObject({ email: 'li.hua@example.cn', roles: ['WORKER'] });
    const inRes = await t.data<{ signIn: { token: string } }>(SIGN_IN, {
      input: { login: 'li.hua@example.cn', password: 'secret-password' },
    });
    const me = await t.data<{ viewer: { displayName: string } }>(VIEWER, {}, inRes.signIn.token);
    expect(me.viewer.displayName).toBe('李华');
  });
});
