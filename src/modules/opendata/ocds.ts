/**
 * Purchase-of-service projects and their awards as Open Contracting Data Standard (OCDS 1.1)
 * releases: one release per non-draft project, describing its current state (tender, awards and,
 * once delivery starts, the contract). Only public decisions: the buyer, the tender, the number of
 * tenderers (never who they are: applications are not public), the awarded organizations and
 * amounts. No user, no staff, no contact.
 *
 * @module
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { Region } from '../regions/region.entity.js';
import { ServiceCategory } from '../categories/service-category.entity.js';
import { Project } from '../projects/project.entity.js';
import { ProjectApplication } from '../projects/application.entity.js';
import { Publisher } from '../projects/publisher.entity.js';
import { ApplicationStatus, ProcurementMethod, ProjectStatus } from '../projects/project.enums.js';
import { CREDIT_CODE_SCHEME } from './hsds.js';
import { AWARD_DECIDED_STATUSES, isPublicStatus } from '../projects/project-lifecycle.js';

/** Projects read per keyset batch. */
export const OCDS_BATCH = 200;

/**
 * The OCID prefix. OCDS asks publishers to register an `ocds-xxxxxx` prefix; until the federation
 * registers one, this placeholder keeps the identifiers stable and recognisable.
 */
export const OCID_PREFIX = 'ocds-niudai';

/** OCDS `Value`: amounts are numbers in the currency's unit (yuan), derived exactly from integer fen. */
export interface OcdsValue {
  amount: number;
  currency: string;
}

/** An OCDS release (the subset of fields this platform has data for). */
export interface OcdsRelease {
  ocid: string;
  id: string;
  date: string;
  tag: string[];
  initiationType: 'tender';
  language: 'zh';
  parties: {
    id: string;
    name: string;
    roles: string[];
    identifier?: { scheme: string; id: string; legalName: string };
    address?: { region: string };
    details?: Record<string, unknown>;
  }[];
  buyer: { id: string; name: string };
  tender: {
    id: string;
    title: string;
    description: string;
    status: 'active' | 'complete' | 'cancelled' | 'unsuccessful';
    value: OcdsValue;
    procurementMethod: 'open' | 'selective' | 'direct';
    mainProcurementCategory: 'services';
    tenderPeriod: { startDate: string; endDate: string };
    numberOfTenderers: number;
    items: {
      id: string;
      description: string;
      classification: { scheme: string; id: string; description: string };
      deliveryAddresses: { region: string }[];
    }[];
    documents: { id: string; documentType: string; title: string; url: string }[];
  };
  awards: {
    id: string;
    status: 'active' | 'cancelled';
    date: string | null;
    value: OcdsValue;
    suppliers: { id: string; name: string }[];
  }[];
  contracts?: {
    id: string;
    awardID: string;
    status: 'active' | 'terminated';
    value: OcdsValue;
    dateSigned: string | null;
  }[];
}

/** The header of a release package; `releases` is streamed after it. */
export function releasePackageHeader(uri: string, publishedDate: Date): Record<string, unknown> {
  return {
    uri,
    version: '1.1',
    publishedDate: publishedDate.toISOString(),
    publisher: { name: '纽带 Niudai — 职工需求与社会组织服务平台' },
    publicationPolicy:
      'Projects and awards as published by union, government and enterprise buyers; no personal data.',
  };
}

/** Fen (integer) → yuan as a JSON number with at most two decimals, exact for every safe integer. */
export function value(fen: number): OcdsValue {
  return { amount: Number((fen / 100).toFixed(2)), currency: 'CNY' };
}

const METHOD: Record<ProcurementMethod, OcdsRelease['tender']['procurementMethod']> = {
  [ProcurementMethod.OPEN]: 'open',
  [ProcurementMethod.SELECTIVE]: 'selective',
  [ProcurementMethod.DIRECT]: 'direct',
};

/** OCDS tender status and release tags for each project status (DRAFT is never published). */
function stageOf(status: ProjectStatus): { tenderStatus: OcdsRelease['tender']['status']; tag: string[] } {
  switch (status) {
    case ProjectStatus.AWARDED:
      return { tenderStatus: 'complete', tag: ['award'] };
    case ProjectStatus.IN_PROGRESS:
      return { tenderStatus: 'complete', tag: ['award', 'contract'] };
    case ProjectStatus.COMPLETED:
      return { tenderStatus: 'complete', tag: ['award', 'contract', 'implementation'] };
    case ProjectStatus.CANCELLED:
      return { tenderStatus: 'cancelled', tag: ['tenderCancellation'] };
    case ProjectStatus.UNSUCCESSFUL:
      return { tenderStatus: 'unsuccessful', tag: ['tenderUpdate'] };
    default:
      return { tenderStatus: 'active', tag: ['tender'] };
  }
}

/**
 * Every non-draft project as an OCDS release, in id order, read in keyset batches of
 * {@link OCDS_BATCH}: per batch one query each for projects, publishers, awarded applications with
 * their organizations, tenderer counts and region names.
 */
export async function* ocdsReleases(em: EntityManager): AsyncGenerator<OcdsRelease> {
  const categories = new Map((await em.find(ServiceCategory, {})).map((c) => [c.code, c]));
  let after = 0;
  for (;;) {
    const projects = await em.find(
      Project,
      { status: { $ne: ProjectStatus.DRAFT }, id: { $gt: after } },
      { orderBy: { id: 'asc' }, limit: OCDS_BATCH },
    );
    if (projects.length === 0) return;
    const ids = projects.map((p) => p.id);
    const regionCodes = [...new Set(projects.flatMap((p) => p.regionCodes))];
    const [publishers, awarded, tenderers, regions] = await Promise.all([
      em.find(Publisher, { id: { $in: [...new Set(projects.map((p) => p.publisher.id))] } }),
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
      regionCodes.length ? em.find(Region, { code: { $in: regionCodes } }) : Promise.resolve([]),
    ]);
    const publisherById = new Map(publishers.map((p) => [p.id, p]));
    const regionName = new Map(regions.map((r) => [r.code, r.name]));
    const tendererCount = new Map(tenderers.map((r) => [Number(r.project_id), r.n]));
    const awardsOf = new Map<number, ProjectApplication[]>();
    for (const a of awarded) awardsOf.set(a.project.id, [...(awardsOf.get(a.project.id) ?? []), a]);

    for (const project of projects) {
      if (!isPublicStatus(project.status)) continue; // the query's filter, as `project(id:)` decides
      const publisher = publisherById.get(project.publisher.id);
      if (!publisher) continue;
      const ocid = `${OCID_PREFIX}-${project.id}`;
      const { tenderStatus, tag } = stageOf(project.status);
      // As the API's `Project.awards`: winners are public once the award is decided, and not after a
      // cancellation.
      const awards = AWARD_DECIDED_STATUSES.includes(project.status) ? (awardsOf.get(project.id) ?? []) : [];
      const category = categories.get(project.category.code);
      const buyer = { id: publisher.globalId(), name: publisher.name };
      const contracted =
        project.status === ProjectStatus.IN_PROGRESS || project.status === ProjectStatus.COMPLETED;
      const release: OcdsRelease = {
        ocid,
        id: `${ocid}-${project.updatedAt.getTime()}`,
        date: project.updatedAt.toISOString(),
        tag,
        initiationType: 'tender',
        language: 'zh',
        parties: [
          {
            ...buyer,
            roles: ['buyer', 'procuringEntity'],
            address: { region: regionName.get(publisher.region.code) ?? publisher.region.code },
            details: { kind: publisher.kind },
          },
          ...awards.map((a) => ({
            id: a.organization.getEntity().globalId(),
            name: a.organization.getEntity().name,
            roles: ['supplier'],
            identifier: {
              scheme: CREDIT_CODE_SCHEME,
              id: a.organization.getEntity().creditCode,
              legalName: a.organization.getEntity().name,
            },
          })),
        ],
        buyer,
        tender: {
          id: project.globalId(),
          title: project.title,
          description: project.description,
          status: tenderStatus,
          value: value(project.budgetFen),
          procurementMethod: METHOD[project.procurementMethod],
          mainProcurementCategory: 'services',
          tenderPeriod: {
            startDate: project.applicationOpensAt.toISOString(),
            endDate: project.applicationClosesAt.toISOString(),
          },
          numberOfTenderers: tendererCount.get(project.id) ?? 0,
          items: [
            {
              id: '1',
              description: category?.name ?? project.category.code,
              classification: {
                scheme: 'x_niudai_service_category',
                id: project.category.code,
                description: category?.nameEn ?? '',
              },
              deliveryAddresses: project.regionCodes.map((code) => ({
                region: regionName.get(code) ?? code,
              })),
            },
          ],
          documents: project.documents.map((d, i) => ({
            id: String(i + 1),
            documentType: 'tenderNotice',
            title: d.title,
            url: d.url,
          })),
        },
        awards: awards.map((a) => ({
          id: a.globalId(),
          status: project.status === ProjectStatus.CANCELLED ? 'cancelled' : 'active',
          date: project.awardedAt?.toISOString() ?? null,
          value: value(a.awardedFen ?? 0),
          suppliers: [{ id: a.organization.getEntity().globalId(), name: a.organization.getEntity().name }],
        })),
        ...(contracted
          ? {
              contracts: awards.map((a) => ({
                id: `${a.globalId()}-contract`,
                awardID: a.globalId(),
                status:
                  project.status === ProjectStatus.COMPLETED ? ('terminated' as const) : ('active' as const),
                value: value(a.awardedFen ?? 0),
                dateSigned: project.startedAt?.toISOString() ?? null,
              })),
            }
          : {}),
      };
      yield release;
    }
    after = ids[ids.length - 1]!;
    em.clear();
  }
}
