/**
 * Text messages through an SMS gateway: a POST of `{ to, text, id }` (JSON) signed like the webhooks
 * (`X-Niudai-Timestamp`, `X-Niudai-Signature: sha256=<HMAC of "<timestamp>.<body>">` keyed by
 * `SMS_GATEWAY_SECRET`), so the gateway can refuse anything the hub did not send; `id` (one per
 * notification and channel, deliveryKey) lets it drop the one duplicate a crash may cause. Only a worker's own demand's
 * updates, only to her mobile, only when she turned SMS on herself (notification-preferences.ts),
 * and at most `SMS_MAX_PER_RECIPIENT_PER_DAY` per number in any 24 hours (the rest are dropped:
 * they stay in her inbox).
 *
 * @module
 */
import type { Limiter } from '../../core/rate-limit.js';
import { RateLimitedError } from '../../core/errors.js';
import { signWebhook, WEBHOOK_HEADERS } from '../webhooks/webhook-signature.js';
import { NotificationChannel } from './notification.enums.js';
import { deliveryKey, PermanentDeliveryError, type InstantChannel } from './notification-channel-worker.js';
import { localeOf, renderNotification } from './notification-templates.js';

/** The position row of the SMS job. */
export const SMS_JOB = 'sms';
/** How long the gateway has to answer. */
const GATEWAY_TIMEOUT_MS = 10_000;

export interface SmsSettings {
  gatewayUrl: string;
  secret: string;
  publicUrl: string;
}

/** Instant SMS for the channel worker (notification-channel-worker.ts). */
export function smsChannel(settings: SmsSettings, perRecipient: Limiter): InstantChannel {
  return {
    job: SMS_JOB,
    channel: NotificationChannel.SMS,
    async deliver(notification) {
      if (!notification.mobile) return;
      const { title } = renderNotification(notification.topic, notification.params, localeOf(null));
      const body = JSON.stringify({
        to: notification.mobile,
        text: `【纽带】${title}。详情：${settings.publicUrl}/console/`,
        id: deliveryKey(notification, NotificationChannel.SMS),
      });
      try {
        await perRecipient.consume(notification.mobile);
      } catch (error) {
        if (error instanceof RateLimitedError) throw new PermanentDeliveryError('over the daily limit');
        throw error;
      }
      const timestamp = Math.floor(Date.now() / 1000);
      let status: number;
      try {
        const response = await fetch(settings.gatewayUrl, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            [WEBHOOK_HEADERS.timestamp]: String(timestamp),
            [WEBHOOK_HEADERS.signature]: signWebhook(settings.secret, timestamp, body),
          },
          body,
          redirect: 'error',
          signal: AbortSignal.timeout(GATEWAY_TIMEOUT_MS),
        });
        await response.arrayBuffer();
        status = response.status;
      } catch (error) {
        await perRecipient.refund(notification.mobile);
        throw error;
      }
      if (status >= 200 && status < 300) return;
      await perRecipient.refund(notification.mobile);
      // A refusal of this message (bad number, …) will not change; an outage or throttling may.
      if (status >= 400 && status < 500 && status !== 408 && status !== 429)
        throw new PermanentDeliveryError(`gateway ${status}`);
      throw new Error(`SMS gateway answered ${status}`);
    },
  };
}
