import { Field, Int, ObjectType } from 'type-graphql';
import { Region } from '../regions/region.entity.js';
import { ServiceCategory } from '../categories/service-category.entity.js';
import { VerificationStatus } from './organization.enums.js';
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
