/**
 * Notification e-mails: the message for one notification (Chinese, English for an English locale;
 * plain text and HTML; RFC 8058 one-click unsubscribe headers) and the SMTP transport.
 *
 * Why nodemailer: it is the standard Node mailer (SMTP with STARTTLS/TLS and auth from one URL,
 * MIME multipart, header encoding), with no dependencies of its own.
 *
 * @module
 */
import nodemailer, { type SendMailOptions, type Transporter } from 'nodemailer';
import type { NotificationConfig } from '../../core/config.js';
import { NotificationChannel, type NotificationTopic } from './notification.enums.js';
import { deliveryKey, PermanentDeliveryError, type InstantChannel } from './notification-channel-worker.js';
import { localeOf, renderNotification, type Locale, type TemplateParams } from './notification-templates.js';
import { unsubscribeUrl } from './unsubscribe.js';

export interface NotificationMail {
  to: string;
  topic: NotificationTopic;
  params: TemplateParams;
  locale: Locale;
  /** Where to read it in the app. */
  link: string;
  /** This person's one-click link for this topic (unsubscribe.ts). */
  unsubscribeUrl: string;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const FOOTER = {
  zh: { read: '查看详情', why: '您收到此邮件是因为您在纽带的通知设置。', stop: '不再接收此类邮件' },
  en: {
    read: 'Open',
    why: 'You receive this e-mail because of your notification settings on Niudai.',
    stop: 'Stop these e-mails',
  },
} as const;

/** The message for one notification, ready for the transport. */
export function composeNotificationMail(from: string, mail: NotificationMail): SendMailOptions {
  const { title, body } = renderNotification(mail.topic, mail.params, mail.locale);
  const words = FOOTER[mail.locale];
  return {
    from,
    to: mail.to,
    subject: title,
    text: `${body}\n\n${words.read}: ${mail.link}\n\n--\n${words.why}\n${words.stop}: ${mail.unsubscribeUrl}\n`,
    html:
      `<!doctype html><html lang="${mail.locale}"><meta charset="utf-8"><body>` +
      `<p>${escapeHtml(body)}</p><p><a href="${escapeHtml(mail.link)}">${words.read}</a></p>` +
      `<hr><p><small>${escapeHtml(words.why)} <a href="${escapeHtml(mail.unsubscribeUrl)}">${words.stop}</a></small></p>` +
      '</body></html>',
    headers: {
      'List-Unsubscribe': `<${mail.unsubscribeUrl}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
  };
}

/** The SMTP transport of `SMTP_URL`; null when e-mail is off. */
export function createMailTransport(config: Pick<NotificationConfig, 'smtpUrl'>): Transporter | null {
  return config.smtpUrl ? nodemailer.createTransport(config.smtpUrl) : null;
}

export interface DigestMail {
  to: string;
  locale: Locale;
  items: readonly { topic: NotificationTopic; params: TemplateParams }[];
  link: string;
  /** One link per topic in the digest. */
  unsubscribeUrls: ReadonlyMap<NotificationTopic, string>;
}

/**
 * One person's daily digest. The one-click headers name a single link, so they are set when the
 * digest is about one topic (the common case: new matching demands); the body always lists a link
 * per topic.
 */
export function composeDigestMail(from: string, mail: DigestMail): SendMailOptions {
  const en = mail.locale === 'en';
  const words = FOOTER[mail.locale];
  const lines = mail.items.map((item) => renderNotification(item.topic, item.params, mail.locale));
  const subject = en
    ? `Niudai daily digest: ${lines.length} notification${lines.length === 1 ? '' : 's'}`
    : `纽带每日通知摘要：${lines.length} 条`;
  const stops = [...mail.unsubscribeUrls];
  const stopText = stops.map(([topic, url]) => `${words.stop} (${topic}): ${url}`).join('\n');
  const stopHtml = stops
    .map(([topic, url]) => `<a href="${escapeHtml(url)}">${words.stop} (${topic})</a>`)
    .join('<br>');
  const single = stops.length === 1 ? stops[0]![1] : null;
  return {
    from,
    to: mail.to,
    subject,
    text: `${lines.map((l) => `- ${l.body}`).join('\n')}\n\n${words.read}: ${mail.link}\n\n--\n${words.why}\n${stopText}\n`,
    html:
      `<!doctype html><html lang="${mail.locale}"><meta charset="utf-8"><body><ul>` +
      lines.map((l) => `<li>${escapeHtml(l.body)}</li>`).join('') +
      `</ul><p><a href="${escapeHtml(mail.link)}">${words.read}</a></p>` +
      `<hr><p><small>${escapeHtml(words.why)}<br>${stopHtml}</small></p></body></html>`,
    headers: single
      ? { 'List-Unsubscribe': `<${single}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' }
      : {},
  };
}

/** The position row of the instant e-mail job: the last notification id it has dealt with. */
export const EMAIL_JOB = 'email';

/** Instant e-mail for the channel worker (notification-channel-worker.ts). */
export function emailChannel(
  transport: Transporter,
  settings: { mailFrom: string; publicUrl: string; jwtSecret: string },
): InstantChannel {
  const mailDomain = new URL(settings.publicUrl).hostname;
  return {
    job: EMAIL_JOB,
    channel: NotificationChannel.EMAIL,
    async deliver(notification) {
      if (!notification.email) return;
      const message = composeNotificationMail(settings.mailFrom, {
        to: notification.email,
        topic: notification.topic,
        params: notification.params,
        // Accounts store no language yet: Chinese.
        locale: localeOf(null),
        link: `${settings.publicUrl}/console/`,
        unsubscribeUrl: unsubscribeUrl(
          settings.publicUrl,
          settings.jwtSecret,
          notification.userId,
          notification.topic,
        ),
      });
      try {
        await transport.sendMail({
          ...message,
          // The same Message-ID on every attempt: mail servers and clients drop a resent copy.
          messageId: `<${deliveryKey(notification, NotificationChannel.EMAIL)}@${mailDomain}>`,
          headers: { ...message.headers, 'X-Niudai-Notification': String(notification.id) },
        });
      } catch (error) {
        const code = (error as { responseCode?: number }).responseCode;
        if (code !== undefined && code >= 500) throw new PermanentDeliveryError(`SMTP ${code}`);
        throw error;
      }
    },
    close: () => transport.close(),
  };
}
