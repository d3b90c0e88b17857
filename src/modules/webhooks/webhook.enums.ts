import { registerEnumType } from 'type-graphql';
import { Topic } from '../../core/events/outbox.js';

/** The topics an endpoint can receive (stored by name on the endpoint). */
export enum WebhookTopic {
  DEMAND_PUBLISHED = 'DEMAND_PUBLISHED',
  PROJECT_PUBLISHED = 'PROJECT_PUBLISHED',
  DEMAND_UPDATED = 'DEMAND_UPDATED',
  APPLICATION_DECIDED = 'APPLICATION_DECIDED',
  VERIFICATION_DECIDED = 'VERIFICATION_DECIDED',
  PROJECT_AWARDED = 'PROJECT_AWARDED',
  CLAIM_LAPSING = 'CLAIM_LAPSING',
}

/** The outbox topic (what `event.topic` holds) of each webhook topic. */
export const OUTBOX_TOPIC: Readonly<Record<WebhookTopic, Topic>> = {
  [WebhookTopic.DEMAND_PUBLISHED]: Topic.DEMAND_PUBLISHED,
  [WebhookTopic.PROJECT_PUBLISHED]: Topic.PROJECT_PUBLISHED,
  [WebhookTopic.DEMAND_UPDATED]: Topic.DEMAND_UPDATED,
  [WebhookTopic.APPLICATION_DECIDED]: Topic.APPLICATION_DECIDED,
  [WebhookTopic.VERIFICATION_DECIDED]: Topic.VERIFICATION_DECIDED,
  [WebhookTopic.PROJECT_AWARDED]: Topic.PROJECT_AWARDED,
  [WebhookTopic.CLAIM_LAPSING]: Topic.CLAIM_LAPSING,
};

/** The outbox topics some endpoint may be told about (the worker wakes up for these). */
export const WEBHOOK_OUTBOX_TOPICS: ReadonlySet<string> = new Set(Object.values(OUTBOX_TOPIC));

registerEnumType(WebhookTopic, {
  name: 'WebhookTopic',
  description: 'What a webhook endpoint is told about.',
  valuesConfig: {
    DEMAND_PUBLISHED: { description: 'A new demand the organization can serve (as `demandPublished`).' },
    PROJECT_PUBLISHED: {
      description: 'A newly published project the organization is eligible for (as `projectPublished`).',
    },
    DEMAND_UPDATED: {
      description:
        'A status change of a demand the organization claims, including the change that ends its claim ' +
        '(as `demandUpdated` for its members). Never carries the worker’s contact.',
    },
    APPLICATION_DECIDED: {
      description: 'A decision (AWARDED or REJECTED) on one of the organization’s own applications.',
    },
    VERIFICATION_DECIDED: {
      description: 'A union’s decision on the organization’s own verification (verified or suspended).',
    },
    PROJECT_AWARDED: {
      description:
        'A project the organization applied to was awarded: the project, and the decision on the ' +
        'organization’s own application only.',
    },
    CLAIM_LAPSING: {
      description:
        'A demand the organization claims will lapse soon for want of a progress report (once per ' +
        'claim period, `DEMAND_CLAIM_LAPSE_WARNING_HOURS` ahead). Never carries the worker’s contact.',
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
