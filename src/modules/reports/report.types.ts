import { ArgsType, Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { IsOptional, Max, Min } from 'class-validator';
import { CURRENCY } from '../../core/money.js';
import { ConnectionArgs } from '../../core/relay/connection.js';
import { Region } from '../regions/region.entity.js';
import type { ReadRecord } from '../../core/read-records.js';
import { ServiceCategory } from '../categories/service-category.entity.js';
import { FoundingType } from '../organizations/organization.enums.js';
import { Publisher } from '../projects/publisher.entity.js';
import { SUPPRESSION_THRESHOLD } from './statistics.js';
import type { AwardFairnessNames } from './award-fairness-names.js';

/** Default age after which an unclaimed OPEN demand is listed as an orphan. */
export const ORPHAN_DAYS_DEFAULT = 30;

/**
 * A sum of money in a report. Sums over many awards can exceed GraphQL's 32-bit `Int`, so the exact
 * amount is a decimal string (docs/api.md, "Money and dates": never a float).
 */
@ObjectType({ description: 'A sum of money: exact integer fen as a decimal string (never a float).' })
export class MoneyTotal {
  @Field(() => String, { description: 'The amount in fen (分), an exact integer written in decimal.' })
  amountFen!: string;

  @Field(() => String, { description: 'The same amount in yuan with two decimals, e.g. "1234.50".' })
  yuan!: string;

  @Field(() => String, { description: 'ISO 4217 currency code; always "CNY" today.' })
  currency!: string;
}

/** Wraps an exact fen total (a decimal integer string from SQL, or a safe integer). */
export function moneyTotal(fen: string | number | bigint): MoneyTotal {
  const value = BigInt(fen);
  const sign = value < 0n ? '-' : '';
  const abs = value < 0n ? -value : value;
  const yuan = `${sign}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
  return Object.assign(new MoneyTotal(), { amountFen: value.toString(), yuan, currency: CURRENCY });
}

// ─────────────────────────────────────────────────────────────── supply–demand gap

@ObjectType({
  description:
    'One child region × child category of the supply–demand gap report. Demand counts are null (and ' +
    `\`suppressed\` true) when the cell has fewer than ${SUPPRESSION_THRESHOLD} open demands and the ` +
    'viewer is not union staff, government staff or an admin, so that no worker can be singled out.',
})
export class SupplyDemandCell {
  @Field(() => Region)
  region!: ReadRecord<Region>;

  @Field(() => ServiceCategory)
  category!: ReadRecord<ServiceCategory>;

  @Field(() => Boolean, {
    description: `Whether the demand counts are hidden (fewer than ${SUPPRESSION_THRESHOLD} open demands, viewer not staff).`,
  })
  suppressed!: boolean;

  @Field(() => Int, {
    nullable: true,
    description:
      'Demands that are OPEN now (submitted and not claimed by any organization), submitted in the ' +
      'period, whose region lies in this cell’s region and whose category lies in this cell’s category.',
  })
  openDemands!: number | null;

  @Field(() => Int, {
    nullable: true,
    description:
      'Workers concerned by those demands: each submitter’s estimate plus one per endorsement ("me too").',
  })
  peopleAffected!: number | null;

  @Field(() => Float, {
    nullable: true,
    description:
      'Median age in days, now, of those demands (PostgreSQL `percentile_cont(0.5)`: the mean of the ' +
      'two middle ages for an even count); null when there are none.',
  })
  medianOpenAgeDays!: number | null;

  @Field(() => Int, {
    description:
      'Verified organizations serving the cell: one of their categories is the cell’s category, an ' +
      'ancestor or a descendant of it, and one of their regions is the cell’s region, an ancestor ' +
      '(a city serves all its districts) or a descendant (it serves part of the cell).',
  })
  servingOrganizations!: number;

  @Field(() => Int, {
    description:
      'Monthly capacity (workers a month) of the ACTIVE services of verified organizations that serve ' +
      'the cell by the same rule; services that declare no capacity count 0.',
  })
  monthlyCapacity!: number;

  @Field(() => MoneyTotal, {
    description:
      'Money awarded (awarded applications) to projects awarded in the period whose category lies in ' +
      'the cell’s category and whose regions include the cell’s region or lie inside it. A project for ' +
      'several regions counts in full in each.',
  })
  awarded!: MoneyTotal;

  @Field(() => Float, {
    nullable: true,
    description:
      'Gap score P ÷ (P + C), P = people affected, C = monthly capacity: 0 no unmet demand, 0.5 capacity ' +
      'equals the people waiting, 1 people waiting with no declared capacity. Null when suppressed.',
  })
  gapScore!: number | null;
}

@ObjectType({
  description:
    'Supply against demand by child region × child category (供需错位): where workers wait and who ' +
    'could serve them. Demand counts are over OPEN demands submitted in [from, to); awarded money over ' +
    'projects awarded in [from, to); supply is the directory now.',
})
export class SupplyDemandGap {
  @Field(() => Region, {
    nullable: true,
    description: 'The region broken down into its children; null for the provinces.',
  })
  region!: ReadRecord<Region> | null;

  @Field(() => ServiceCategory, {
    nullable: true,
    description: 'The category broken down into its children; null for the top-level categories.',
  })
  category!: ReadRecord<ServiceCategory> | null;

  @Field(() => Date, { nullable: true, description: 'Start of the period (inclusive).' })
  from!: Date | null;

  @Field(() => Date, { nullable: true, description: 'End of the period (exclusive).' })
  to!: Date | null;

  @Field(() => Date, { description: 'When the report was computed (ages are measured to this moment).' })
  generatedAt!: Date;

  @Field(() => Int, {
    description: 'Cells with fewer open demands are suppressed for viewers who are not staff.',
  })
  suppressionThreshold!: number;

  @Field(() => [SupplyDemandCell], {
    description: 'Every child region × child category, regions by code, categories in taxonomy order.',
  })
  cells!: SupplyDemandCell[];

  /** For the orphan list (a field resolver): the report's region and category codes. */
  regionCode!: string | null;
  categoryCode!: string | null;
}

@ArgsType()
export class OrphanDemandsArgs extends ConnectionArgs {
  @Field(() => Int, {
    nullable: true,
    defaultValue: ORPHAN_DAYS_DEFAULT,
    description: 'How many days a demand must have been OPEN and unclaimed to count as an orphan.',
  })
  @IsOptional()
  @Min(1)
  @Max(3650)
  olderThanDays?: number;
}

// ─────────────────────────────────────────────────────────────── award fairness

@ObjectType({
  description:
    'One founding type’s row of the award fairness ledger. Shares are of the totals over all three ' +
    'founding types; ratios have 4 decimals and are null when their denominator is zero.',
})
export class FoundingTypeFairnessRow {
  @Field(() => FoundingType)
  foundingType!: FoundingType;

  @Field(() => Int, {
    description:
      'Verified organizations of this founding type that serve the report’s region (any of their regions ' +
      'is the region, an ancestor or a descendant), or all verified ones when no region is given: the ' +
      'pool that could compete.',
  })
  eligibleOrganizations!: number;

  @Field(() => Int, {
    description: 'Distinct organizations with at least one application (withdrawn ones excluded).',
  })
  applicants!: number;

  @Field(() => Int, { description: 'Applications to the report’s projects, withdrawn ones excluded.' })
  applications!: number;

  @Field(() => Int, { description: 'Awarded applications.' })
  awards!: number;

  @Field(() => MoneyTotal, { description: 'Money awarded.' })
  awarded!: MoneyTotal;

  @Field(() => Float, { nullable: true, description: 'eligibleOrganizations ÷ all eligible organizations.' })
  eligibleShare!: number | null;

  @Field(() => Float, { nullable: true, description: 'applicants ÷ all applicants.' })
  applicantShare!: number | null;

  @Field(() => Float, { nullable: true, description: 'applications ÷ all applications.' })
  applicationShare!: number | null;

  @Field(() => Float, { nullable: true, description: 'awards ÷ all awards.' })
  awardShare!: number | null;

  @Field(() => Float, { nullable: true, description: 'money awarded ÷ all money awarded.' })
  moneyShare!: number | null;

  @Field(() => Float, { nullable: true, description: 'Win rate: awards ÷ applications of this type.' })
  winRate!: number | null;

  @Field(() => Float, {
    nullable: true,
    description:
      'Parity ratio: share of money ÷ share of applications. 1 = money in proportion to applications; ' +
      'above 1 the type wins more than its applications would predict (the "second union" 二工会 tilt ' +
      'shows as UNION_FOUNDED above 1 and INDEPENDENT below).',
  })
  parityRatio!: number | null;
}

@ObjectType({
  description: 'An organization that won two or more awards from the same publisher in the period.',
})
export class RepeatWinner {
  @Field(() => ID, { description: 'Global id of the organization.' })
  organizationId!: string;

  /** The organization's database id; `organization` is resolved from it (award-fairness.resolver.ts). */
  organizationKey!: number;

  /** Where `organization` is read from, per request. */
  names!: AwardFairnessNames;

  @Field(() => Int)
  awards!: number;

  @Field(() => MoneyTotal)
  awarded!: MoneyTotal;
}

@ObjectType({ description: 'How concentrated one publisher’s awards are.' })
export class PublisherConcentration {
  /** The publisher's database id; `publisher` is resolved from it (award-fairness.resolver.ts). */
  publisherKey!: number;

  /** Where `publisher` is read from, per request. */
  names!: AwardFairnessNames;

  @Field(() => Int, { description: 'Its projects in the report (published in the period).' })
  projects!: number;

  @Field(() => Int, {
    description: 'Of them, projects that received at least one (not withdrawn) application.',
  })
  projectsWithApplications!: number;

  @Field(() => Int, { description: 'Of them, projects with exactly one applicant organization.' })
  singleApplicantProjects!: number;

  @Field(() => Float, {
    nullable: true,
    description: 'singleApplicantProjects ÷ projectsWithApplications: how often there was no competition.',
  })
  singleApplicantRate!: number | null;

  @Field(() => MoneyTotal, { description: 'Money it awarded.' })
  awarded!: MoneyTotal;

  @Field(() => Float, {
    nullable: true,
    description:
      'Herfindahl–Hirschman index of its awarded money over organizations: Σ sᵢ², sᵢ = organization i’s ' +
      'share of the money, on a 0–1 scale (×10,000 for the antitrust convention; above 0.25 is highly ' +
      'concentrated). 1/n for n equal winners, 1 for a single winner; null when nothing was awarded.',
  })
  herfindahlIndex!: number | null;

  /**
   * Its repeat winners without names, shared by every request (the report cache keeps them); the
   * `repeatWinners` field gives them this request's `names` (award-fairness.resolver.ts).
   */
  repeatWinnerFigures!: readonly RepeatWinnerFigures[];
}

/** A repeat winner as the report cache keeps it: everything but the per-request `names`. */
export type RepeatWinnerFigures = Readonly<Omit<RepeatWinner, 'names'>>;

/** A publisher's row as the report cache keeps it: everything but the per-request `names`. */
export type PublisherFigures = Readonly<Omit<PublisherConcentration, 'names'>>;

@ObjectType({
  description:
    'The award fairness ledger: awards by founding type against applications and eligible organizations, ' +
    'and the concentration of each publisher’s money. The projects are the non-draft projects published ' +
    'in [from, to), of the publisher and with a region in the region’s subtree when those are given.',
})
export class AwardFairness {
  @Field(() => Publisher, { nullable: true })
  publisher!: Publisher | null;

  @Field(() => Region, { nullable: true })
  region!: ReadRecord<Region> | null;

  @Field(() => Date, {
    nullable: true,
    description: 'Start of the period (inclusive), on publication dates.',
  })
  from!: Date | null;

  @Field(() => Date, { nullable: true, description: 'End of the period (exclusive).' })
  to!: Date | null;

  @Field(() => Int, { description: 'Projects in the report.' })
  projects!: number;

  @Field(() => [FoundingTypeFairnessRow], {
    description: 'One row per founding type: UNION_FOUNDED, UNION_INCUBATED, INDEPENDENT.',
  })
  byFoundingType!: readonly FoundingTypeFairnessRow[];

  @Field(() => [PublisherConcentration], {
    description: 'One row per publisher with projects in the report.',
  })
  publishers!: PublisherConcentration[];
}
