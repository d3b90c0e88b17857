import { describe, expect, it } from 'vitest';
import { composeNotificationMail } from '../../../src/modules/notifications/notification-mail.js';
import { NotificationTopic } from '../../../src/modules/notifications/notification.enums.js';
import { readUnsubscribeToken, unsubscribeToken } from '../../../src/modules/notifications/unsubscribe.js';

const mail = {
  to: 'worker@example.org',
  topic: NotificationTopic.OWN_DEMAND_UPDATED,
  params: { demandTitle: '托管 <b>&', status: 'FULFILLED' },
  link: 'https://niudai.example.org/console/',
  unsubscribeUrl: 'https://niudai.example.org/notifications/unsubscribe?token=1.X.y',
};

describe('notification e-mail', () => {
  it('writes Chinese by default, plain text and escaped HTML, with the one-click headers', () => {
    const message = composeNotificationMail('纽带 <no-reply@example.org>', { ...mail, locale: 'zh' });
    expect(message.subject).toBe('您的需求已完成服务');
    expect(message.text).toContain('您的需求「托管 <b>&」已完成服务。');
    expect(message.text).toContain(`不再接收此类邮件: ${mail.unsubscribeUrl}`);
    expect(message.html).toContain('托管 &#60;b&#62;&#38;');
    expect(message.html).not.toContain('<b>&');
    expect(message.headers).toEqual({
      'List-Unsubscribe': `<${mail.unsubscribeUrl}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    });
  });

  it('writes English for an English locale', () => {
    const message = composeNotificationMail('Niudai <no-reply@example.org>', { ...mail, locale: 'en' });
    expect(message.subject).toBe('Your demand was fulfilled');
    expect(message.text).toContain('Stop these e-mails: ');
  });

  it('signs unsubscribe tokens per person and topic, with the given secret only', () => {
    const token = unsubscribeToken('s'.repeat(32), 42, NotificationTopic.DEMAND_MATCHED);
    expect(readUnsubscribeToken('s'.repeat(32), token)).toEqual({ userId: 42, topic: 'DEMAND_MATCHED' });
    expect(readUnsubscribeToken('t'.repeat(32), token)).toBeNull();
    expect(readUnsubscribeToken('s'.repeat(32), token.replace('42.', '43.'))).toBeNull();
    expect(
      readUnsubscribeToken('s'.repeat(32), token.replace('DEMAND_MATCHED', 'PROJECT_ELIGIBLE')),
    ).toBeNull();
  });
});
