import { ArgsType, Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { IsOptional, Length, Matches, Max, Min } from 'class-validator';
import { Region } from '../regions/region.entity.js';
import { ServiceCategory } from '../categories/service-category.entity.js';
import { MoneyTotal, ORPHAN_DAYS_DEFAULT } from './report.types.js';

/** Demand ids listed per suggestion: as many as `createProjectFromDemands` takes. */
export const SUGGESTED_DEMANDS_MAX = 100;

@ArgsType()
export class SuggestedProjectsArgs {
  @Field(() => String, {
    nullable: true,
    description:
      'GB/T 2260 code; suggestions are per child region of it. Default: your union scope (admins: the provinces).',
  })
  @IsOptional()
  @Matches(/^\d{6}$/, { message: 'must be a 6-digit GB/T 2260 code' })
  regionCode?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Only demands in this category’s subtree (default: every category).',
  })
  @IsOptional()
  @Length(1, 64)
  categoryCode?: string | null;

  @Field(() => Int, {
    nullable: true,
    defaultValue: ORPHAN_DAYS_DEFAULT,
    description: 'How many days a demand must have been OPEN and unclaimed to count (as `orphanDemands`).',
  })
  @IsOptional()
  @Min(1)
  @Max(3650)
  olderThanDays?: number | null;
}

@ObjectType({
  description:
    'What a suggested budget was computed from: the comparable past projects (same category, a region that is ' +
    'the suggestion’s region or its parent, AWARDED, IN_PROGRESS or COMPLETED, made from workers’ demands).',
})
export class SuggestedBudgetBasis {
  @Field(() => Int, { description: 'Comparable projects counted.' })
  comparableProjects!: number;

  @Field(() => MoneyTotal, { description: 'Money awarded to them (awarded applications).' })
  totalAwarded!: MoneyTotal;

  @Field(() => Int, {
    description: 'People they served: the people affected by the demands they were made from.',
  })
  peopleServed!: number;

  @Field(() => MoneyTotal, {
    description: 'totalAwarded ÷ peopleServed, rounded to the nearest fen (halves up).',
  })
  costPerPerson!: MoneyTotal;
}

@ObjectType({
  description:
    'A project the orphan demands of one region and one category call for (职工点单、工会买单): pass `demandIds` ' +
    'to `createProjectFromDemands` to make the draft.',
})
export class SuggestedProject {
  @Field(() => Region, { description: 'A child region of the report’s region (or the region itself).' })
  region!: Region;

  @Field(() => ServiceCategory, { description: 'The demands’ category (one per project).' })
  category!: ServiceCategory;

  @Field(() => Int, {
    description:
      'Orphan demands: OPEN, unclaimed, older than `olderThanDays`, in no live (DRAFT, PUBLISHED, EVALUATING) project.',
  })
  demandCount!: number;

  @Field(() => [ID], {
    description: `Their ids, oldest first (at most ${SUGGESTED_DEMANDS_MAX}, as many as one project takes).`,
  })
  demandIds!: string[];

  @Field(() => Int, { description: 'Workers concerned: the sum of the demands’ `peopleAffected`.' })
  peopleAffected!: number;

  @Field(() => Int, { description: 'Endorsements ("me too") of the demands.' })
  endorsements!: number;

  @Field(() => Float, { description: 'Days the oldest of them has waited, now (2 decimals).' })
  oldestWaitDays!: number;

  @Field(() => Float, {
    description: 'Median days waited, now (PostgreSQL `percentile_cont(0.5)`, 2 decimals).',
  })
  medianWaitDays!: number;

  @Field(() => MoneyTotal, {
    nullable: true,
    description:
      'costPerPerson × peopleAffected; null when no comparable project exists (see `budgetUnavailableReason`).',
  })
  suggestedBudget!: MoneyTotal | null;

  @Field(() => SuggestedBudgetBasis, { nullable: true, description: 'The figures the budget used.' })
  budgetBasis!: SuggestedBudgetBasis | null;

  @Field(() => String, { nullable: true, description: 'Why there is no suggested budget.' })
  budgetUnavailableReason!: string | null;
}

@ObjectType({ description: 'Suggested projects from workers’ unmet demand, for union staff and admins.' })
export class SuggestedProjects {
  @Field(() => Region, { nullable: true, description: 'The region broken down; null for the provinces.' })
  region!: Region | null;

  @Field(() => ServiceCategory, { nullable: true })
  category!: ServiceCategory | null;

  @Field(() => Int)
  olderThanDays!: number;

  @Field(() => Date, { description: 'When computed (waits are measured to this moment).' })
  generatedAt!: Date;

  @Field(() => [SuggestedProject], {
    description: 'Most people affected first, then the longest wait; region and category codes break ties.',
  })
  suggestions!: SuggestedProject[];
}
