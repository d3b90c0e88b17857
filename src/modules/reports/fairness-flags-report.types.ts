import { Field, Int, ObjectType } from 'type-graphql';
import { FairnessFlagKind } from '../projects/fairness.enums.js';
import { ProjectFairnessFlag } from '../projects/fairness-flag.entity.js';

/** Flags listed in the report, newest first. */
export const FAIRNESS_FLAGS_LISTED = 50;

@ObjectType({ description: 'The fairness flags of one kind over the report’s projects.' })
export class FairnessFlagCount {
  @Field(() => FairnessFlagKind)
  kind!: FairnessFlagKind;

  @Field(() => Int, { description: 'Flags of this kind.' })
  flags!: number;

  @Field(() => Int, { description: 'Distinct projects with at least one flag of this kind.' })
  projects!: number;
}

@ObjectType({
  description:
    'The fairness flags (docs/domain.md, "Fairness flags") of the report’s projects: decisions that narrowed ' +
    'competition, each taken with a written rationale. Public, as the flags are on each public project; ' +
    'no count here concerns a worker, so no cell is suppressed.',
})
export class FairnessFlagsReport {
  @Field(() => Int, { description: 'Flags over the report’s projects.' })
  total!: number;

  @Field(() => Int, { description: 'Projects with at least one flag.' })
  projectsFlagged!: number;

  @Field(() => [FairnessFlagCount], {
    description:
      'One row per kind, in the order FOUNDING_TYPE_RESTRICTION, DIRECT_METHOD, SINGLE_APPLICANT, REPEAT_WINNER (zeros included).',
  })
  byKind!: FairnessFlagCount[];

  @Field(() => [ProjectFairnessFlag], {
    description: `The most recent flags, newest first (at most ${FAIRNESS_FLAGS_LISTED}), with their rationales.`,
  })
  recent!: ProjectFairnessFlag[];
}
