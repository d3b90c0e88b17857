import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import { createLogger } from '../../../src/core/logger.js';
import { createMailTransport } from '../../../src/modules/notifications/notification-mail.js';
import { NotificationDigest } from '../../../src/modules/notifications/notification-digest.js';
import { submitDemand } from '../webhooks/helpers.js';
import { fannedOut, NOTIFY_ENV, startSmtpReceiver, type SmtpReceiver } from './helpers.js';

let t: TestApp;
let smtp: SmtpReceiver;

beforeAll(async () => {
  smtp = await startSmtpReceiver();
  // No SMTP_URL for the app: the digest under test, with its own clock, is the only sender.
  t = await startTestApp(NOTIFY_ENV);
});

afterAll(async () => {
  await t?.stop();
  await smtp?.close();
});

describe('daily digest', () => {
  it('sends one summary per person at the digest hour (Asia/Shanghai), once a day, nothing when empty', async () => {
    let clock = new Date('2026-03-02T06:30:00+08:00');
    const transport = createMailTransport({ smtpUrl: smtp.url })!;
    const digest = new NotificationDigest({
      orm: t.orm,
      log: createLogger('silent'),
      config: { digestHour: 8, mailFrom: t.config.notifications.mailFrom },
      publicUrl: t.config.publicUrl,
      jwtSecret: t.config.jwtSecret,
      transport,
      now: () => clock,
    });
    try {
      // Before the hour: nothing, and the period starts now.
      expect(await digest.runDue()).toBe(0);
      const org = await t.seed.organization({ categoryCodes: ['LIFE'], regionCodes: ['370100'] });
      const member = await t.seed.organizationMember(org.organization.id);
      const worker = await t.seed.worker();
      await submitDemand(t, worker.token);
      await submitDemand(t, worker.token);
      await fannedOut(t);
      expect(await digest.runDue()).toBe(0);
      expect(smtp.received).toEqual([]);

      clock = new Date('2026-03-02T08:00:00+08:00');
      expect(await digest.runDue()).toBe(1);
      // The admin's default is a digest of matches; the member's is none.
      expect(smtp.received.map((m) => m.to)).toEqual([org.admin.user.email]);
      expect(smtp.received[0]!.raw).toMatch(/List-Unsubscribe-Post: List-Unsubscribe=One-Click/);
      expect(smtp.received[0]!.raw).toMatch(/Subject: =\?UTF-8\?/);
      expect(smtp.received.map((m) => m.to)).not.toContain(member.user.email);

      // Once a day.
      clock = new Date('2026-03-02T23:59:00+08:00');
      expect(await digest.runDue()).toBe(0);
      // The next day with nothing new: nothing.
      clock = new Date('2026-03-03T09:00:00+08:00');
      expect(await digest.runDue()).toBe(0);
      expect(smtp.received).toHaveLength(1);

      // 00:30 UTC is 08:30 in Shanghai: the next day's digest covers only what came since.
      await submitDemand(t, worker.token);
      await fannedOut(t);
      clock = new Date('2026-03-04T00:30:00Z');
      expect(await digest.runDue()).toBe(1);
      expect(smtp.received).toHaveLength(2);
    } finally {
      transport.close();
    }
  });
});
