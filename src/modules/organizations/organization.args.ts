import { ArgsType, Field, ID, InputType, registerEnumType } from 'type-graphql';
import { IsEnum, IsOptional, Matches, MaxLength, ValidateNested } from 'class-validator';
import { ConnectionArgs } from '../../core/relay/connection.js';
import { TargetGroup } from '../categories/target-group.js';
import {
  EvaluationGrade,
  FoundingType,
  HubMembershipStatus,
  ProviderKind,
  VerificationStatus,
} from './organization.enums.js';
import { FreeText } from '../../core/input-text.js';

/** How the directory is ordered; every order ends with the id, so keyset pages are exact. */
export enum OrganizationOrder {
  NAME = 'NAME',
  NEWEST = 'NEWEST',
  RATING = 'RATING',
  RELEVANCE = 'RELEVANCE',
}
registerEnumType(OrganizationOrder, {
  name: 'OrganizationOrder',
  valuesConfig: {
    NAME: { description: 'By name (the default).' },
    NEWEST: { description: 'Most recently registered first.' },
    RATING: { description: 'Best average worker rating first; unrated last.' },
    RELEVANCE: {
      description: 'Best match of `filter.text` first (name matches before others); by name without text.',
    },
  },
});

@InputType({ description: 'Directory filters; all given filters must hold.' })
export class OrganizationFilter {
  @Field(() => String, {
    nullable: true,
    description: 'Words in the name, description, brand or services (Chinese or English, case-insensitive).',
  })
  @IsOptional()
  @FreeText({ max: 100 })
  text?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Organizations offering this category, a broader one, or one inside it.',
  })
  @IsOptional()
  @MaxLength(64)
  categoryCode?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Organizations serving this region, a region containing it, or a region inside it.',
  })
  @IsOptional()
  @Matches(/^\d{6}$/, { message: 'must be a 6-digit GB/T 2260 code' })
  regionCode?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Organizations registered in this region or below it.',
  })
  @IsOptional()
  @Matches(/^\d{6}$/, { message: 'must be a 6-digit GB/T 2260 code' })
  homeRegionCode?: string | null;

  @Field(() => [TargetGroup], { nullable: true, description: 'Serving any of these groups.' })
  @IsOptional()
  targetGroups?: TargetGroup[] | null;

  @Field(() => [FoundingType], { nullable: true, description: 'Founded in any of these ways.' })
  @IsOptional()
  foundingTypes?: FoundingType[] | null;

  @Field(() => Boolean, { nullable: true })
  @IsOptional()
  isHub?: boolean | null;

  @Field(() => ID, { nullable: true, description: 'Accepted members of this hub.' })
  @IsOptional()
  hubId?: string | null;

  @Field(() => EvaluationGrade, { nullable: true, description: 'At least this evaluation grade.' })
  @IsOptional()
  minGrade?: EvaluationGrade | null;

  @Field(() => VerificationStatus, {
    nullable: true,
    description: 'Only this status; unverified ones appear only to those who may see them.',
  })
  @IsOptional()
  verificationStatus?: VerificationStatus | null;

  @Field(() => [ProviderKind], { nullable: true, description: 'Of any of these kinds of provider.' })
  @IsOptional()
  @IsEnum(ProviderKind, { each: true })
  providerKinds?: ProviderKind[] | null;
}

@ArgsType()
export class OrganizationsArgs extends ConnectionArgs {
  @Field(() => OrganizationFilter, { nullable: true })
  @IsOptional()
  @ValidateNested()
  filter?: OrganizationFilter | null;

  @Field(() => OrganizationOrder, { nullable: true, defaultValue: OrganizationOrder.NAME })
  orderBy?: OrganizationOrder;
}

@ArgsType()
export class HubMembershipRequestListArgs extends ConnectionArgs {
  @Field(() => HubMembershipStatus, { nullable: true, description: 'Only requests in this status.' })
  @IsOptional()
  @IsEnum(HubMembershipStatus)
  status?: HubMembershipStatus | null;
}
