import { Field, Float, Int, ObjectType } from 'type-graphql';
import { Money } from '../../core/money.js';
import { OUTCOME_SUPPRESSION_THRESHOLD } from './project-contract.js';

@ObjectType({ description: 'The period a contract runs.' })
export class ContractPeriod {
  @Field(() => Date) startDate!: Date;
  @Field(() => Date) endDate!: Date;
}

@ObjectType({
  description:
    'What the workers whose demands the project was made from say of it: each confirms whether she was served and rates it 1 to 5. Figures only, never who answered what.',
})
export class ProjectOutcomeConfirmations {
  @Field(() => Int, { description: 'Workers who confirmed they were served.' })
  confirmedServed!: number;

  @Field(() => Int, { description: 'Workers who answered (served or not).' })
  responses!: number;

  @Field(() => Float, {
    nullable: true,
    description: `The mean rating, to two decimals; null (suppressed) with fewer than ${OUTCOME_SUPPRESSION_THRESHOLD} ratings.`,
  })
  meanRating!: number | null;

  @Field(() => Boolean, {
    description: `Whether fewer than ${OUTCOME_SUPPRESSION_THRESHOLD} workers answered: no cost per worker is computed then.`,
  })
  suppressed!: boolean;

  @Field(() => Money, {
    nullable: true,
    description:
      'The contract value (the amount awarded before a contract is signed) divided by the workers confirmed served, to the nearest fen; null when none confirmed, when suppressed, or before the award.',
  })
  costPerConfirmedWorker!: Money | null;
}
