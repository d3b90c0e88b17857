import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../setup/test-app.js';

// Regression: webhook management answered FORBIDDEN for a pending organization the caller cannot
// see and NOT_FOUND for a made-up id, so outsiders could probe which organizations exist.
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

const REGISTER = `mutation($input: RegisterWebhookInput!) { registerWebhook(input: $input) { webhook { id } } }`;

describe('webhooks of an organization the caller cannot see', () => {
  it('answer NOT_FOUND to outsiders, as for an id that does not exist, and work for its own admin', async () => {
    const pending = await t.seed.organization({ verified: false });
    const other = await t.seed.organization({ verified: true });
    const input = {
      organizationId: pending.organization.globalId(),
      url: 'https://hooks.example.cn/niudai',
      topics: ['DEMAND_PUBLISHED'],
    };
    const byOutsider = await t.gql(REGISTER, { input }, other.token);
    expect(byOutsider.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const byOwner = await t.gql(REGISTER, { input }, pending.token);
    expect(byOwner.body.errors).toBeUndefined();
  });
});
