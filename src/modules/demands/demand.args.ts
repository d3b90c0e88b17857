import { ArgsType, Field, ID, InputType, Int } from 'type-graphql';
import { ArrayMaxSize, IsEnum, IsOptional, Length, Matches, ValidateNested } from 'class-validator';
import { ConnectionArgs } from '../../core/relay/connection.js';
import { TargetGroup } from '../categories/target-group.js';
import { DemandOrder, DemandStatus, DemandUrgency } from './demand.enums.js';

@InputType({ description: 'Filters of the demand feed; all given filters apply together.' })
export class DemandFilter {
  @Field(() => String, { nullable: true, description: 'Only this category and its subcategories.' })
  @IsOptional()
  @Length(1, 64)
  categoryCode?: string | null;

  @Field(() => String, { nullable: true, description: 'Only this region and the regions in it.' })
  @IsOptional()
  @Matches(/^\d{6}$/, { message: 'must be a 6-digit GB/T 2260 code' })
  regionCode?: string | null;

  @Field(() => [TargetGroup], { nullable: true, description: 'Demands concerning any of these groups.' })
  @IsOptional()
  @ArrayMaxSize(6)
  @IsEnum(TargetGroup, { each: true })
  targetGroups?: TargetGroup[] | null;

  @Field(() => [DemandStatus], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(8)
  @IsEnum(DemandStatus, { each: true })
  statuses?: DemandStatus[] | null;

  @Field(() => [DemandUrgency], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(4)
  @IsEnum(DemandUrgency, { each: true })
  urgency?: DemandUrgency[] | null;

  @Field(() => Date, { nullable: true, description: 'Submitted at or after this time.' })
  @IsOptional()
  createdAfter?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Submitted before this time.' })
  @IsOptional()
  createdBefore?: Date | null;

  @Field(() => ID, {
    nullable: true,
    description: 'Only demands this organization can serve (its categories, regions and target groups).',
  })
  @IsOptional()
  matchingOrganization?: string | null;
}

@ArgsType()
export class DemandsArgs extends ConnectionArgs {
  @Field(() => DemandFilter, { nullable: true })
  @IsOptional()
  @ValidateNested()
  filter?: DemandFilter | null;

  @Field(() => DemandOrder, { nullable: true, description: 'NEWEST when omitted.' })
  @IsOptional()
  @IsEnum(DemandOrder)
  orderBy?: DemandOrder | null;
}

@ArgsType()
export class MatchingOrganizationsArgs extends ConnectionArgs {
  @Field(() => ID)
  demandId!: string;
}

@ArgsType()
export class DemandListArgs extends ConnectionArgs {
  @Field(() => DemandStatus, { nullable: true, description: 'Only demands in this status.' })
  @IsOptional()
  @IsEnum(DemandStatus)
  status?: DemandStatus | null;
}

/** At most this many similar open demands are shown to a worker who submits one (and by default before). */
export const SIMILAR_LIMIT = 5;
/** The most `similarOpenDemands(first:)` lists. */
export const SIMILAR_MAX = 20;
/** The longest title `similarOpenDemands(title:)` takes: a demand's title's limit. */
export const SIMILAR_TITLE_MAX = 200;

/**
 * `similarOpenDemands`' arguments, checked by the service (`similarOpenBefore`) so that a refusal
 * names the argument itself (`regionCode`, `first`), as the worker's form names its fields.
 */
@ArgsType()
export class SimilarOpenDemandsArgs {
  @Field(() => String, { description: 'Service category code of the demand she is about to submit.' })
  categoryCode!: string;

  @Field(() => String, { description: 'GB/T 2260 code of its city or district.' })
  regionCode!: string;

  @Field(() => String, {
    nullable: true,
    description: `Its title so far (at most ${SIMILAR_TITLE_MAX} characters): when given, only demands whose title is similar.`,
  })
  title?: string | null;

  @Field(() => Int, {
    nullable: true,
    description: `How many, at most; default ${SIMILAR_LIMIT}, at most ${SIMILAR_MAX}.`,
  })
  first?: number | null;
}
