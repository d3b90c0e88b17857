import { describe, expect, it } from 'vitest';
import { NotificationTopic } from '../../../src/modules/notifications/notification.enums.js';
import { localeOf, renderNotification } from '../../../src/modules/notifications/notification-templates.js';

describe('notification templates', () => {
  it('write Chinese unless the locale is English', () => {
    expect([localeOf(null), localeOf('zh-CN'), localeOf('fr'), localeOf('en-GB'), localeOf('EN')]).toEqual([
      'zh',
      'zh',
      'zh',
      'en',
      'en',
    ]);
  });

  it('have a Chinese and an English text for every topic, naming what it is about', () => {
    const params = {
      demandTitle: '周末托管',
      projectTitle: '助学项目',
      organizationName: '阳光社工',
      status: 'CLAIMED',
    };
    for (const topic of Object.values(NotificationTopic))
      for (const locale of ['zh', 'en'] as const) {
        const { title, body } = renderNotification(topic, params, locale);
        expect(title.length, `${topic} ${locale}`).toBeGreaterThan(0);
        expect(body, `${topic} ${locale}`).toMatch(/周末托管|助学项目|阳光社工/);
      }
    expect(renderNotification(NotificationTopic.OWN_DEMAND_UPDATED, params, 'zh').body).toBe(
      '您的需求「周末托管」已被阳光社工认领。',
    );
    expect(renderNotification(NotificationTopic.OWN_DEMAND_UPDATED, params, 'en').body).toBe(
      'Your demand “周末托管” was claimed by 阳光社工.',
    );
  });
});
