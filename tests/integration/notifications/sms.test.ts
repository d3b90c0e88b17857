import { createServer, type Server } from 'node:http';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import { createApp } from '../../../src/app.js';
import { connectOrm } from '../../../src/core/db/db.js';
import { createLogger } from '../../../src/core/logger.js';
import { createSchema } from '../../../src/schema.js';
import { User } from '../../../src/modules/accounts/user.entity.js';
import { SMS_JOB } from '../../../src/modules/notifications/notification-sms.js';
import { verifyWebhook, WEBHOOK_HEADERS } from '../../../src/modules/webhooks/webhook-signature.js';
import { submitDemand } from '../webhooks/helpers.js';
import { fannedOut, NOTIFY_ENV } from './helpers.js';

const SECRET = 'sms-gateway-secret-for-the-tests-0123456789';
let t: TestApp;
let gateway: Server;
const texts: { to: string; text: string; id: string; signed: boolean }[] = [];
/** When set, the gateway holds its answer to the next text until `release` resolves. */
let hold: { arrived: () => void; release: Promise<void> } | null = null;

beforeAll(async () => {
  gateway = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const signed = verifyWebhook(
        SECRET,
        {
          timestamp: req.headers[WEBHOOK_HEADERS.timestamp.toLowerCase()] as string,
          signature: req.headers[WEBHOOK_HEADERS.signature.toLowerCase()] as string,
        },
        body,
      );
      texts.push({ ...(JSON.parse(body) as { to: string; text: string; id: string }), signed });
      const held = hold;
      hold = null;
      if (!held) return void res.writeHead(200).end();
      held.arrived();
      void held.release.then(() => res.writeHead(200).end());
    });
  });
  await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
  const { port } = gateway.address() as AddressInfo;
  t = await startTestApp({
    ...NOTIFY_ENV,
    SMS_GATEWAY_URL: `http://127.0.0.1:${port}/sms`,
    SMS_GATEWAY_SECRET: SECRET,
    SMS_MAX_PER_RECIPIENT_PER_DAY: '2',
    PUBLIC_URL: 'https://niudai.example.org',
  });
});

afterAll(async () => {
  await t?.stop();
  await new Promise<void>((resolve) => gateway?.close(() => resolve()));
});

/** Resolves once the SMS job has dealt with every delivery queued so far. */
async function textedOut(orm: MikroORM = t.orm, ms = 10_000): Promise<void> {
  const em = orm.em.fork();
  const deadline = Date.now() + ms;
  for (;;) {
    const [row] = await em.execute<{ head: string; position: string | null }[]>(
      `select (select coalesce(max("id"), 0) from "notification_delivery") as "head",
              (select "last_event_seq" from "notification_position" where "name" = ?) as "position"`,
      [SMS_JOB],
    );
    if (row && row.position !== null && Number(row.position) >= Number(row.head)) return;
    if (Date.now() > deadline) throw new Error('notifications: the SMS job did not catch up');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function withMobile(mobile: string) {
  const worker = await t.seed.worker();
  await t.orm.em.fork().nativeUpdate(User, { id: worker.user.id }, { mobile });
  return worker;
}

async function demandAction(name: string, inputType: string, input: object, token: string): Promise<void> {
  await t.data(
    `mutation($input: ${inputType}!) { ${name}(input: $input) { demand { id } } }`,
    { input },
    token,
  );
}

describe('SMS notifications', () => {
  it('texts a consenting worker her own demand’s updates, signed, with a link, within the daily limit', async () => {
    const consenting = await withMobile('13912340001');
    const silent = await withMobile('13912340002');
    await t.data(
      'mutation { updateNotificationPreferences(input: { topic: OWN_DEMAND_UPDATED, channel: SMS, frequency: INSTANT }) { topic } }',
      {},
      consenting.token,
    );
    const org = await t.seed.organization({ categoryCodes: ['LIFE'], regionCodes: ['370100'] });
    const organizationId = org.organization.globalId();
    for (const worker of [consenting, silent]) {
      const demandId = await submitDemand(t, worker.token);
      await demandAction('claimDemand', 'ClaimDemandInput', { demandId, organizationId }, org.token);
      await demandAction(
        'reportDemandProgress',
        'ReportDemandProgressInput',
        { demandId, note: '已联系' },
        org.token,
      );
      await demandAction('fulfilDemand', 'FulfilDemandInput', { demandId }, org.token);
    }
    await fannedOut(t);
    await textedOut();
    // Three updates, two allowed a day; nothing to the one who did not ask, nor to the organization.
    expect(texts.map((s) => s.to)).toEqual(['13912340001', '13912340001']);
    for (const sms of texts) {
      expect(sms.signed).toBe(true);
      expect(sms.text).toMatch(/^【纽带】您的需求.+。详情：https:\/\/niudai\.example\.org\/console\/$/);
      expect(sms.text.length).toBeLessThanOrEqual(70);
    }
    expect(new Set(texts.map((s) => s.id)).size).toBe(2);
    // All three stay in her inbox.
    const inbox = await t.data<{ unreadNotificationCount: number }>(
      '{ unreadNotificationCount }',
      {},
      consenting.token,
    );
    expect(inbox.unreadNotificationCount).toBe(3);
  });

  it('sends every text exactly once across a stop in the middle of a batch and a new app on the same database', async () => {
    const org = await t.seed.organization({ categoryCodes: ['LIFE'], regionCodes: ['370100'] });
    const organizationId = org.organization.globalId();
    const workers = [];
    for (const mobile of ['13912340011', '13912340012', '13912340013']) {
      const worker = await withMobile(mobile);
      await t.data(
        'mutation { updateNotificationPreferences(input: { topic: OWN_DEMAND_UPDATED, channel: SMS, frequency: INSTANT }) { topic } }',
        {},
        worker.token,
      );
      workers.push({ worker, mobile, demandId: await submitDemand(t, worker.token) });
    }
    await fannedOut(t);
    await textedOut();
    const before = texts.length;

    // Hold the gateway's answer to the second text of the batch.
    const first = new Promise<void>((resolve) => {
      hold = { arrived: resolve, release: Promise.resolve() };
    });
    for (const { demandId } of workers)
      await demandAction('claimDemand', 'ClaimDemandInput', { demandId, organizationId }, org.token);
    await first;
    let arrived!: () => void;
    const secondArrived = new Promise<void>((resolve) => (arrived = resolve));
    let release!: () => void;
    hold = { arrived, release: new Promise<void>((resolve) => (release = resolve)) };
    await secondArrived;

    // Stop the app while the gateway has not answered; the answer comes while it stops.
    const stopped = t.stop();
    release();
    await stopped;

    const orm = await connectOrm(t.config.databaseUrl!);
    const app = await createApp({
      config: t.config,
      orm,
      log: createLogger('silent'),
      schema: await createSchema(),
    });
    try {
      // The new app's fan-out first: its deliveries exist before the send job is waited for.
      await fannedOut({ orm });
      await textedOut(orm);
      const sent = texts.slice(before);
      expect(sent.map((s) => s.to).sort()).toEqual(workers.map((w) => w.mobile).sort());
      // Each carries its dedup key, one per notification and channel.
      expect(new Set(sent.map((s) => s.id)).size).toBe(3);
      for (const sms of sent) expect(sms.id).toMatch(/^notification-\d+\.sms$/);
    } finally {
      await app.stop();
      await orm.close();
      t = undefined as unknown as TestApp;
    }
  });
});
