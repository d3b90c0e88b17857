import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsOptional,
  IsUrl,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { TargetGroup } from '../categories/target-group.js';
import {
  EvaluationGrade,
  FoundingType,
  MemberRole,
  OrganizationKind,
  ProviderKind,
  ServiceFee,
  ServiceMode,
  ServiceStatus,
} from './organization.enums.js';
import { Organization } from './organization.entity.js';
import { ServiceOffering } from './service.entity.js';
import { HubMembershipRequest, OrganizationMember } from './membership.entity.js';
import { FreeText } from '../../core/input-text.js';
import { IdempotencyKeyField } from '../../core/idempotency/retry-key.js';

const REGION_CODE = /^\d{6}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

@InputType({ description: '一组织一品牌: the featured programme of an organization.' })
export class BrandInput {
  @Field(() => String)
  @FreeText({ min: 1, max: 200 })
  name!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @FreeText({ max: 5000 })
  description?: string | null;

  @Field(() => String, { nullable: true, description: 'ISO date (YYYY-MM-DD) the programme started.' })
  @IsOptional()
  @Matches(ISO_DATE, { message: 'must be a date YYYY-MM-DD' })
  since?: string | null;
}

@InputType({ description: 'A social organization registers itself; it stays PENDING until verified.' })
export class RegisterOrganizationInput {
  @Field(() => String)
  @FreeText({ min: 2, max: 200 })
  name!: string;

  @Field(() => String, {
    nullable: true,
    description:
      'Unified social credit code (统一社会信用代码), 18 characters; its first character must be that of `providerKind`. Required for every kind but COMMUNITY_GROUP, which has none.',
  })
  @IsOptional()
  @MaxLength(64)
  creditCode?: string | null;

  @Field(() => OrganizationKind, {
    nullable: true,
    description:
      "A social organization's legal form: required for SOCIAL_ORGANIZATION, and must agree with the credit code's second character; omitted for the other provider kinds.",
  })
  @IsOptional()
  kind?: OrganizationKind | null;

  @Field(() => FoundingType)
  foundingType!: FoundingType;

  @Field(() => String, { description: 'GB/T 2260 code of the region it is registered in.' })
  @Matches(REGION_CODE, { message: 'must be a 6-digit GB/T 2260 code' })
  homeRegionCode!: string;

  @Field(() => [String], { nullable: true, description: 'Regions served; the home region by default.' })
  @IsOptional()
  @ArrayMaxSize(50)
  @Matches(REGION_CODE, { each: true, message: 'must be 6-digit GB/T 2260 codes' })
  regionCodes?: string[] | null;

  @Field(() => [String], { description: 'Service category codes; each covers its subtree.' })
  @ArrayMinSize(1, { message: 'must name at least one category' })
  @ArrayMaxSize(30)
  categoryCodes!: string[];

  @Field(() => [TargetGroup], { nullable: true })
  @IsOptional()
  targetGroups?: TargetGroup[] | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @FreeText({ max: 5000 })
  description?: string | null;

  @Field(() => String, { nullable: true, description: 'Phone or email the organization publishes.' })
  @IsOptional()
  @FreeText({ max: 200 })
  publicContact?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsUrl({ require_protocol: true, protocols: ['http', 'https'] }, { message: 'must be an http(s) URL' })
  @MaxLength(300)
  website?: string | null;

  @Field(() => BrandInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  brand?: BrandInput | null;

  @Field(() => ProviderKind, {
    nullable: true,
    description:
      'What kind of provider it is (SOCIAL_ORGANIZATION by default); each has its own verification rule.',
  })
  @IsOptional()
  providerKind?: ProviderKind | null;

  @Field(() => ID, {
    nullable: true,
    description:
      'For a COMMUNITY_GROUP only, and required for it: the verified hub that sponsors it and verifies it.',
  })
  @IsOptional()
  sponsorOrganizationId?: string | null;

  @IdempotencyKeyField('organization')
  idempotencyKey?: string | null;
}

@InputType({ description: "Changes to an organization's profile; omitted fields stay as they are." })
export class UpdateOrganizationInput {
  @Field(() => ID)
  organizationId!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @FreeText({ min: 2, max: 200 })
  name?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @FreeText({ max: 5000 })
  description?: string | null;

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMinSize(1, { message: 'must name at least one region' })
  @ArrayMaxSize(50)
  @Matches(REGION_CODE, { each: true, message: 'must be 6-digit GB/T 2260 codes' })
  regionCodes?: string[] | null;

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMinSize(1, { message: 'must name at least one category' })
  @ArrayMaxSize(30)
  categoryCodes?: string[] | null;

  @Field(() => [TargetGroup], { nullable: true })
  @IsOptional()
  targetGroups?: TargetGroup[] | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @FreeText({ max: 200 })
  publicContact?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsUrl({ require_protocol: true, protocols: ['http', 'https'] }, { message: 'must be an http(s) URL' })
  @MaxLength(300)
  website?: string | null;

  @Field(() => BrandInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  brand?: BrandInput | null;
}

@InputType({ description: 'A new service of an organization.' })
export class AddServiceInput {
  @Field(() => ID)
  organizationId!: string;

  @Field(() => String)
  @FreeText({ min: 1, max: 200 })
  name!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @FreeText({ max: 5000 })
  description?: string | null;

  @Field(() => [String])
  @ArrayMinSize(1, { message: 'must name at least one category' })
  @ArrayMaxSize(30)
  categoryCodes!: string[];

  @Field(() => [String], { nullable: true, description: "The organization's regions by default." })
  @IsOptional()
  @ArrayMaxSize(50)
  @Matches(REGION_CODE, { each: true, message: 'must be 6-digit GB/T 2260 codes' })
  regionCodes?: string[] | null;

  @Field(() => [TargetGroup], { nullable: true })
  @IsOptional()
  targetGroups?: TargetGroup[] | null;

  @Field(() => ServiceMode)
  mode!: ServiceMode;

  @Field(() => ServiceFee)
  fee!: ServiceFee;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @Min(0)
  @Max(1_000_000)
  monthlyCapacity?: number | null;

  @IdempotencyKeyField('service')
  idempotencyKey?: string | null;
}

@InputType({ description: 'Changes to a service; omitted fields stay as they are.' })
export class UpdateServiceInput {
  @Field(() => ID)
  serviceId!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @FreeText({ min: 1, max: 200 })
  name?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @FreeText({ max: 5000 })
  description?: string | null;

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMinSize(1, { message: 'must name at least one category' })
  @ArrayMaxSize(30)
  categoryCodes?: string[] | null;

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @Matches(REGION_CODE, { each: true, message: 'must be 6-digit GB/T 2260 codes' })
  regionCodes?: string[] | null;

  @Field(() => [TargetGroup], { nullable: true })
  @IsOptional()
  targetGroups?: TargetGroup[] | null;

  @Field(() => ServiceMode, { nullable: true })
  @IsOptional()
  mode?: ServiceMode | null;

  @Field(() => ServiceFee, { nullable: true })
  @IsOptional()
  fee?: ServiceFee | null;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @Min(0)
  @Max(1_000_000)
  monthlyCapacity?: number | null;

  @Field(() => ServiceStatus, { nullable: true })
  @IsOptional()
  status?: ServiceStatus | null;
}

@InputType()
export class RemoveServiceInput {
  @Field(() => ID)
  serviceId!: string;
}

@InputType({ description: 'Adds an existing account to an organization.' })
export class AddOrganizationMemberInput {
  @Field(() => ID)
  organizationId!: string;

  @Field(() => String, { description: 'Email address or mobile number of the account.' })
  @Length(1, 254)
  login!: string;

  @Field(() => MemberRole)
  role!: MemberRole;
}

@InputType({ description: "An organization's admin changes a member's role." })
export class SetOrganizationMemberRoleInput {
  @Field(() => ID)
  organizationId!: string;

  @Field(() => ID, { description: 'Global id of the member.' })
  userId!: string;

  @Field(() => MemberRole)
  role!: MemberRole;
}

@InputType()
export class RemoveOrganizationMemberInput {
  @Field(() => ID)
  organizationId!: string;

  @Field(() => ID, { description: 'Global id of the user to remove.' })
  userId!: string;
}

@InputType({ description: 'Union staff in scope, or an admin, verify an organization.' })
export class VerifyOrganizationInput {
  @Field(() => ID)
  organizationId!: string;

  @Field(() => String, { nullable: true, description: 'What was checked (recorded with who and when).' })
  @IsOptional()
  @FreeText({ max: 2000 })
  reason?: string | null;

  @Field(() => EvaluationGrade, { nullable: true, description: 'The evaluation grade the documents show.' })
  @IsOptional()
  grade?: EvaluationGrade | null;

  @Field(() => String, { nullable: true, description: 'ISO date the grade is valid until.' })
  @IsOptional()
  @Matches(ISO_DATE, { message: 'must be a date YYYY-MM-DD' })
  gradeValidUntil?: string | null;
}

@InputType({ description: 'Union staff in scope, or an admin, suspend an organization, with a reason.' })
export class SuspendOrganizationInput {
  @Field(() => ID)
  organizationId!: string;

  @Field(() => String)
  @FreeText({ min: 1, max: 2000 })
  reason!: string;
}

@InputType({ description: 'Union staff in scope, or an admin, mark an organization as a hub or not.' })
export class SetHubStatusInput {
  @Field(() => ID)
  organizationId!: string;

  @Field(() => Boolean)
  isHub!: boolean;
}

@InputType({ description: "An organization's admin asks a verified hub to accept it as a member." })
export class RequestHubMembershipInput {
  @Field(() => ID)
  organizationId!: string;

  @Field(() => ID)
  hubId!: string;
}

@InputType({ description: "The hub's admin accepts or rejects a membership request." })
export class DecideHubMembershipInput {
  @Field(() => ID)
  requestId!: string;

  @Field(() => Boolean)
  accept!: boolean;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @FreeText({ max: 2000 })
  reason?: string | null;
}

@ObjectType({ description: 'The organization after the change.' })
export class OrganizationPayload {
  @Field(() => Organization)
  organization!: Organization;
}

@ObjectType()
export class ServicePayload {
  @Field(() => ServiceOffering)
  service!: ServiceOffering;

  @Field(() => Organization)
  organization!: Organization;
}

@ObjectType()
export class RemoveServicePayload {
  @Field(() => ID, { description: 'Global id of the removed service.' })
  removedServiceId!: string;

  @Field(() => Organization)
  organization!: Organization;
}

@ObjectType()
export class OrganizationMemberPayload {
  @Field(() => OrganizationMember)
  member!: OrganizationMember;

  @Field(() => Organization)
  organization!: Organization;
}

@ObjectType()
export class RemoveOrganizationMemberPayload {
  @Field(() => ID)
  removedUserId!: string;

  @Field(() => Organization)
  organization!: Organization;
}

@ObjectType()
export class HubMembershipPayload {
  @Field(() => HubMembershipRequest)
  request!: HubMembershipRequest;
}

@InputType({
  description:
    "The sponsoring hub's admin (or a platform admin) verifies or declines a PENDING community group it sponsors.",
})
export class DecideSponsoredGroupInput {
  @Field(() => ID)
  organizationId!: string;

  @Field(() => Boolean, {
    description: 'true verifies it (VERIFIED); false declines it (SUSPENDED, with the reason).',
  })
  accept!: boolean;

  @Field(() => String, {
    nullable: true,
    description: 'What was checked, or why it is declined (required to decline).',
  })
  @IsOptional()
  @FreeText({ max: 2000 })
  reason?: string | null;
}
