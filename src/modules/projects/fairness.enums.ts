import { registerEnumType } from 'type-graphql';

/**
 * A decision that narrows competition for a purchase (docs/domain.md, "Fairness flags"). Each needs
 * a written rationale at the step where it is taken; it is recorded and shown, never refused.
 */
export enum FairnessFlagKind {
  FOUNDING_TYPE_RESTRICTION = 'FOUNDING_TYPE_RESTRICTION',
  DIRECT_METHOD = 'DIRECT_METHOD',
  SINGLE_APPLICANT = 'SINGLE_APPLICANT',
  REPEAT_WINNER = 'REPEAT_WINNER',
}
registerEnumType(FairnessFlagKind, {
  name: 'FairnessFlagKind',
  description: 'A decision that narrows competition, taken with a written rationale and shown publicly.',
  valuesConfig: {
    FOUNDING_TYPE_RESTRICTION: {
      description:
        'Eligibility restricted by founding type (union-founded, union-incubated, independent), at publication or by an amendment.',
    },
    DIRECT_METHOD: { description: 'Published as DIRECT (单一来源): one invited organization.' },
    SINGLE_APPLICANT: {
      description: 'Awarded when only one organization had applied (withdrawn ones excluded).',
    },
    REPEAT_WINNER: {
      description:
        'Awarded to an organization that had already won at least the set number of this publisher’s projects in the set window (FAIRNESS_REPEAT_WINNER_AWARDS, FAIRNESS_REPEAT_WINNER_WINDOW_MONTHS).',
    },
  },
});

/** The step at which a flag was raised. */
export enum FairnessFlagStep {
  PUBLICATION = 'PUBLICATION',
  AMENDMENT = 'AMENDMENT',
  AWARD = 'AWARD',
}
registerEnumType(FairnessFlagStep, {
  name: 'FairnessFlagStep',
  valuesConfig: {
    PUBLICATION: { description: '`publishProject`: the tender became public.' },
    AMENDMENT: { description: '`updateProject` on a published project.' },
    AWARD: { description: '`awardProject`.' },
  },
});
