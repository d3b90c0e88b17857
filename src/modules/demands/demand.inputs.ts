import type { ReadRecord } from '../../core/read-records.js';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { ArrayMaxSize, IsBoolean, IsEnum, IsOptional, Length, Matches, Max, Min } from 'class-validator';
import { TargetGroup } from '../categories/target-group.js';
import { Demand, DemandProgress } from './demand.entity.js';
import { DemandSource, DemandUrgency } from './demand.enums.js';
import { FreeText } from '../../core/input-text.js';
import { IdempotencyKeyField } from '../../core/idempotency/retry-key.js';

@InputType({ description: 'A new demand, by a worker or by union staff on workers’ behalf.' })
export class SubmitDemandInput {
  @Field(() => String, { description: '2 to 200 characters.' })
  @FreeText({ min: 2, max: 200 })
  title!: string;

  @Field(() => String, { description: 'What is needed, up to 5,000 characters.' })
  @FreeText({ min: 1, max: 5000 })
  description!: string;

  @Field(() => String, { description: 'Service category code, e.g. LIFE.CHILDCARE.' })
  @Length(1, 64, { message: 'must be a service category code' })
  categoryCode!: string;

  @Field(() => String, { description: 'GB/T 2260 code of a city or district.' })
  @Matches(/^\d{6}$/, { message: 'must be a 6-digit GB/T 2260 code' })
  regionCode!: string;

  @Field(() => [TargetGroup], { nullable: true, description: 'Groups concerned; none means all workers.' })
  @IsOptional()
  @ArrayMaxSize(6)
  @IsEnum(TargetGroup, { each: true })
  targetGroups?: TargetGroup[] | null;

  @Field(() => DemandUrgency, { nullable: true, description: 'NORMAL when omitted.' })
  @IsOptional()
  @IsEnum(DemandUrgency)
  urgency?: DemandUrgency | null;

  @Field(() => Int, {
    nullable: true,
    description: 'How many workers it concerns (at least 1; 1 when omitted).',
  })
  @IsOptional()
  @Min(1, { message: 'must be at least 1' })
  @Max(1_000_000, { message: 'must be at most 1000000' })
  peopleAffected?: number | null;

  @Field(() => DemandSource, {
    nullable: true,
    description: 'WORKER for workers (the default); union staff must give UNION_SURVEY or ENTERPRISE.',
  })
  @IsOptional()
  @IsEnum(DemandSource)
  source?: DemandSource | null;

  @Field(() => Boolean, { nullable: true, description: 'Hide the submitter from all but union staff.' })
  @IsOptional()
  @IsBoolean()
  anonymous?: boolean | null;

  @Field(() => String, {
    nullable: true,
    description: 'Private contact (phone, WeChat…), up to 200 characters.',
  })
  @IsOptional()
  @FreeText({ max: 200 })
  contact?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'Let the organization that claims the demand see the contact.',
  })
  @IsOptional()
  @IsBoolean()
  contactConsent?: boolean | null;

  @IdempotencyKeyField('demand')
  idempotencyKey?: string | null;
}

/** `similarOpenDemands` is resolved only when selected (demand.resolver.ts). */
@ObjectType()
export class SubmitDemandPayload {
  @Field(() => Demand)
  demand!: ReadRecord<Demand>;
}

/** Inputs that name one demand and nothing else. */
@InputType()
export class DemandRefInput {
  @Field(() => ID)
  demandId!: string;
}

@InputType({ description: '"Me too": the viewer has the same need.' })
export class EndorseDemandInput extends DemandRefInput {}

@InputType({ description: 'The submitter takes the demand back.' })
export class WithdrawDemandInput extends DemandRefInput {}

@InputType({ description: 'An organization takes the demand on.' })
export class ClaimDemandInput extends DemandRefInput {
  @Field(() => ID, { description: 'The verified organization that claims it (the viewer must be a member).' })
  organizationId!: string;
}

@InputType({ description: 'The claiming organization gives the demand back; it is OPEN again.' })
export class ReleaseDemandInput extends DemandRefInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @FreeText({ max: 1000 })
  reason?: string | null;
}

@InputType({
  description: 'The claiming organization reports progress; the first report starts the service.',
})
export class ReportDemandProgressInput extends DemandRefInput {
  @Field(() => String)
  @FreeText({ min: 1, max: 2000 })
  note!: string;
}

@InputType({ description: 'The claiming organization reports the demand served.' })
export class FulfilDemandInput extends DemandRefInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @FreeText({ max: 2000 })
  note?: string | null;
}

@InputType({ description: 'The submitter rates the service after fulfilment.' })
export class RateDemandInput extends DemandRefInput {
  @Field(() => Int, { description: '1 (poor) to 5 (excellent).' })
  @Min(1, { message: 'must be from 1 to 5' })
  @Max(5, { message: 'must be from 1 to 5' })
  rating!: number;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @FreeText({ max: 1000 })
  comment?: string | null;
}

@InputType({ description: 'Union moderation closes a demand, with a reason; or as a duplicate of another.' })
export class CloseDemandInput extends DemandRefInput {
  @Field(() => String)
  @FreeText({ min: 2, max: 1000 })
  reason!: string;

  @Field(() => ID, {
    nullable: true,
    description: 'When given, the demand becomes CLOSED_DUPLICATE of this one.',
  })
  @IsOptional()
  duplicateOfId?: string | null;
}

@ObjectType({ description: 'The demand after the change.' })
export class DemandPayload {
  @Field(() => Demand)
  demand!: Demand;
}

@ObjectType()
export class ReportDemandProgressPayload extends DemandPayload {
  @Field(() => DemandProgress)
  progress!: DemandProgress;
}
