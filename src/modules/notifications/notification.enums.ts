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
  },
});
