import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import { NotificationTopic } from '../../../src/modules/notifications/notification.enums.js';
import {
  composeNotificationMail,
  createMailTransport,
} from '../../../src/modules/notifications/notification-mail.js';
import { unsubscribeUrl, UNSUBSCRIBE_PATH } from '../../../src/modules/notifications/unsubscribe.js';
import { headersOf, NOTIFY_ENV, startSmtpReceiver, type SmtpReceiver } from './helpers.js';

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

interface Setting {
  topic: string;
  channel: string;
  frequency: string;
  source: string;
}

async function emailSetting(token: string, topic: NotificationTopic): Promise<Setting | undefined> {
  const data = await t.data<{ notificationPreferences: Setting[] }>(
    '{ notificationPreferences { topic channel frequency source } }',
    {},
    token,
  );
  return data.notificationPreferences.find((s) => s.topic === topic && s.channel === 'EMAIL');
}

/** The app's own address for a link written with PUBLIC_URL (the test app listens on a free port). */
const onApp = (link: string) => {
  const url = new URL(link);
  return new URL(`${url.pathname}${url.search}`, t.httpUrl).href;
};

describe('notification e-mail', () => {
  it('sends each topic through SMTP with one-click unsubscribe headers, and the link turns that topic off', async () => {
    const worker = await t.seed.worker();
    const transport = createMailTransport(t.config.notifications);
    expect(transport).not.toBeNull();
    const links = new Map<NotificationTopic, string>();
    for (const topic of Object.values(NotificationTopic)) {
      const link = unsubscribeUrl(t.config.publicUrl, t.config.jwtSecret, worker.user.id, topic);
      await transport!.sendMail(
        composeNotificationMail(t.config.notifications.mailFrom, {
          to: worker.user.email!,
          topic,
          params: { demandTitle: '课后托管', organizationName: '阳光社工', status: 'CLAIMED' },
          locale: 'zh',
          link: `${t.config.publicUrl}/console/`,
          unsubscribeUrl: link,
        }),
      );
      const mail = smtp.received.at(-1)!;
      expect(mail.recipients).toEqual([worker.user.email]);
      const headers = headersOf(mail.raw);
      expect(headers.get('list-unsubscribe'), topic).toBe(`<${link}>`);
      expect(headers.get('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
      expect(headers.get('content-type')).toMatch(/^multipart\/alternative/);
      expect(mail.raw).toMatch(/Content-Type: text\/plain; charset=utf-8/);
      expect(mail.raw).toMatch(/Content-Type: text\/html; charset=utf-8/);
      links.set(topic, link);
    }
    transport!.close();
    expect(smtp.received).toHaveLength(Object.values(NotificationTopic).length);

    // A GET (a mail scanner following the link) only shows the button.
    const own = links.get(NotificationTopic.OWN_DEMAND_UPDATED)!;
    const page = await fetch(onApp(own));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post"');
    expect(await emailSetting(worker.token, NotificationTopic.OWN_DEMAND_UPDATED)).toMatchObject({
      frequency: 'INSTANT',
      source: 'DEFAULT',
    });

    // The one-click POST of RFC 8058, without signing in.
    const clicked = await fetch(onApp(own), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(clicked.status).toBe(200);
    expect(await emailSetting(worker.token, NotificationTopic.OWN_DEMAND_UPDATED)).toMatchObject({
      frequency: 'OFF',
      source: 'OWN',
    });
    // That topic only.
    const matched = await t.data<{ notificationPreferences: Setting[] }>(
      '{ notificationPreferences { topic channel frequency source } }',
      {},
      worker.token,
    );
    expect(matched.notificationPreferences.filter((s) => s.source === 'OWN')).toHaveLength(1);
  });

  it('refuses a forged or altered link before touching anything', async () => {
    const worker = await t.seed.worker();
    const other = await t.seed.worker();
    const genuine = new URL(
      unsubscribeUrl(
        t.config.publicUrl,
        t.config.jwtSecret,
        worker.user.id,
        NotificationTopic.OWN_DEMAND_UPDATED,
      ),
    ).searchParams.get('token')!;
    const [, topic, signature] = genuine.split('.');
    const forged = [
      `${other.user.id}.${topic}.${signature}`,
      `${worker.user.id}.DEMAND_MATCHED.${signature}`,
      unsubscribeUrl(
        t.config.publicUrl,
        'another secret',
        worker.user.id,
        NotificationTopic.OWN_DEMAND_UPDATED,
      ).split('token=')[1]!,
      'garbage',
      '',
    ];
    for (const token of forged) {
      const response = await fetch(
        new URL(`${UNSUBSCRIBE_PATH}?token=${encodeURIComponent(token)}`, t.httpUrl),
        {
          method: 'POST',
          body: 'List-Unsubscribe=One-Click',
        },
      );
      expect(response.status, token).toBe(400);
      const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
      expect(body.errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
    }
    for (const user of [worker, other])
      expect(await emailSetting(user.token, NotificationTopic.OWN_DEMAND_UPDATED)).toMatchObject({
        source: 'DEFAULT',
      });
  });
});
