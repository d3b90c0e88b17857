import type { AddressInfo } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import { until } from '../../setup/probes.js';
import type { SeededOrganization, SeededUser } from '../../setup/seed.js';
import { HubEvent } from '../../../src/core/events/event.entity.js';
import { AuditEntry } from '../../../src/modules/audit/audit-entry.entity.js';
import { MemberRole } from '../../../src/modules/organizations/organization.enums.js';
import {
  Webhook,
  WebhookDelivery,
  WebhookDeliveryAttempt,
} from '../../../src/modules/webhooks/webhook.entity.js';
import { DeliveryStatus } from '../../../src/modules/webhooks/webhook.enums.js';
import { verifyWebhook } from '../../../src/modules/webhooks/webhook-signature.js';
import {
  answerDns,
  register,
  REGISTER,
  startReceiver,
  submitDemand,
  WEBHOOK_ENV,
  type Receiver,
} from './helpers.js';

let t: TestApp;
let worker: SeededUser;
const receivers: Receiver[] = [];

async function receiver(): Promise<Receiver> {
  const r = await startReceiver();
  receivers.push(r);
  return r;
}

/** A verified organization serving LIFE in Jinan: the demands below concern it. */
const servingOrg = () => t.seed.organization({ categoryCodes: ['LIFE'], regionCodes: ['370100'] });
const orgId = (o: SeededOrganization) => o.organization.globalId();

/** The numeric id inside a Webhook global id. */
const endpointIdOf = (globalId: string) =>
  Number(Buffer.from(globalId, 'base64url').toString().split(':')[1]);

/** Polls the endpoint's only delivery until `done` holds. */
async function deliveryOf(
  webhookId: string,
  done: (delivery: WebhookDelivery) => boolean,
): Promise<WebhookDelivery> {
  let delivery: WebhookDelivery | null = null;
  await until(
    async () => {
      delivery = await t.orm.em.fork().findOne(WebhookDelivery, { endpoint: endpointIdOf(webhookId) });
      return delivery !== null && done(delivery);
    },
    10_000,
    25,
    () => `delivery as awaited (last seen: ${JSON.stringify(delivery)})`,
  );
  return delivery!;
}

/**
 * Resolves once the worker has looked at every event up to `seq` for the endpoint: a delivery it
 * did not queue by then is never sent (the signal for "nothing arrived").
 */
async function fannedOutTo(webhookId: string, seq: number): Promise<void> {
  await until(
    async () =>
      (await t.orm.em.fork().findOneOrFail(Webhook, { id: endpointIdOf(webhookId) })).lastEventSeq >= seq,
    10_000,
    25,
    'the endpoint fanned out',
  );
}

/** What the endpoint's owner sees of its deliveries, and the attempt log, as one string. */
async function shownFailures(webhookId: string, token: string): Promise<string> {
  const shown = await t.data(
    `query($id: ID!) { webhookDeliveries(webhookId: $id) { status attempts lastStatusCode lastError } }`,
    { id: webhookId },
    token,
  );
  const em = t.orm.em.fork();
  const attempts = await em.find(WebhookDeliveryAttempt, {
    delivery: { endpoint: endpointIdOf(webhookId) },
  });
  const audit = await em.find(AuditEntry, { action: 'disableWebhook' });
  return JSON.stringify({ shown, errors: attempts.map((a) => a.error), audit: audit.map((a) => a.summary) });
}

const WEBHOOKS = `query Hooks($org: ID!) {
  webhooks(organizationId: $org) { id url topics enabled consecutiveFailures disabledReason disabledAt }
}`;

beforeAll(async () => {
  t = await startTestApp(WEBHOOK_ENV);
  worker = await t.seed.worker();
});

afterAll(async () => {
  await t?.stop();
  await Promise.all(receivers.map((r) => r.close()));
});

describe('registering webhooks', () => {
  it('shows the secret once, lists endpoints without it, and deletes them', async () => {
    const org = await servingOrg();
    const created = await register(t, org.token, orgId(org), 'https://hooks.example.org/niudai', [
      'DEMAND_PUBLISHED',
      'PROJECT_PUBLISHED',
    ]);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const listed = await t.data<{ webhooks: Record<string, unknown>[] }>(
      WEBHOOKS,
      { org: orgId(org) },
      org.token,
    );
    expect(listed.webhooks).toEqual([
      expect.objectContaining({
        id: created.id,
        url: 'https://hooks.example.org/niudai',
        topics: ['DEMAND_PUBLISHED', 'PROJECT_PUBLISHED'],
        enabled: true,
        disabledReason: null,
      }),
    ]);
    expect(JSON.stringify(listed)).not.toContain(created.secret);
    const node = await t.gql(
      `query($id: ID!) { node(id: $id) { ... on Webhook { url } } }`,
      { id: created.id },
      org.token,
    );
    expect(JSON.stringify(node.body)).not.toContain('whsec_');
    expect(node.body.data).toEqual({ node: { url: 'https://hooks.example.org/niudai' } });

    const deleted = await t.data<{ deleteWebhook: { deletedWebhookId: string } }>(
      `mutation($id: ID!) { deleteWebhook(id: $id) { deletedWebhookId } }`,
      { id: created.id },
      org.token,
    );
    expect(deleted.deleteWebhook.deletedWebhookId).toBe(created.id);
    expect(
      (await t.data<{ webhooks: unknown[] }>(WEBHOOKS, { org: orgId(org) }, org.token)).webhooks,
    ).toEqual([]);
  });

  it('refuses addresses that stay off limits with private networks allowed, and non-admins', async () => {
    const org = await servingOrg();
    for (const url of [
      'http://169.254.169.254/latest/meta-data/',
      'http://100.100.100.200/',
      'http://0.0.0.0:4000/',
      'http://[fe80::1]/',
      'http://224.0.0.1/',
      'http://[::ffff:a9fe:a9fe]/',
    ]) {
      const refused = await t.gql(
        REGISTER,
        { input: { organizationId: orgId(org), url, topics: ['DEMAND_PUBLISHED'] } },
        org.token,
      );
      expect(refused.body.errors?.[0]?.extensions, url).toMatchObject({
        code: 'BAD_USER_INPUT',
        fields: [{ path: 'input.url', message: expect.stringContaining('public internet address') }],
      });
    }
    const member = await t.seed.organizationMember(org.organization.id, MemberRole.ORG_MEMBER);
    for (const token of [member.token, worker.token]) {
      const refused = await t.gql(
        REGISTER,
        { input: { organizationId: orgId(org), url: 'https://a.example/', topics: ['DEMAND_PUBLISHED'] } },
        token,
      );
      expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      const list = await t.gql(WEBHOOKS, { org: orgId(org) }, token);
      expect(list.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
  });
});

describe('delivering', () => {
  it('POSTs a new demand, signed, with public data only, to eligible organizations only', async () => {
    const org = await servingOrg();
    const otherCategory = await t.seed.organization({ categoryCodes: ['CULTURE'], regionCodes: ['370100'] });
    const otherRegion = await t.seed.organization({ categoryCodes: ['LIFE'], regionCodes: ['370200'] });
    const pending = await t.seed.organization({ verified: false });
    const hit = await receiver();
    const misses = await Promise.all([receiver(), receiver(), receiver()]);
    const { secret } = await register(t, org.token, orgId(org), `${hit.url}/hook`);
    const missed = [
      await register(t, otherCategory.token, orgId(otherCategory), `${misses[0]!.url}/hook`),
      await register(t, otherRegion.token, orgId(otherRegion), `${misses[1]!.url}/hook`),
      await register(t, pending.token, orgId(pending), `${misses[2]!.url}/hook`),
    ];

    const sentFrom = Math.floor(Date.now() / 1000);
    const demandId = await submitDemand(t, worker.token);
    const [request] = await hit.waitFor(1);
    const receivedBy = Math.ceil(Date.now() / 1000);
    const event = await t.orm.em
      .fork()
      .findOneOrFail(HubEvent, { topic: 'demand.published' }, { orderBy: { seq: 'desc' } });
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['x-niudai-event-id']).toBe(String(event.seq));
    const timestamp = request!.headers['x-niudai-timestamp'] as string;
    // Signed when sent: between the submission and the receipt.
    expect(Number(timestamp)).toBeGreaterThanOrEqual(sentFrom);
    expect(Number(timestamp)).toBeLessThanOrEqual(receivedBy);
    expect(
      verifyWebhook(
        secret,
        { timestamp, signature: request!.headers['x-niudai-signature'] as string },
        request!.body,
      ),
    ).toBe(true);
    const body = JSON.parse(request!.body) as Record<string, unknown> & { data: Record<string, unknown> };
    expect(body).toMatchObject({
      id: event.seq,
      topic: 'DEMAND_PUBLISHED',
      occurredAt: event.createdAt.toISOString(),
    });
    expect(body.data).toMatchObject({
      id: demandId,
      categoryCode: 'LIFE.CHILDCARE',
      regionCode: '370102',
      status: 'OPEN',
    });
    expect(request!.body).not.toContain('13800000000');
    expect(Object.keys(body.data)).not.toContain('contact');
    expect(Object.keys(body.data)).not.toContain('submittedBy');

    for (const { id } of missed) {
      await fannedOutTo(id, event.seq);
      expect(await t.orm.em.fork().count(WebhookDelivery, { endpoint: endpointIdOf(id) })).toBe(0);
    }
    for (const miss of misses) expect(miss.received).toEqual([]);
  });

  it('retries after a 500 with backoff, logging each attempt, and sends the same event id', async () => {
    const org = await servingOrg();
    const hook = await receiver();
    hook.respond = [500];
    const { id } = await register(t, org.token, orgId(org), `${hook.url}/retry`);
    await submitDemand(t, worker.token);
    const [first, second] = await hook.waitFor(2);
    expect(first!.status).toBe(500);
    expect(second!.status).toBe(200);
    expect(second!.headers['x-niudai-event-id']).toBe(first!.headers['x-niudai-event-id']);
    expect(second!.body).toBe(first!.body);
    const em = t.orm.em.fork();
    const delivery = await deliveryOf(id, (d) => d.status === DeliveryStatus.DELIVERED);
    expect(delivery).toMatchObject({ status: DeliveryStatus.DELIVERED, attempts: 2, lastStatusCode: 200 });
    const attempts = await em.find(
      WebhookDeliveryAttempt,
      { delivery: delivery.id },
      { orderBy: { id: 'asc' } },
    );
    expect(attempts.map((a) => [a.attempt, a.statusCode, a.error])).toEqual([
      [1, 500, 'HTTP 500'],
      [2, 200, null],
    ]);
    expect(attempts.every((a) => a.durationMs >= 0)).toBe(true);
    const deliveries = await t.data<{ webhookDeliveries: Record<string, unknown>[] }>(
      `query($id: ID!) { webhookDeliveries(webhookId: $id) { eventSeq status attempts lastStatusCode } }`,
      { id },
      org.token,
    );
    expect(deliveries.webhookDeliveries).toEqual([
      {
        eventSeq: first!.headers['x-niudai-event-id'],
        status: 'DELIVERED',
        attempts: 2,
        lastStatusCode: 200,
      },
    ]);
  });

  it('disables an endpoint that keeps failing and tells its owner', async () => {
    const org = await servingOrg();
    const hook = await receiver();
    hook.fallback = 500;
    const { id } = await register(t, org.token, orgId(org), `${hook.url}/failing`);
    await submitDemand(t, worker.token);
    await hook.waitFor(3);
    let listed!: {
      webhooks: { enabled: boolean; disabledReason: string | null; consecutiveFailures: number }[];
    };
    await until(
      async () => {
        listed = await t.data(WEBHOOKS, { org: orgId(org) }, org.token);
        return listed.webhooks[0]?.enabled === false;
      },
      5_000,
      50,
      'the endpoint disabled',
    );
    expect(listed.webhooks[0]).toMatchObject({ enabled: false, consecutiveFailures: 3 });
    expect(listed.webhooks[0]?.disabledReason).toContain('3 consecutive failed deliveries');
    expect(listed.webhooks[0]?.disabledReason).toContain('HTTP 500');
    // The owner is told in the organization's audit trail.
    const entry = await t.orm.em
      .fork()
      .findOneOrFail(AuditEntry, { action: 'disableWebhook', subjectId: orgId(org) });
    expect(entry.summary).toMatchObject({ webhookId: id });
    const trail = await t.data<{ auditTrail: { edges: { node: { action: string } }[] } }>(
      `query($id: ID!) { auditTrail(subjectId: $id) { edges { node { action } } } }`,
      { id: orgId(org) },
      org.token,
    );
    expect(trail.auditTrail.edges.map((e) => e.node.action)).toContain('disableWebhook');
    // Disabled: nothing more is sent. The sentinel is an enabled endpoint that gets the next demand:
    // the round that queued it queued nothing for the disabled one.
    const sent = hook.received.length;
    const queuedBefore = await t.orm.em.fork().count(WebhookDelivery, { endpoint: endpointIdOf(id) });
    const controlOrg = await servingOrg();
    const control = await receiver();
    await register(t, controlOrg.token, orgId(controlOrg), `${control.url}/control`);
    await submitDemand(t, worker.token);
    await control.waitFor(1);
    expect(await t.orm.em.fork().count(WebhookDelivery, { endpoint: endpointIdOf(id) })).toBe(queuedBefore);
    expect(hook.received.length).toBe(sent);
  });
});

describe('reaching endpoints', () => {
  it('connects to the address the host resolved to and checked, with the URL host in the Host header', async () => {
    const org = await servingOrg();
    const hook = await receiver();
    const port = new URL(hook.url).port;
    // Only the hub's resolver knows this name: the system's would not resolve it.
    answerDns(t, new Map([['receiver.test', ['127.0.0.1']]]));
    await register(t, org.token, orgId(org), `http://receiver.test:${port}/pinned`);
    await submitDemand(t, worker.token);
    const [request] = await hook.waitFor(1, 10_000, '/pinned');
    expect(request!.headers.host).toBe(`receiver.test:${port}`);
  });

  it('stores "connection failed" for a closed port, never the socket error', async () => {
    const org = await servingOrg();
    const closed = await startReceiver();
    await closed.close(); // its port is now closed
    const { id } = await register(t, org.token, orgId(org), `${closed.url}/closed`);
    await submitDemand(t, worker.token);
    const delivery = await deliveryOf(id, (d) => d.attempts >= 1 && d.lastError !== null);
    expect(delivery).toMatchObject({ lastError: 'connection failed', lastStatusCode: null });
    const shown = await shownFailures(id, org.token);
    expect(shown).toContain('connection failed');
    expect(shown).not.toMatch(/ECONN|EADDR|fetch failed|socket/i);
  });

  it('speaks TLS to the checked address under the URL host name, and hides TLS errors', async () => {
    const org = await servingOrg();
    // A loopback TLS server that records the server name asked for and has no certificate to offer.
    const serverNames: string[] = [];
    const server = createTlsServer({
      SNICallback: (name, done) => {
        serverNames.push(name);
        done(new Error('no certificate here'), undefined);
      },
    });
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    try {
      const port = (server.address() as AddressInfo).port;
      answerDns(t, new Map([['tls.test', ['127.0.0.1']]]));
      const { id } = await register(t, org.token, orgId(org), `https://tls.test:${port}/hook`);
      await submitDemand(t, worker.token);
      const delivery = await deliveryOf(id, (d) => d.attempts >= 1 && d.lastError !== null);
      expect(delivery).toMatchObject({ lastError: 'connection failed', lastStatusCode: null });
      expect(serverNames[0]).toBe('tls.test');
      expect(await shownFailures(id, org.token)).not.toMatch(/certificate|ssl|tls|alert|EPROTO|ECONN/i);
    } finally {
      server.close();
    }
  });

  it('stores "HTTP 503" for a 503', async () => {
    const org = await servingOrg();
    const hook = await receiver();
    hook.fallback = 503;
    const { id } = await register(t, org.token, orgId(org), `${hook.url}/unavailable`);
    await submitDemand(t, worker.token);
    const delivery = await deliveryOf(id, (d) => d.attempts >= 1 && d.lastError !== null);
    expect(delivery).toMatchObject({ lastError: 'HTTP 503', lastStatusCode: 503 });
  });

  it('does not follow a redirect: a 3xx is a failed attempt', async () => {
    const org = await servingOrg();
    const hook = await receiver();
    const target = await receiver();
    hook.fallback = 307;
    hook.location = `${target.url}/elsewhere`;
    const { id } = await register(t, org.token, orgId(org), `${hook.url}/moved`);
    await submitDemand(t, worker.token);
    const delivery = await deliveryOf(id, (d) => d.attempts >= 1 && d.lastError !== null);
    expect(delivery).toMatchObject({ lastError: 'HTTP 307', lastStatusCode: 307, status: 'PENDING' });
    // The attempt is recorded only once its request is over, so a followed redirect would be in.
    expect(target.connections).toBe(0);
  });

  it('stores "timeout" when the endpoint does not answer in time', async () => {
    const org = await servingOrg();
    const hook = await receiver();
    hook.holding = true;
    const { id } = await register(t, org.token, orgId(org), `${hook.url}/slow`);
    await submitDemand(t, worker.token);
    const delivery = await deliveryOf(id, (d) => d.attempts >= 1 && d.lastError !== null);
    hook.release(200);
    expect(delivery).toMatchObject({ lastError: 'timeout', lastStatusCode: null });
  });
});

describe('a suspended organization', () => {
  const SUSPEND = `mutation($input: SuspendOrganizationInput!) { suspendOrganization(input: $input) { organization { id } } }`;
  const VERIFY = `mutation($input: VerifyOrganizationInput!) { verifyOrganization(input: $input) { organization { id } } }`;

  it('cannot register webhooks', async () => {
    const org = await servingOrg();
    const admin = await t.seed.admin();
    await t.data(SUSPEND, { input: { organizationId: orgId(org), reason: '年检未通过' } }, admin.token);
    for (const token of [org.token, admin.token]) {
      const refused = await t.gql(
        REGISTER,
        {
          input: {
            organizationId: orgId(org),
            url: 'https://hooks.example.org/',
            topics: ['DEMAND_PUBLISHED'],
          },
        },
        token,
      );
      expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
  });

  it('is sent nothing while suspended; its deliveries are held and go out once it is verified again', async () => {
    const suspended = await servingOrg();
    const sentinelOrg = await servingOrg();
    const admin = await t.seed.admin();
    const hook = await receiver();
    const sentinel = await receiver();
    const { id } = await register(t, suspended.token, orgId(suspended), `${hook.url}/held`);
    await register(t, sentinelOrg.token, orgId(sentinelOrg), `${sentinel.url}/sentinel`);

    // A delivery under way when the organization is suspended: it fails, so it is due again soon.
    hook.holding = true;
    await submitDemand(t, worker.token);
    const [first] = await hook.waitFor(1);
    await t.data(SUSPEND, { input: { organizationId: orgId(suspended), reason: '年检未通过' } }, admin.token);
    hook.release(500);
    await deliveryOf(id, (d) => d.lastError === 'HTTP 500');
    // Once its retry is due, a new event reaches the other organization: a round that would have sent
    // the retry (it is due first) has run.
    await deliveryOf(id, (d) => d.nextAttemptAt.getTime() < Date.now() - 100);
    await sentinel.waitFor(1);
    const secondDemand = await submitDemand(t, worker.token);
    await sentinel.waitFor(2);
    // A claim counts the attempt when it is made, before the POST: the retry was not claimed.
    expect(await deliveryOf(id, () => true)).toMatchObject({ status: 'PENDING', attempts: 1 });
    expect(hook.received).toHaveLength(1);

    // Verified again: the held retry goes out, and the event it missed while suspended follows.
    await t.data(VERIFY, { input: { organizationId: orgId(suspended), reason: '整改完成' } }, admin.token);
    const later = (await hook.waitFor(3)).slice(1);
    const eventIds = later.map((r) => r.headers['x-niudai-event-id']);
    expect(eventIds).toContain(first!.headers['x-niudai-event-id']);
    expect(later.map((r) => (JSON.parse(r.body) as { data: { id: string } }).data.id)).toContain(
      secondDemand,
    );
  });
});
