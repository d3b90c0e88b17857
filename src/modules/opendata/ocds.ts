/**
 * Purchase-of-service projects as Open Contracting Data Standard 1.1.5 contracting processes: one
 * `ocid` per published project, and one release per published change, rebuilt from what the
 * project records:
 *
 * | release          | when                               | from                                   |
 * |------------------|------------------------------------|----------------------------------------|
 * | tender           | `publishedAt`                      | the project as published (amendments undone) |
 * | tenderAmendment  | each amendment's `createdAt`       | `project_amendment`: changes and rationale |
 * | tenderUpdate     | the application period's close     | the number of tenderers                |
 * | award            | `awardedAt`                        | awarded applications and amounts       |
 * | contract         | `startedAt`                        | one contract per award                 |
 * | implementation   | `closedAt` of a COMPLETED project  | outcome and the buyer's evaluation     |
 * | tenderCancellation / tenderUpdate | `closedAt` of a CANCELLED / UNSUCCESSFUL one | the reason |
 *
 * A project whose contract was signed (`signContract`) shows that contract, its milestones and its
 * payments instead (ocds-contracts.ts: contract, implementationUpdate, implementation).
 *
 * Each release carries the whole state of the process at its date, so a reader of any one release
 * sees the process as it stood. A record holds every release of an ocid and the compiled release
 * (OCDS merge of them all). Drafts are never published; plans and award criteria are added by
 * ocds-planning.ts.
 *
 * Only public decisions: the buyer, the tender, the number of tenderers (never who they are:
 * applications are not public), the awarded organizations and amounts; as the API's
 * `Project.awards`, winners are not shown once a project is cancelled. No user, no staff, no contact.
 *
 * @module
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { Region } from '../regions/region.entity.js';
import { ServiceCategory } from '../categories/service-category.entity.js';
import { Project, ProjectAmendment } from '../projects/project.entity.js';
import { ProjectApplication } from '../projects/application.entity.js';
import { Publisher } from '../projects/publisher.entity.js';
import { EvaluationGrade, FoundingType } from '../organizations/organization.enums.js';
import { ApplicationStatus, ProcurementMethod, ProjectStatus } from '../projects/project.enums.js';
import { AWARD_DECIDED_STATUSES, isPublicStatus, projectStatusAt } from '../projects/project-lifecycle.js';
import { CREDIT_CODE_SCHEME } from './hsds.js';
import { partId } from './open-ids.js';
import { PLANNING_FIELD_NAMES, withPlanningAndCriteria } from './ocds-planning.js';
import { signedContractsOf, withSignedContract } from './ocds-contracts.js';
import {
  loadClarificationsAndComplaints,
  withClarificationsAndComplaints,
} from './ocds-clarifications-complaints.js';
import { fairnessFlagsOf, withFairnessFlags } from './ocds-fairness.js';

/** Projects read per keyset batch. */
export const OCDS_BATCH = 200;

/** The OCDS version these packages follow (the schema's `version` field takes major.minor). */
export const OCDS_VERSION = '1.1';

/**
 * The Location extension, for `items[].deliveryLocation` (the regions a project serves, as GB/T
 * 2260 codes in a gazetteer). The only extension the releases use.
 */
export const LOCATION_EXTENSION =
  'https://raw.githubusercontent.com/open-contracting-extensions/ocds_location_extension/v1.1.5/extension.json';

/** What the packages need to know about this hub. */
export interface OcdsSettings {
  publicUrl: string;
  licenseUrl: string;
  ocidPrefix: string;
}

/** OCDS `Value`: amounts are numbers in the currency's unit (yuan), derived exactly from integer fen. */
export interface OcdsValue {
  amount: number;
  currency: string;
}

/** A release: OCDS objects, with optional sections absent rather than empty. */
export interface OcdsRelease {
  ocid: string;
  id: string;
  date: string;
  tag: string[];
  initiationType: 'tender';
  language: 'zh';
  parties: Record<string, unknown>[];
  buyer: { id: string; name: string };
  tender: Record<string, unknown> & { id: string; status: string };
  awards?: Record<string, unknown>[];
  contracts?: Record<string, unknown>[];
}

export interface OcdsRecord {
  ocid: string;
  releases: OcdsRelease[];
  compiledRelease: Record<string, unknown>;
}

function packageMeta(settings: OcdsSettings, uri: string, publishedDate: Date): Record<string, unknown> {
  return {
    uri,
    version: OCDS_VERSION,
    extensions: [LOCATION_EXTENSION],
    publishedDate: publishedDate.toISOString(),
    publisher: { name: '纽带 Niudai — 职工需求与社会组织服务平台', uri: settings.publicUrl },
    license: settings.licenseUrl,
    publicationPolicy: `${settings.publicUrl}/opendata/policy`,
  };
}

/** The header of a release package; `releases` is streamed after it. */
export function releasePackageHeader(
  settings: OcdsSettings,
  uri: string,
  publishedDate: Date,
): Record<string, unknown> {
  return packageMeta(settings, uri, publishedDate);
}

/** The header of a record package; `records` is streamed after it. */
export function recordPackageHeader(
  settings: OcdsSettings,
  uri: string,
  publishedDate: Date,
): Record<string, unknown> {
  return packageMeta(settings, uri, publishedDate);
}

/** Fen (integer) → yuan as a JSON number with at most two decimals, exact for every safe integer. */
export function value(fen: number): OcdsValue {
  return { amount: Number((fen / 100).toFixed(2)), currency: 'CNY' };
}

const METHOD: Record<ProcurementMethod, { method: string; details: string; rationale?: string }> = {
  [ProcurementMethod.OPEN]: {
    method: 'open',
    details: '公开招募 (open call: any eligible organization may apply)',
  },
  [ProcurementMethod.SELECTIVE]: {
    method: 'selective',
    details: '邀请招募 (selective: invited organizations only)',
    rationale: '采购方仅邀请其选定的社会组织申报 (the buyer invited the organizations it chose to apply)',
  },
  [ProcurementMethod.DIRECT]: {
    method: 'direct',
    details: '单一来源 (direct: exactly one invited organization)',
    rationale:
      '采购方直接邀请一家社会组织承接 (the buyer invited a single organization to deliver the service)',
  },
};

const FOUNDING_TYPE_NAMES: Record<FoundingType, string> = {
  [FoundingType.UNION_FOUNDED]: '工会创办 (union-founded)',
  [FoundingType.UNION_INCUBATED]: '工会孵化 (union-incubated)',
  [FoundingType.INDEPENDENT]: '独立创办 (independent)',
};

/** The project's fields a tender shows, as they stood at a point of its history. */
interface TenderState {
  title: string;
  description: string;
  categoryCode: string;
  regionCodes: string[];
  budgetFen: number;
  procurementMethod: ProcurementMethod;
  verifiedOnly: boolean;
  minGrade: EvaluationGrade;
  allowedFoundingTypes: FoundingType[];
  mustServeRegions: boolean;
  applicationOpensAt: string;
  applicationClosesAt: string;
  documents: { title: string; url: string }[];
}

function currentState(project: Project): TenderState {
  return {
    title: project.title,
    description: project.description,
    categoryCode: project.category.code,
    regionCodes: project.regionCodes,
    budgetFen: project.budgetFen,
    procurementMethod: project.procurementMethod,
    verifiedOnly: project.verifiedOnly,
    minGrade: project.minGrade,
    allowedFoundingTypes: project.allowedFoundingTypes,
    mustServeRegions: project.mustServeRegions,
    applicationOpensAt: project.applicationOpensAt.toISOString(),
    applicationClosesAt: project.applicationClosesAt.toISOString(),
    documents: project.documents,
  };
}

/** The state before an amendment: its recorded `from` values put back (amendments record API terms). */
function undo(state: TenderState, amendment: ProjectAmendment): TenderState {
  const before = { ...state } as Record<string, unknown>;
  for (const [field, change] of Object.entries(amendment.changes)) {
    if (field === 'categoryPath' && Array.isArray(change.from)) before.categoryCode = change.from.at(-1);
    else if (field in before) before[field] = change.from;
  }
  return before as unknown as TenderState;
}

const FIELD_NAMES: Record<string, string> = {
  title: '标题 (title)',
  description: '说明 (description)',
  categoryPath: '服务类别 (category)',
  regionCodes: '服务地区 (regions)',
  targetGroups: '服务对象 (target groups)',
  budgetFen: '预算 (budget, fen)',
  verifiedOnly: '仅限已认证组织 (verified only)',
  minGrade: '最低评估等级 (minimum grade)',
  allowedFoundingTypes: '创办方式 (founding types)',
  mustServeRegions: '须服务项目地区 (must serve the regions)',
  applicationOpensAt: '申报开始 (applications open)',
  applicationClosesAt: '申报截止 (applications close)',
  documents: '文件 (documents)',
  ...PLANNING_FIELD_NAMES,
};

/** What an amendment changed, readably; invitations are not public, so only their change is named. */
function describeChanges(changes: ProjectAmendment['changes']): string {
  return Object.entries(changes)
    .map(([field, { from, to }]) => {
      const name = FIELD_NAMES[field];
      if (!name) return '受邀组织名单 (invited organizations)';
      const shown = (v: unknown) =>
        field === 'documents' ? `${(v as unknown[]).length} 份` : JSON.stringify(v);
      return `${name}: ${shown(from)} → ${shown(to)}`;
    })
    .join('; ');
}

function eligibilityCriteria(state: TenderState): string {
  const rules: string[] = [];
  if (state.verifiedOnly) rules.push('仅限经工会认证的社会组织 (verified organizations only)');
  if (state.minGrade !== EvaluationGrade.NONE) {
    const grade = state.minGrade.slice('GRADE_'.length);
    rules.push(`社会组织评估等级不低于${grade} (evaluation grade ${grade} or higher)`);
  }
  if (state.allowedFoundingTypes.length)
    rules.push(
      `创办方式限于 (founding type one of): ${state.allowedFoundingTypes.map((t) => FOUNDING_TYPE_NAMES[t]).join('、')}`,
    );
  if (state.mustServeRegions) rules.push('须在项目服务地区提供服务 (must serve the project’s regions)');
  if (state.procurementMethod !== ProcurementMethod.OPEN)
    rules.push('仅限受邀组织 (invited organizations only)');
  return rules.length ? rules.join('; ') : '无额外限制 (no further conditions)';
}

/** Leaves out undefined keys and empty arrays (OCDS: no empty arrays or objects). */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0)),
  ) as T;
}

/** Everything the releases of one project are built from, loaded per batch. */
interface ProjectFacts {
  project: Project;
  publisher: Publisher;
  categories: Map<string, ServiceCategory>;
  regions: Map<string, Region>;
  amendments: ProjectAmendment[];
  awarded: ProjectApplication[];
  tenderers: number;
}

function regionLabel(code: string, regions: Map<string, Region>): string {
  const r = regions.get(code);
  return r ? `${r.name} (${r.nameEn})` : code;
}

/** Every release of one project, oldest first. */
export function releasesOf(facts: ProjectFacts, settings: OcdsSettings): OcdsRelease[] {
  const { project, publisher, categories, regions, amendments, awarded } = facts;
  const ocid = `${settings.ocidPrefix}-${project.id}`;
  const buyer = { id: partId('publisher', String(publisher.id)), name: publisher.name };
  const buyerParty = compact({
    ...buyer,
    roles: ['buyer', 'procuringEntity'],
    address: { region: regionLabel(publisher.region.code, regions), countryName: '中国 (China)' },
  });

  // The states: as published, then after each amendment.
  const states: TenderState[] = [currentState(project)];
  for (const amendment of [...amendments].reverse()) states.unshift(undo(states[0]!, amendment));

  const releases: OcdsRelease[] = [];
  let lastDate = 0;
  const push = (
    suffix: string,
    when: Date,
    tag: string[],
    state: TenderState,
    stage: {
      tenderStatus: string;
      statusDetails?: string;
      tenderers?: number;
      amendmentsSoFar: number;
      awards?: boolean;
      contracts?: 'active' | 'terminated';
      implementation?: boolean;
    },
  ) => {
    // Release dates never go backwards, whatever the clock did between steps.
    lastDate = Math.max(lastDate, when.getTime());
    const id = `${ocid}-${suffix}`;
    const method = METHOD[state.procurementMethod];
    const category = categories.get(state.categoryCode);
    const previousIds = releases.map((r) => r.id);
    const tenderAmendments = amendments.slice(0, stage.amendmentsSoFar).map((a, i) =>
      compact({
        id: String(a.id),
        date: a.createdAt.toISOString(),
        rationale: a.rationale,
        description: describeChanges(a.changes),
        amendsReleaseID: previousIds[i],
        releaseID: `${ocid}-amendment-${a.id}`,
      }),
    );
    const winners = stage.awards ? awarded : [];
    const tender = compact({
      id: `${ocid}-tender`,
      title: state.title,
      description: state.description || undefined,
      status: stage.tenderStatus,
      statusDetails: stage.statusDetails,
      value: value(state.budgetFen),
      procurementMethod: method.method,
      procurementMethodDetails: method.details,
      procurementMethodRationale: method.rationale,
      mainProcurementCategory: 'services',
      eligibilityCriteria: eligibilityCriteria(state),
      tenderPeriod: { startDate: state.applicationOpensAt, endDate: state.applicationClosesAt },
      numberOfTenderers: stage.tenderers,
      procuringEntity: buyer,
      items: [
        compact({
          id: '1',
          description: category ? `${category.name} (${category.nameEn})` : state.categoryCode,
          classification: compact({
            scheme: 'x_niudai_service_category',
            id: state.categoryCode,
            description: category?.nameEn,
          }),
          deliveryLocation: state.regionCodes.length
            ? {
                description: state.regionCodes.map((c) => regionLabel(c, regions)).join('; '),
                gazetteer: { scheme: 'x_GB_T_2260', identifiers: state.regionCodes },
              }
            : undefined,
        }),
      ],
      documents: state.documents.map((d, i) => ({
        id: String(i + 1),
        documentType: 'biddingDocuments',
        title: d.title,
        url: d.url,
        language: 'zh',
      })),
      amendments: tenderAmendments,
    });
    const suppliers = winners.map((a) => a.organization.getEntity());
    const contractEnd = project.closedAt?.toISOString();
    const release: OcdsRelease = compact({
      ocid,
      id,
      date: new Date(lastDate).toISOString(),
      tag,
      initiationType: 'tender' as const,
      language: 'zh' as const,
      parties: [
        buyerParty,
        ...suppliers.map((org) => ({
          id: org.openDataId,
          name: org.name,
          identifier: org.creditCode
            ? { scheme: CREDIT_CODE_SCHEME, id: org.creditCode, legalName: org.name }
            : undefined,
          roles: ['supplier'],
        })),
      ],
      buyer,
      tender,
      awards: winners.map((a) => {
        const org = a.organization.getEntity();
        return compact({
          id: `${ocid}-award-${a.id}`,
          status: 'active',
          date: project.awardedAt?.toISOString(),
          value: value(a.awardedFen ?? 0),
          suppliers: [{ id: org.openDataId, name: org.name }],
        });
      }),
      contracts: stage.contracts
        ? winners.map((a) =>
            compact({
              id: `${ocid}-contract-${a.id}`,
              awardID: `${ocid}-award-${a.id}`,
              status: stage.contracts,
              value: value(a.awardedFen ?? 0),
              dateSigned: project.startedAt?.toISOString(),
              period: compact({
                startDate: project.startedAt?.toISOString(),
                endDate: stage.contracts === 'terminated' ? contractEnd : undefined,
              }),
              implementation: stage.implementation ? implementationOf(project) : undefined,
            }),
          )
        : undefined,
    });
    releases.push(release);
  };

  const published = project.publishedAt ?? project.createdAt;
  push('tender', published, ['tender'], states[0]!, { tenderStatus: 'active', amendmentsSoFar: 0 });
  amendments.forEach((a, i) =>
    push(`amendment-${a.id}`, a.createdAt, ['tenderAmendment'], states[i + 1]!, {
      tenderStatus: 'active',
      amendmentsSoFar: i + 1,
    }),
  );
  const final = states[states.length - 1]!;
  const all = amendments.length;
  const closedAt = project.closedAt ?? project.updatedAt;
  // By the clock, as clients see it: the sweep may not have written the close yet.
  const periodEnded =
    projectStatusAt(project, new Date()) !== ProjectStatus.PUBLISHED &&
    !(project.status === ProjectStatus.CANCELLED && closedAt < project.applicationClosesAt);
  if (periodEnded)
    push('period-closed', project.applicationClosesAt, ['tenderUpdate'], final, {
      tenderStatus: 'active',
      statusDetails: '申报期已结束，评审中 (applications closed; under evaluation)',
      tenderers: facts.tenderers,
      amendmentsSoFar: all,
    });
  const decided = AWARD_DECIDED_STATUSES.includes(project.status);
  const afterClose = { tenderers: facts.tenderers, amendmentsSoFar: all };
  if (decided)
    push('award', project.awardedAt ?? project.updatedAt, ['award'], final, {
      ...afterClose,
      tenderStatus: 'complete',
      awards: true,
    });
  if (project.status === ProjectStatus.IN_PROGRESS || project.status === ProjectStatus.COMPLETED)
    push('contract', project.startedAt ?? project.updatedAt, ['contract'], final, {
      ...afterClose,
      tenderStatus: 'complete',
      awards: true,
      contracts: 'active',
    });
  if (project.status === ProjectStatus.COMPLETED)
    push('implementation', closedAt, ['implementation', 'contractTermination'], final, {
      ...afterClose,
      tenderStatus: 'complete',
      awards: true,
      contracts: 'terminated',
      implementation: true,
    });
  if (project.status === ProjectStatus.CANCELLED)
    push('cancellation', closedAt, ['tenderCancellation'], final, {
      ...(periodEnded ? afterClose : { amendmentsSoFar: all }),
      tenderStatus: 'cancelled',
      statusDetails: project.statusReason ?? undefined,
    });
  if (project.status === ProjectStatus.UNSUCCESSFUL)
    push('unsuccessful', closedAt, ['tenderUpdate'], final, {
      ...afterClose,
      tenderStatus: 'unsuccessful',
      statusDetails: project.statusReason ?? undefined,
    });
  return releases;
}

/** The delivery's outcome and the buyer's 1–5 evaluation, as the completed contract's milestones. */
function implementationOf(project: Project): Record<string, unknown> | undefined {
  const when = project.closedAt?.toISOString();
  const milestones = [
    ...(project.outcome
      ? [
          compact({
            id: 'delivery',
            title: '服务交付成果 (what was delivered)',
            type: 'delivery',
            status: 'met',
            dateMet: when,
            description: project.outcome,
          }),
        ]
      : []),
    ...(project.evaluationScore != null
      ? [
          compact({
            id: 'evaluation',
            title: '采购方验收评价 (the buyer’s evaluation)',
            type: 'assessment',
            status: 'met',
            dateMet: when,
            description: `评分 ${project.evaluationScore}/5 (scored ${project.evaluationScore} out of 5)`,
          }),
        ]
      : []),
  ];
  return milestones.length ? { milestones } : undefined;
}

/** Whether a value is a JSON object (not an array, not null). */
function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The OCDS merge of two releases' values: objects merge field by field, arrays of objects that all
 * have an `id` merge by id, any other value (arrays included) is replaced by the newer one.
 */
function merge(older: unknown, newer: unknown): unknown {
  if (isObject(older) && isObject(newer)) {
    const out: Record<string, unknown> = { ...older };
    for (const [key, item] of Object.entries(newer)) out[key] = key in older ? merge(older[key], item) : item;
    return out;
  }
  const identified = (v: unknown): v is Record<string, unknown>[] =>
    Array.isArray(v) && v.length > 0 && v.every((item) => isObject(item) && typeof item.id === 'string');
  if (identified(older) && identified(newer)) {
    const byId = new Map(older.map((item) => [item.id as string, item]));
    for (const item of newer)
      byId.set(item.id as string, merge(byId.get(item.id as string), item) as Record<string, unknown>);
    return [...byId.values()];
  }
  return newer;
}

/** The compiled release of an ocid: all its releases merged, oldest first. */
export function compile(releases: OcdsRelease[]): Record<string, unknown> {
  const merged = releases.reduce<unknown>((acc, r) => merge(acc, r), {}) as Record<string, unknown>;
  const last = releases[releases.length - 1]!;
  return { ...merged, id: `${last.ocid}-compiled`, date: last.date, tag: ['compiled'] };
}

/**
 * Every published project's releases (one array per project, oldest first), in project id order,
 * read in keyset batches of {@link OCDS_BATCH}: per batch one query each for projects, publishers,
 * amendments, awarded applications with their organizations, tenderer counts, categories and regions.
 */
export async function* ocdsProcesses(
  em: EntityManager,
  settings: OcdsSettings,
): AsyncGenerator<OcdsRelease[]> {
  let after = 0;
  for (;;) {
    const projects = (
      await em.find(
        Project,
        { status: { $ne: ProjectStatus.DRAFT }, id: { $gt: after } },
        { orderBy: { id: 'asc' }, limit: OCDS_BATCH },
      )
    ).filter((p) => isPublicStatus(p.status)); // the query's filter, as `project(id:)` decides
    if (projects.length === 0) return;
    const ids = projects.map((p) => p.id);
    const flagsOf = await fairnessFlagsOf(em, ids);
    const [publishers, amendments, awarded, tenderers, categories] = await Promise.all([
      em.find(Publisher, { id: { $in: [...new Set(projects.map((p) => p.publisher.id))] } }),
      em.find(ProjectAmendment, { project: { $in: ids } }, { orderBy: { id: 'asc' } }),
      em.find(
        ProjectApplication,
        { project: { $in: ids }, status: ApplicationStatus.AWARDED },
        { populate: ['organization'], orderBy: { id: 'asc' } },
      ),
      em.getConnection().execute<{ project_id: string; n: number }[]>(
        `select project_id, count(distinct organization_id)::int as n from project_application
            where project_id in (${ids.map(() => '?').join(', ')}) and status <> 'WITHDRAWN' group by project_id`,
        ids,
        'all',
      ),
      em.find(ServiceCategory, {}),
    ]);
    const publisherById = new Map(publishers.map((p) => [p.id, p]));
    const regionCodes = new Set([
      ...projects.flatMap((p) => p.regionCodes),
      ...publishers.map((p) => p.region.code),
      ...amendments.flatMap((a) => {
        const from = a.changes.regionCodes?.from;
        return Array.isArray(from) ? (from as string[]) : [];
      }),
    ]);
    const regions = new Map(
      (regionCodes.size ? await em.find(Region, { code: { $in: [...regionCodes] } }) : []).map((r) => [
        r.code,
        r,
      ]),
    );
    const categoryByCode = new Map(categories.map((c) => [c.code, c]));
    const tendererCount = new Map(tenderers.map((r) => [Number(r.project_id), r.n]));
    const group = <T extends { project: { id: number } }>(rows: T[]) => {
      const byProject = new Map<number, T[]>();
      for (const row of rows) byProject.set(row.project.id, [...(byProject.get(row.project.id) ?? []), row]);
      return byProject;
    };
    const signedContracts = await signedContractsOf(em, ids);
    const amendmentsOf = group(amendments);
    const awardsOf = group(awarded);
    const clarificationsAndComplaints = await loadClarificationsAndComplaints(em, ids);
    for (const project of projects) {
      const publisher = publisherById.get(project.publisher.id);
      if (!publisher) continue;
      const releases = releasesOf(
        {
          project,
          publisher,
          categories: categoryByCode,
          regions,
          amendments: amendmentsOf.get(project.id) ?? [],
          awarded: AWARD_DECIDED_STATUSES.includes(project.status) ? (awardsOf.get(project.id) ?? []) : [],
          tenderers: tendererCount.get(project.id) ?? 0,
        },
        settings,
      );
      // The contract's releases first, so that they too carry the plan's budget and the criteria.
      const contracted = withSignedContract(releases, project, signedContracts.get(project.id), value);
      const planned = withPlanningAndCriteria(contracted, project, amendmentsOf.get(project.id) ?? [], value);
      const clarified = withClarificationsAndComplaints(planned, clarificationsAndComplaints.get(project.id));
      yield withFairnessFlags(clarified, flagsOf.get(project.id));
    }
    after = ids[ids.length - 1]!;
    em.clear();
  }
}

/** Every release (dated at or after `since`, when given), process by process, oldest first within each. */
export async function* ocdsReleases(
  em: EntityManager,
  settings: OcdsSettings,
  since: Date | null = null,
): AsyncGenerator<OcdsRelease> {
  for await (const releases of ocdsProcesses(em, settings))
    for (const release of releases) if (!since || new Date(release.date) >= since) yield release;
}

/** Every record whose process has a release at or after `since` (all of them without it). */
export async function* ocdsRecords(
  em: EntityManager,
  settings: OcdsSettings,
  since: Date | null = null,
): AsyncGenerator<OcdsRecord> {
  for await (const releases of ocdsProcesses(em, settings)) {
    if (since && !releases.some((r) => new Date(r.date) >= since)) continue;
    yield { ocid: releases[0]!.ocid, releases, compiledRelease: compile(releases) };
  }
}
