/**
 * Demo purchase-of-service projects with applications and awards. Applicants are only organizations
 * the project's own eligibility rules admit (the same `checkEligibility` the API uses) and that offer
 * the project's category, so the fairness report reads real competition.
 *
 * @module
 */
import type { Knex } from '@mikro-orm/postgresql';
import { TargetGroup } from '../modules/categories/target-group.js';
import {
  EvaluationGrade,
  FoundingType,
  VerificationStatus,
} from '../modules/organizations/organization.enums.js';
import { checkEligibility } from '../modules/projects/eligibility.js';
import { ApplicationStatus, ProcurementMethod, ProjectStatus } from '../modules/projects/project.enums.js';
import type { ClaimingOrganization } from './demands.js';
import { themeOf } from './organizations.js';
import type { SeededPublisher } from './publishers.js';
import { Random } from './random.js';
import { insertRows, type ColumnSpec } from './sql.js';
import type { SeedWorld } from './world.js';

const DAY_MS = 86_400_000;
const YUAN = 100;

/** A generated application, keyed like `project_application`'s columns. */
export interface ApplicationDraft {
  organization_id: number;
  proposal: string;
  requested_fen: number;
  status: ApplicationStatus;
  awarded_fen: number | null;
  submitted_by_id: number | null;
  created_at: string;
  updated_at: string;
}

/** A generated amendment of a published project, keyed like `project_amendment`'s columns. */
export interface AmendmentDraft {
  rationale: string;
  changes: Record<string, { from: unknown; to: unknown }>;
  amended_by_id: number;
  created_at: string;
}

/** A generated project, keyed like `project`'s columns, with its applications and amendments. */
export interface ProjectDraft {
  publisher_id: number;
  title: string;
  description: string;
  category_code: string;
  category_path: string[];
  region_codes: string[];
  region_paths: string[];
  target_groups: string[];
  budget_fen: number;
  procurement_method: ProcurementMethod;
  min_grade: EvaluationGrade;
  allowed_founding_types: FoundingType[];
  application_opens_at: string;
  application_closes_at: string;
  status: ProjectStatus;
  status_reason: string | null;
  outcome: string | null;
  evaluation_score: number | null;
  created_by_id: number;
  published_at: string | null;
  awarded_at: string | null;
  started_at: string | null;
  closed_at: string | null;
  created_at: string;
  updated_at: string;
  applications: ApplicationDraft[];
  amendments: AmendmentDraft[];
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * Generates project `index` of seed `seed`. Pure for the same publishers and organizations.
 *
 * @param organizations - verified organizations, the possible applicants
 */
export function makeProject(
  world: SeedWorld,
  seed: number,
  index: number,
  now: Date,
  publishers: readonly SeededPublisher[],
  organizations: readonly ClaimingOrganization[],
): ProjectDraft {
  const rnd = new Random(seed, 'project', index);
  const nowMs = now.getTime();
  const publisher = rnd.weighted(publishers.map((p) => [p, p.weight] as const));
  const home = world.regions.get(publisher.regionCode) ?? world.province;
  const below = [...world.regions.values()].filter(
    (r) => r.path.length === home.path.length + 1 && r.path[home.path.length - 1] === home.code,
  );
  const regions = below.length > 0 && rnd.chance(0.4) ? rnd.sample(below, rnd.int(1, 2)) : [home];
  const category = rnd.chance(0.1)
    ? (world.categories.get(rnd.pick(world.leafCategories).path[0] ?? '') ?? rnd.pick(world.leafCategories))
    : rnd.pick(world.leafCategories);
  const service = rnd.pick(themeOf(category.code).services);
  const year = new Date(nowMs).getUTCFullYear() - (rnd.chance(0.3) ? 1 : 0);
  // Districts are named with their city (济南市市中区、平阴县): district names repeat across cities.
  const regionNames =
    (regions[0] && regions[0].path.length >= 3
      ? (world.regions.get(regions[0].path[1] ?? '')?.name ?? '')
      : '') + regions.map((r) => r.name).join('、');
  const budget = rnd.int(5, 80) * 10_000 * YUAN;
  const minGrade = rnd.weighted([
    [EvaluationGrade.NONE, 70],
    [EvaluationGrade.GRADE_2A, 10],
    [EvaluationGrade.GRADE_3A, 20],
  ]);
  const foundingTypes = rnd.chance(0.1) ? [FoundingType.INDEPENDENT, FoundingType.UNION_INCUBATED] : [];
  let status = rnd.weighted([
    [ProjectStatus.DRAFT, 5],
    [ProjectStatus.PUBLISHED, 25],
    [ProjectStatus.EVALUATING, 12],
    [ProjectStatus.AWARDED, 13],
    [ProjectStatus.IN_PROGRESS, 20],
    [ProjectStatus.COMPLETED, 17],
    [ProjectStatus.CANCELLED, 4],
    [ProjectStatus.UNSUCCESSFUL, 4],
  ]);

  // The application period: still to come for drafts, open now for published, past for the rest.
  const closesMs =
    status === ProjectStatus.DRAFT
      ? nowMs + rnd.int(20, 60) * DAY_MS
      : status === ProjectStatus.PUBLISHED
        ? nowMs + rnd.int(3, 40) * DAY_MS
        : nowMs - rnd.int(5, 300) * DAY_MS;
  const opensMs = closesMs - rnd.int(14, 45) * DAY_MS;
  const createdMs = Math.min(opensMs, nowMs) - rnd.int(1, 10) * DAY_MS;

  const regionPaths = regions.map((r) => r.path);
  const candidates = organizations.filter(
    (o) =>
      o.categoryCodes.some((c) => category.path.includes(c) || c.startsWith(`${category.code}.`)) &&
      checkEligibility(
        {
          procurementMethod: ProcurementMethod.OPEN,
          verifiedOnly: true,
          minGrade,
          allowedFoundingTypes: foundingTypes,
          mustServeRegions: true,
          regionPaths,
        },
        {
          verificationStatus: VerificationStatus.VERIFIED,
          grade: o.grade as EvaluationGrade,
          foundingType: o.foundingType as FoundingType,
          regionCodes: o.regionCodes,
          invited: false,
        },
      ).eligible,
  );
  const applicants =
    status === ProjectStatus.DRAFT
      ? []
      : rnd.sample(candidates, rnd.int(status === ProjectStatus.PUBLISHED ? 0 : 1, 5));
  const decided = [ProjectStatus.AWARDED, ProjectStatus.IN_PROGRESS, ProjectStatus.COMPLETED].includes(
    status,
  );
  if (decided && applicants.length === 0) status = ProjectStatus.UNSUCCESSFUL;
  const awarded = [ProjectStatus.AWARDED, ProjectStatus.IN_PROGRESS, ProjectStatus.COMPLETED].includes(
    status,
  );

  const awardedMs = awarded ? closesMs + rnd.int(3, 20) * DAY_MS : null;
  const startedMs =
    awardedMs !== null && status !== ProjectStatus.AWARDED ? awardedMs + rnd.int(3, 15) * DAY_MS : null;
  const finished = [ProjectStatus.COMPLETED, ProjectStatus.CANCELLED, ProjectStatus.UNSUCCESSFUL].includes(
    status,
  );
  const closedMs = finished ? Math.max(startedMs ?? closesMs, closesMs) + rnd.int(5, 120) * DAY_MS : null;
  const clamp = (ms: number | null) => (ms === null ? null : Math.min(ms, nowMs));

  const applications = applicants.map((org, position): ApplicationDraft => {
    const requested = Math.round((budget * (0.7 + 0.3 * rnd.next())) / (1000 * YUAN)) * 1000 * YUAN;
    const applicationStatus = awarded
      ? position === 0
        ? ApplicationStatus.AWARDED
        : ApplicationStatus.REJECTED
      : status === ProjectStatus.EVALUATING
        ? rnd.chance(0.4)
          ? ApplicationStatus.SHORTLISTED
          : ApplicationStatus.SUBMITTED
        : status === ProjectStatus.UNSUCCESSFUL
          ? ApplicationStatus.REJECTED
          : status === ProjectStatus.CANCELLED
            ? ApplicationStatus.WITHDRAWN
            : ApplicationStatus.SUBMITTED;
    const appliedMs = opensMs + rnd.next() * (Math.min(closesMs, nowMs) - opensMs);
    return {
      organization_id: org.id,
      proposal: `${org.name}拟组建${rnd.int(3, 12)}人专业团队，在${regionNames}开展${service}，预计服务职工${rnd.int(2, 60) * 50}人次。`,
      requested_fen: Math.max(requested, 1000 * YUAN),
      status: applicationStatus,
      awarded_fen: applicationStatus === ApplicationStatus.AWARDED ? Math.min(requested, budget) : null,
      submitted_by_id: org.adminId,
      created_at: iso(appliedMs),
      updated_at: iso(clamp(awardedMs ?? closedMs) ?? appliedMs),
    };
  });

  // Drawn from a stream of their own, so adding amendments left every other generated value as it was.
  const amending = new Random(seed, 'project-amendment', index);
  const amendments: AmendmentDraft[] =
    status !== ProjectStatus.DRAFT && opensMs < nowMs && amending.chance(0.25)
      ? [
          {
            rationale: amending.pick(['追加服务人次，预算相应调整', '根据区县意见调整预算', '补充服务要求']),
            changes: { budgetFen: { from: budget - amending.int(1, 10) * 10_000 * YUAN, to: budget } },
            amended_by_id: publisher.staffId,
            created_at: iso(opensMs + amending.next() * (Math.min(closesMs, nowMs) - opensMs)),
          },
        ]
      : [];

  return {
    publisher_id: publisher.id,
    title: `${regionNames}${year}年${service}项目`,
    description: `${publisher.name}面向${regionNames}职工购买“${service}”服务，服务类别：${category.name}。`,
    category_code: category.code,
    category_path: [...category.path],
    region_codes: regions.map((r) => r.code),
    region_paths: [...new Set(regions.flatMap((r) => r.path))],
    target_groups: [rnd.chance(0.7) ? TargetGroup.ALL_WORKERS : rnd.pick(Object.values(TargetGroup))],
    budget_fen: budget,
    procurement_method: ProcurementMethod.OPEN,
    min_grade: minGrade,
    allowed_founding_types: foundingTypes,
    application_opens_at: iso(opensMs),
    application_closes_at: iso(closesMs),
    status,
    status_reason:
      status === ProjectStatus.CANCELLED
        ? '预算调整，项目取消'
        : status === ProjectStatus.UNSUCCESSFUL
          ? '无符合条件的申报单位'
          : null,
    outcome:
      status === ProjectStatus.COMPLETED ? `项目按期完成，累计服务职工${rnd.int(100, 3000)}人次。` : null,
    evaluation_score: status === ProjectStatus.COMPLETED ? rnd.int(3, 5) : null,
    created_by_id: publisher.staffId,
    published_at: status === ProjectStatus.DRAFT ? null : iso(Math.min(opensMs, nowMs)),
    awarded_at: awardedMs === null ? null : iso(clamp(awardedMs) ?? awardedMs),
    started_at: startedMs === null ? null : iso(clamp(startedMs) ?? startedMs),
    closed_at: closedMs === null ? null : iso(clamp(closedMs) ?? closedMs),
    created_at: iso(createdMs),
    updated_at: iso(clamp(closedMs ?? startedMs ?? awardedMs) ?? createdMs),
    applications,
    amendments,
  };
}

const PROJECT_COLUMNS: readonly ColumnSpec[] = [
  ['publisher_id', 'bigint'],
  ['title', 'text'],
  ['description', 'text'],
  ['category_code', 'text'],
  ['category_path', 'text[]'],
  ['region_codes', 'text[]'],
  ['region_paths', 'text[]'],
  ['target_groups', 'text[]'],
  ['budget_fen', 'bigint'],
  ['procurement_method', 'text'],
  ['min_grade', 'text'],
  ['allowed_founding_types', 'text[]'],
  ['application_opens_at', 'timestamptz'],
  ['application_closes_at', 'timestamptz'],
  ['status', 'text'],
  ['status_reason', 'text'],
  ['outcome', 'text'],
  ['evaluation_score', 'smallint'],
  ['created_by_id', 'bigint'],
  ['published_at', 'timestamptz'],
  ['awarded_at', 'timestamptz'],
  ['started_at', 'timestamptz'],
  ['closed_at', 'timestamptz'],
  ['created_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
];

const APPLICATION_COLUMNS: readonly ColumnSpec[] = [
  ['project_id', 'bigint'],
  ['organization_id', 'bigint'],
  ['proposal', 'text'],
  ['requested_fen', 'bigint'],
  ['status', 'text'],
  ['awarded_fen', 'bigint'],
  ['submitted_by_id', 'bigint'],
  ['created_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
];

const AMENDMENT_COLUMNS: readonly ColumnSpec[] = [
  ['project_id', 'bigint'],
  ['rationale', 'text'],
  ['changes', 'jsonb'],
  ['amended_by_id', 'bigint'],
  ['created_at', 'timestamptz'],
];

/**
 * Inserts projects with their applications and amendments (ids are drawn first, so applications
 * and amendments know their project).
 */
export async function writeProjects(db: Knex, drafts: readonly ProjectDraft[]): Promise<void> {
  if (drafts.length === 0) return;
  const ids = (
    (await db.raw(`select nextval('project_id_seq')::bigint as id from generate_series(1, ?)`, [
      drafts.length,
    ])) as {
      rows: { id: string }[];
    }
  ).rows.map((r) => Number(r.id));
  await insertRows(
    db,
    'project',
    [['id', 'bigint'], ...PROJECT_COLUMNS],
    drafts.map((d, i) => ({ ...d, id: ids[i] })),
  );
  await insertRows(
    db,
    'project_application',
    APPLICATION_COLUMNS,
    drafts.flatMap((d, i) => d.applications.map((a) => ({ ...a, project_id: ids[i] }))),
  );
  await insertRows(
    db,
    'project_amendment',
    AMENDMENT_COLUMNS,
    drafts.flatMap((d, i) => d.amendments.map((a) => ({ ...a, project_id: ids[i] }))),
  );
}
