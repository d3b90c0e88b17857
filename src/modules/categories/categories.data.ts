/**
 * Reference data for the service-category taxonomy and the worker target groups.
 *
 * The five top-level categories follow the purchase-of-service catalogue that the source paper
 * cites (Beijing's catalogue for trade unions buying services from social organizations); the
 * children are the service fields the paper names. Codes are upper-case dotted paths so that
 * "is c in the subtree of p" is a prefix test (`c === p || c.startsWith(p + '.')`) — the directory
 * search and the match index both rely on that, so a child's code must always extend its parent's.
 *
 * This file is data only: the seeder/migration that loads it owns idempotency.
 */

/** One node of the service-category tree, as seeded into the database. */
export interface CategorySeed {
  /** Stable dotted code, e.g. `LIFE.CHILDCARE`; a child's code is its parent's code plus `.` plus a segment. */
  code: string;
  /** Chinese label, as unions and organizations use it (simplified characters). */
  name: string;
  /** Short English label. */
  nameEn: string;
  /** Code of the parent category, or `null` for a top-level category. */
  parentCode: string | null;
  /** Display position among siblings, starting at 1. */
  sortOrder: number;
}

/**
 * The service categories: top-level entries first, then the children grouped by parent in the
 * parents' order, so that a loader inserting in array order never meets a child before its parent.
 */
// One row per category reads as a table; Prettier's wrapped objects would hide the tree.
// prettier-ignore
export const SERVICE_CATEGORIES: readonly CategorySeed[] = [
  // Top level (after the purchase catalogue the paper cites).
  { code: 'WORK', name: '职工工作服务类', nameEn: 'Worker work services', parentCode: null, sortOrder: 1 },
  { code: 'CAREER', name: '职业发展服务类', nameEn: 'Career development services', parentCode: null, sortOrder: 2 },
  { code: 'LIFE', name: '职工生活服务类', nameEn: 'Worker life services', parentCode: null, sortOrder: 3 },
  { code: 'CULTURE', name: '职工文化服务类', nameEn: 'Worker culture services', parentCode: null, sortOrder: 4 },
  { code: 'UNION_SUPPORT', name: '工会支持服务类', nameEn: 'Union support services', parentCode: null, sortOrder: 5 },

  // Worker work services: what happens to workers at and because of their work.
  { code: 'WORK.RIGHTS', name: '职工维权与法律援助', nameEn: 'Rights protection and legal aid', parentCode: 'WORK', sortOrder: 1 },
  { code: 'WORK.PSYCHOLOGY', name: '心理服务与人文关怀', nameEn: 'Psychological services and humanistic care', parentCode: 'WORK', sortOrder: 2 },
  { code: 'WORK.OCCUPATIONAL_HEALTH', name: '职业病预防与康复', nameEn: 'Occupational disease prevention and rehabilitation', parentCode: 'WORK', sortOrder: 3 },

  // Career development services.
  { code: 'CAREER.SKILLS', name: '技能培训', nameEn: 'Skills training', parentCode: 'CAREER', sortOrder: 1 },
  { code: 'CAREER.GUIDANCE', name: '职业规划与就业指导', nameEn: 'Career planning and employment guidance', parentCode: 'CAREER', sortOrder: 2 },
  { code: 'CAREER.QUALIFICATION', name: '学历与素质提升', nameEn: 'Education and qualification upgrading', parentCode: 'CAREER', sortOrder: 3 },

  // Worker life services: the family and daily-life fields the paper lists.
  { code: 'LIFE.FAMILY', name: '家庭关系与婚姻调适', nameEn: 'Family relations and marriage counselling', parentCode: 'LIFE', sortOrder: 1 },
  { code: 'LIFE.DATING', name: '婚恋交友', nameEn: 'Dating and matchmaking', parentCode: 'LIFE', sortOrder: 2 },
  { code: 'LIFE.CHILDCARE', name: '抚幼与托育', nameEn: 'Childcare', parentCode: 'LIFE', sortOrder: 3 },
  { code: 'LIFE.ELDERLY_CARE', name: '助老', nameEn: 'Elderly care', parentCode: 'LIFE', sortOrder: 4 },
  { code: 'LIFE.EDUCATION_AID', name: '助学', nameEn: 'Education support', parentCode: 'LIFE', sortOrder: 5 },
  { code: 'LIFE.HARDSHIP', name: '困难职工及家庭帮扶', nameEn: 'Hardship assistance for workers and families', parentCode: 'LIFE', sortOrder: 6 },
  { code: 'LIFE.CATERING', name: '团餐', nameEn: 'Group catering', parentCode: 'LIFE', sortOrder: 7 },

  // Worker culture services.
  { code: 'CULTURE.VOLUNTEERING', name: '职工志愿服务与公益服务', nameEn: 'Volunteering and public welfare', parentCode: 'CULTURE', sortOrder: 1 },
  { code: 'CULTURE.ARTS_SPORTS', name: '文体活动', nameEn: 'Culture and sports activities', parentCode: 'CULTURE', sortOrder: 2 },

  // Union support services: services bought by unions for their own work rather than for workers directly.
  { code: 'UNION_SUPPORT.CAPACITY', name: '基层工会能力建设', nameEn: 'Capacity building for grassroots unions', parentCode: 'UNION_SUPPORT', sortOrder: 1 },
  { code: 'UNION_SUPPORT.RESEARCH', name: '职工需求调研', nameEn: "Survey and research of workers' needs", parentCode: 'UNION_SUPPORT', sortOrder: 2 },
  { code: 'UNION_SUPPORT.EVALUATION', name: '第三方评估', nameEn: 'Third-party evaluation', parentCode: 'UNION_SUPPORT', sortOrder: 3 },
];

/** A group of workers that a service, need or project is aimed at. */
export interface TargetGroupSeed {
  /** Stable upper-case code, e.g. `FEMALE_WORKERS`. */
  code: string;
  /** Chinese label (simplified characters). */
  name: string;
  /** Short English label. */
  nameEn: string;
}

/**
 * The target groups: the four the paper names, then new-form employment (which unions now serve,
 * though the paper predates most of that work), then "all workers" for services not aimed at one group.
 */
export const TARGET_GROUPS: readonly TargetGroupSeed[] = [
  { code: 'FEMALE_WORKERS', name: '女职工', nameEn: 'Female workers' },
  { code: 'DISABLED_WORKERS', name: '残疾职工', nameEn: 'Disabled workers' },
  { code: 'MIGRANT_WORKERS', name: '农民工', nameEn: 'Migrant workers' },
  { code: 'HARDSHIP_WORKERS', name: '困难职工及家庭', nameEn: 'Workers in hardship and their families' },
  {
    code: 'NEW_EMPLOYMENT_FORMS',
    name: '新就业形态劳动者',
    // Couriers, food-delivery riders, ride-hailing drivers and other platform workers.
    nameEn: 'New-form employment workers (couriers, riders, platform workers)',
  },
  { code: 'ALL_WORKERS', name: '全体职工', nameEn: 'All workers' },
];
