import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MikroORM } from '@mikro-orm/postgresql';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import { createApp } from '../../../src/app.js';
import { connectOrm } from '../../../src/core/db/db.js';
import { createLogger } from '../../../src/core/logger.js';
import { createSchema } from '../../../src/schema.js';
import { EMAIL_JOB } from '../../../src/modules/notifications/notification-mail.js';
import { submitDemand } from '../webhooks/helpers.js';
import { fannedOut, NOTIFY_ENV, startSmtpReceiver, type SmtpReceiver } from './helpers.js';

let t: TestApp;
let smtp: SmtpReceiver;

beforeAll(async () => {
  smtp = await startSmtpReceiver();
  t = await startTestApp({ ...NOTIFY_ENV, SMTP_URL: smtp.url });
});

afterAll(async () => {
  await t?.stop();
  await smtp?.close();
});

/** Resolves once the e-mail job has dealt with every delivery queued so far. */
async function mailedOut(orm: MikroORM, ms = 10_000): Promise<void> {
  const em = orm.em.fork();
  const deadline = Date.now() + ms;
  for (;;) {
    const [row] = await em.execute<{ head: string; position: string | null }[]>(
      `select (select coalesce(max("id"), 0) from "notification_delivery") as "head",
              (select "last_event_seq" from "notification_position" where "name" = ?) as "position"`,
      [EMAIL_JOB],
    );
    if (row && row.position !== null && Number(row.position) >= Number(row.head)) return;
    if (Date.now() > deadline) throw new Error('notifications: the e-mail job did not catch up');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const servingOrg = () => t.seed.organization({ categoryCodes: ['LIFE'], regionCodes: ['370100'] });

async function claim(demandId: string, org: Awaited<ReturnType<typeof servingOrg>>, token = org.token) {
  await t.data(
    `mutation($input: ClaimDemandInput!) { claimDemand(input: $input) { demand { id } } }`,
    { input: { demandId, organizationId: org.organization.globalId() } },
    token,
  );
}

describe('instant notification e-mail', () => {
  it('mails a worker her demand’s update, with the unsubscribe headers, and a member the matches she asked for', async () => {
    const org = await servingOrg();
    const member = await t.seed.organizationMember(org.organization.id);
    await t.data(
      `mutation { updateNotificationPreferences(input: { topic: DEMAND_MATCHED, channel: EMAIL, frequency: INSTANT }) { topic } }`,
      {},
      member.token,
    );
    const worker = await t.seed.worker();
    const before = smtp.received.length;
    const demandId = await submitDemand(t, worker.token);
    // Members hear of OPEN demands only: the round must have read it before the claim.
    await fannedOut(t);
    await claim(demandId, org);
    await fannedOut(t);
    await mailedOut(t.orm);
    const mails = smtp.received.slice(before);
    // The admin's matches go to the daily digest, not at once.
    expect(mails.map((m) => m.to).sort()).toEqual([member.user.email, worker.user.email].sort());
    for (const mail of mails) {
      expect(mail.headers.get('list-unsubscribe')).toMatch(
        /^<http:\/\/.*\/notifications\/unsubscribe\?token=.+>$/,
      );
      expect(mail.headers.get('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    }
  });

  it('sends every message exactly once across a stop in the middle of a batch and a new app on the same database', async () => {
    const org = await servingOrg();
    const workers = [await t.seed.worker(), await t.seed.worker(), await t.seed.worker()];
    const demandIds = [];
    for (const worker of workers) demandIds.push(await submitDemand(t, worker.token));
    // What the demands send (a match to the first test's member) is sent before counting from here.
    await fannedOut(t);
    await mailedOut(t.orm);
    const before = smtp.received.length;

    let arrived!: () => void;
    const secondArrived = new Promise<void>((resolve) => (arrived = resolve));
    let release!: () => void;
    // Hold the answer to the second message of the batch.
    const first = new Promise<void>((resolve) => {
      smtp.hold = { arrived: resolve, release: Promise.resolve() };
    });
    for (const id of demandIds) await claim(id, org);
    await first;
    smtp.hold = { arrived, release: new Promise<void>((resolve) => (release = resolve)) };
    await secondArrived;

    // Stop the app while the SMTP server has not answered; the answer comes while it stops.
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
      await mailedOut(orm);
      const mails = smtp.received.slice(before);
      expect(mails.map((m) => m.to).sort()).toEqual(workers.map((w) => w.user.email).sort());
      const ids = mails.map((m) => m.headers.get('x-niudai-notification'));
      expect(new Set(ids).size).toBe(3);
      // Each carries its dedup key, one per notification and channel.
      expect(mails.map((m) => m.headers.get('message-id')).sort()).toEqual(
        ids.map((id) => `<notification-${id}.email@${new URL(t.config.publicUrl).hostname}>`).sort(),
      );
    } finally {
      await app.stop();
      await orm.close();
      t = undefined as unknown as TestApp;
    }
  });
});
