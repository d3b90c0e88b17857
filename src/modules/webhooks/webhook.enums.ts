import { registerEnumType } from 'type-graphql';
import { Topic } from '../../core/events/outbox.js';

/** The topics an endpoint can receive (stored by name on the endpoint). */
export enum WebhookTopic {
  DEMAND_PUBLISHED = 'DEMAND_PUBLISHED',
  PROJECT_PUBLISHED = 'PROJECT_PUBLISHED',
}

/** The outbox topic (what `event.topic` holds) of each webhook topic. */
export const OUTBOX_TOPIC: Readonly<Record<WebhookTopic, Topic>> = {
  [WebhookTopic.DEMAND_PUBLISHED]: Topic.DEMAND_PUBLISHED,
  [WebhookTopic.PROJECT_PUBLISHED]: Topic.PROJECT_PUBLISHED,
};

registerEnumType(WebhookTopic, {
  name: 'WebhookTopic',
  description: 'What a webhook endpoint is told about.',
  valuesConfig: {
    DEMAND_PUBLISHED: { description: 'A new demand the organization can serve (as `demandPublished`).' },
    PROJECT_PUBLISHED: {
      description: 'A newly published project the organization is eligible for (as `projectPublished`).',
    },
  },
});

/** The name an outbox topic has in the API and in delivered payloads (`DEMAND_PUBLISHED`). */
export function webhookTopicName(topic: string): WebhookTopic | null {
  const entry = Object.entries(OUTBOX_TOPIC).find(([, value]) => value === topic);
  return entry ? (entry[0] as WebhookTopic) : null;
}

/** Where a delivery stands. */
export enum DeliveryStatus {
  /** Not yet delivered; due at `nextAttemptAt`. */
  PENDING = 'PENDING',
  DELIVERED = 'DELIVERED',
  /** Given up after the maximum number of attempts. */
  FAILED = 'FAILED',
}

registerEnumType(DeliveryStatus, {
  name: 'WebhookDeliveryStatus',
  description: 'Where a webhook delivery stands.',
  valuesConfig: {
    PENDING: { description: 'Not delivered yet; will be tried (again) at `nextAttemptAt`.' },
    DELIVERED: { description: 'The endpoint answered 2xx.' },
    FAILED: { description: 'Given up after the maximum number of attempts.' },
  },
});
