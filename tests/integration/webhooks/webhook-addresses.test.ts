import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import { until } from '../../setup/probes.js';
import type { SeededOrganization, SeededUser } from '../../setup/seed.js';
import { Webhook, WebhookDelivery } from '../../../src/modules/webhooks/webhook.entity.js';
import {
  answerDns,
  register,
  REGISTER,
  startReceiver,
  submitDemand,
  WEBHOOK_ENV,
  type Receiver,
} from './helpers.js';

// The hub as deployed: WEBHOOKS_ALLOW_PRIVATE_NETWORKS off. Every refusal below happens before any
// socket opens (registration never connects; a send is refused on the DNS answer); the only
// connections possible go to a loopback receiver.

let t: TestApp;
let worker: SeededUser;
const receivers: Receiver[] = [];
/** The hub's resolver for this file: nothing else resolves. */
const dns = new Map<string, string[]>([
  ['loopback.test', ['127.0.0.1']],
  ['mapped-loopback.test', ['::ffff:127.0.0.1']],
  ['metadata.test', ['169.254.169.254']],
  ['private.test', ['10.0.0.1']],
]);

beforeAll(async () => {
  t = await startTestApp({ ...WEBHOOK_ENV, WEBHOOKS_ALLOW_PRIVATE_NETWORKS: 'false' });
  answerDns(t, dns);
  worker = await t.seed.worker();
});

afterAll(async () => {
  await t?.stop();
  await Promise.all(receivers.map((r) => r.close()));
});

const servingOrg = () => t.seed.organization({ categoryCodes: ['LIFE'], regionCodes: ['370100'] });
const orgId = (o: SeededOrganization) => o.organization.globalId();

async function attempt(org: SeededOrganization, url: string) {
  const { body } = await t.gql(
    REGISTER,
    { input: { organizationId: orgId(org), url, topics: ['DEMAND_PUBLISHED'] } },
    org.token,
  );
  return body;
}

describe('registering with private networks not allowed', () => {
  it('refuses every address form that reaches the hub or its network, before connecting', async () => {
    const org = await servingOrg();
    const hubPort = new URL(t.url).port;
    const urls = [
      'https://127.0.0.1/',
      'https://127.1/',
      'https://2130706433/',
      'https://0x7f000001/',
      'https://0177.0.0.1/',
      'https://0.0.0.0/',
      'https://0/',
      'https://localhost/',
      'https://LOCALHOST./',
      'https://api.localhost/',
      'https://[::1]/',
      'https://[::ffff:127.0.0.1]/',
      'https://[::ffff:7f00:1]/',
      'https://[::]/',
      'https://169.254.169.254/latest/meta-data/',
      'https://100.100.100.200/',
      'https://10.0.0.1/',
      'https://192.168.1.1/',
      'https://172.16.0.1/',
      'https://[fd00::1]/',
      'https://[fe80::1]/',
      'https://[64:ff9b::a9fe:a9fe]/',
      'https://[2002:7f00:1::]/',
      'https://224.0.0.1/',
      'https://255.255.255.255/',
      'https://198.18.0.1/',
      'https://192.0.2.1/',
      // Names that resolve to such addresses.
      'https://loopback.test/',
      'https://mapped-loopback.test/',
      'https://metadata.test/',
      'https://private.test/',
      // The hub itself.
      `https://127.0.0.1:${hubPort}/graphql`,
      `https://localhost:${hubPort}/graphql`,
    ];
    for (const url of urls) {
      const body = await attempt(org, url);
      expect(body.errors?.[0]?.extensions, url).toMatchObject({
        code: 'BAD_USER_INPUT',
        fields: [
          {
            path: 'input.url',
            message: expect.stringContaining('must resolve to a public internet address'),
          },
        ],
      });
    }
    expect(await t.orm.em.fork().count(Webhook, { organization: org.organization.id })).toBe(0);
  });

  it('refuses plain http', async () => {
    const org = await servingOrg();
    const body = await attempt(org, 'http://hooks.example.org/');
    expect(body.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [{ path: 'input.url', message: 'must use https' }],
    });
  });
});

describe('sending with private networks not allowed', () => {
  it('refuses at send time a host whose address changed to loopback since registration', async () => {
    const org = await servingOrg();
    const hook = await startReceiver();
    receivers.push(hook);
    const port = new URL(hook.url).port;
    // At registration the name has a public address (checked, never connected to: registration does
    // not connect, and the answer changes before anything is sent).
    dns.set('rebinding.test', ['93.184.215.14']);
    const { id } = await register(t, org.token, orgId(org), `https://rebinding.test:${port}/hook`);
    dns.set('rebinding.test', ['127.0.0.1']);
    await submitDemand(t, worker.token);
    const endpointId = Number(Buffer.from(id, 'base64url').toString().split(':')[1]);
    let delivery: WebhookDelivery | null = null;
    await until(
      async () =>
        !!(delivery = await t.orm.em.fork().findOne(WebhookDelivery, { endpoint: endpointId }))?.lastError,
      10_000,
      25,
      'the refused attempt recorded',
    );
    expect(delivery).toMatchObject({ lastError: 'address not allowed', lastStatusCode: null });
    // The attempt is recorded after the refusal: had it connected, the receiver would have seen it.
    expect(hook.connections).toBe(0);
    expect(hook.received).toEqual([]);
  });
});
