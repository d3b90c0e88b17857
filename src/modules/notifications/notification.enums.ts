import { registerEnumType } from 'type-graphql';

/** What a notification is about: one template each (notification-templates.ts). */
export enum NotificationTopic {
  /** A new demand one of the recipient's verified organizations can serve. */
  DEMAND_MATCHED = 'DEMAND_MATCHED',
  /** A newly published project one of the recipient's organizations is eligible for. */
  PROJECT_ELIGIBLE = 'PROJECT_ELIGIBLE',
  /** The decision (awarded, rejected) on an application of the recipient's organization. */
  APPLICATION_DECIDED = 'APPLICATION_DECIDED',
  /** The recipient's organization was verified or suspended. */
  VERIFICATION_DECIDED = 'VERIFICATION_DECIDED',
  /** The recipient's own demand was claimed, served, fulfilled, released, expired or closed. */
  OWN_DEMAND_UPDATED = 'OWN_DEMAND_UPDATED',
  /** A demand the recipient endorsed was fulfilled. */
  ENDORSED_DEMAND_FULFILLED = 'ENDORSED_DEMAND_FULFILLED',
  /** A claim of the recipient's organization will lapse soon unless it reports progress. */
  CLAIM_LAPSING = 'CLAIM_LAPSING',
  /** A webhook endpoint of an organization the recipient administers was disabled after failures. */
  WEBHOOK_DISABLED = 'WEBHOOK_DISABLED',
  /** The application period of a project of the recipient's publisher closed: evaluation can start. */
  APPLICATION_PERIOD_CLOSED = 'APPLICATION_PERIOD_CLOSED',
  /** The awarded organization reported a milestone of a contract of the recipient's publisher. */
  MILESTONE_REPORTED = 'MILESTONE_REPORTED',
  /** The publisher accepted or returned a milestone reported by the recipient's organization. */
  MILESTONE_DECIDED = 'MILESTONE_DECIDED',
  /** The publisher recorded a payment under a contract of the recipient's organization. */
  CONTRACT_PAYMENT_RECORDED = 'CONTRACT_PAYMENT_RECORDED',
  /** A project one of the recipient's organizations is eligible for published a clarification answer. */
  PROJECT_CLARIFIED = 'PROJECT_CLARIFIED',
}

registerEnumType(NotificationTopic, {
  name: 'NotificationTopic',
  description: 'What a notification is about.',
  valuesConfig: {
    DEMAND_MATCHED: { description: 'A new demand your verified organization can serve.' },
    PROJECT_ELIGIBLE: { description: 'A newly published project your organization is eligible for.' },
    APPLICATION_DECIDED: { description: 'Your organization’s application was awarded or rejected.' },
    VERIFICATION_DECIDED: { description: 'Your organization was verified or suspended.' },
    OWN_DEMAND_UPDATED: {
      description: 'Your demand was claimed, taken into service, fulfilled, released, expired or closed.',
    },
    ENDORSED_DEMAND_FULFILLED: { description: 'A demand you endorsed was fulfilled.' },
    CLAIM_LAPSING: {
      description: 'A claim of your organization lapses soon unless it reports progress.',
    },
    WEBHOOK_DISABLED: {
      description: 'A webhook endpoint of an organization you administer was disabled after failures.',
    },
    APPLICATION_PERIOD_CLOSED: {
      description: 'The application period of a project of your publisher closed.',
    },
    MILESTONE_REPORTED: {
      description: 'The awarded organization reported a milestone of a contract of your publisher.',
    },
    MILESTONE_DECIDED: {
      description: 'The publisher accepted or returned a milestone your organization reported.',
    },
    CONTRACT_PAYMENT_RECORDED: {
      description: 'The publisher recorded a payment under a contract of your organization.',
    },
    PROJECT_CLARIFIED: {
      description:
        'A project your organization is eligible for answered a clarification question (every eligible organization is told at once).',
    },
  },
});

/** Where a notification is delivered. */
export enum NotificationChannel {
  /** The inbox in the app (`notifications`). */
  IN_APP = 'IN_APP',
  /** An e-mail to the account's address. */
  EMAIL = 'EMAIL',
  /** A text message to the account's mobile (only for her own demand's updates, with her consent). */
  SMS = 'SMS',
}

registerEnumType(NotificationChannel, {
  name: 'NotificationChannel',
  description: 'Where a notification is delivered.',
});

/** How often a topic reaches a channel. */
export enum NotificationFrequency {
  INSTANT = 'INSTANT',
  DAILY_DIGEST = 'DAILY_DIGEST',
  OFF = 'OFF',
}

registerEnumType(NotificationFrequency, {
  name: 'NotificationFrequency',
  description: 'How often a topic reaches a channel.',
  valuesConfig: {
    INSTANT: { description: 'Each notification as it is made.' },
    DAILY_DIGEST: { description: 'One daily summary (e-mail only).' },
    OFF: { description: 'Never.' },
  },
});

/** Where an effective preference comes from. */
export enum NotificationPreferenceSource {
  /** The person's own choice. */
  OWN = 'OWN',
  /** The default an organization of hers set for its members. */
  ORGANIZATION = 'ORGANIZATION',
  /** The hub's default. */
  DEFAULT = 'DEFAULT',
}

registerEnumType(NotificationPreferenceSource, {
  name: 'NotificationPreferenceSource',
  description: 'Where an effective notification preference comes from.',
});
