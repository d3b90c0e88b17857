import { Field, ObjectType, registerEnumType } from 'type-graphql';

/**
 * Groups of workers that services and demands are aimed at (docs/domain.md, "Categories and target
 * groups").
 */
export enum TargetGroup {
  FEMALE_WORKERS = 'FEMALE_WORKERS',
  DISABLED_WORKERS = 'DISABLED_WORKERS',
  MIGRANT_WORKERS = 'MIGRANT_WORKERS',
  HARDSHIP_WORKERS = 'HARDSHIP_WORKERS',
  NEW_EMPLOYMENT_FORMS = 'NEW_EMPLOYMENT_FORMS',
  ALL_WORKERS = 'ALL_WORKERS',
}

registerEnumType(TargetGroup, {
  name: 'TargetGroup',
  description: 'A group of workers a service or demand is aimed at; `targetGroups` gives bilingual labels.',
  valuesConfig: {
    FEMALE_WORKERS: { description: '女职工 — female workers' },
    DISABLED_WORKERS: { description: '残疾职工 — disabled workers' },
    MIGRANT_WORKERS: { description: '农民工 — migrant workers' },
    HARDSHIP_WORKERS: { description: '困难职工及家庭 — workers in hardship and their families' },
    NEW_EMPLOYMENT_FORMS: { description: '新就业形态劳动者 — couriers, riders and other platform workers' },
    ALL_WORKERS: { description: '全体职工 — all workers' },
  },
});

@ObjectType({ description: 'A target group with its bilingual labels.' })
export class TargetGroupInfo {
  @Field(() => TargetGroup) code!: TargetGroup;
  @Field(() => String, { description: 'Chinese label.' }) name!: string;
  @Field(() => String, { description: 'English label.' }) nameEn!: string;
}
