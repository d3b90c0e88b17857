import { Field, Int, ObjectType } from 'type-graphql';
import { Region } from '../regions/region.entity.js';
import { ServiceCategory } from '../categories/service-category.entity.js';
import { CreditCodeProblemReason, OrganizationKind, VerificationStatus } from './organization.enums.js';
import type { ReadRecord } from '../../core/read-records.js';

@ObjectType({ description: '一组织一品牌: the featured programme of an organization.' })
export class Brand {
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true }) description!: string | null;
  @Field(() => String, { nullable: true, description: 'ISO date the programme started.' }) since!:
    string | null;
}

@ObjectType({ description: 'Where an organization stands with the union, and the last decision about it.' })
export class Verification {
  @Field(() => VerificationStatus) status!: VerificationStatus;
  @Field(() => String, { nullable: true, description: 'The reason the deciding staff recorded.' })
  reason!: string | null;
  @Field(() => Date, { nullable: true }) decidedAt!: Date | null;
}

@ObjectType({
  description:
    'What the hub found in an organization’s unified social credit code when it registered or last changed its profile.',
})
export class CreditCodeCheck {
  @Field(() => Boolean, {
    description: 'Eighteen valid characters whose check character (the 18th) is right.',
  })
  checksumValid!: boolean;
  @Field(() => String, { nullable: true, description: 'The registration authority’s character (the 1st).' })
  authorityCode!: string | null;
  @Field(() => Boolean, { description: 'Registered by civil affairs (`5`), as social organizations are.' })
  civilAffairs!: boolean;
  @Field(() => OrganizationKind, {
    nullable: true,
    description: 'The kind the code encodes (the 2nd character); null when not a social organization’s.',
  })
  kind!: OrganizationKind | null;
  @Field(() => String, {
    nullable: true,
    description: 'Characters 3–8: the GB/T 2260 code of the region whose administration registered it.',
  })
  registrationRegionCode!: string | null;
  @Field(() => CreditCodeProblemReason, {
    nullable: true,
    description: 'The first problem against the declared kind; null when the code is acceptable.',
  })
  problem!: CreditCodeProblemReason | null;
  @Field(() => Date) checkedAt!: Date;
}

@ObjectType({ description: 'Verified organizations and active services in one child region.' })
export class RegionCount {
  @Field(() => Region) region!: ReadRecord<Region>;
  @Field(() => Int) organizationCount!: number;
  @Field(() => Int) serviceCount!: number;
}

@ObjectType({ description: 'Verified organizations and active services in one child category.' })
export class CategoryCount {
  @Field(() => ServiceCategory) category!: ReadRecord<ServiceCategory>;
  @Field(() => Int) organizationCount!: number;
  @Field(() => Int) serviceCount!: number;
}

@ObjectType({
  description:
    'The regional distribution and service content of the directory (verified organizations only).',
})
export class OrganizationStats {
  @Field(() => [RegionCount], {
    description: 'Per child region of `regionCode` (top-level regions without it).',
  })
  byRegion!: RegionCount[];
  @Field(() => [CategoryCount], {
    description: 'Per child category of `categoryCode` (top-level categories without it).',
  })
  byCategory!: CategoryCount[];
}
