/**
 * Verified organizations and their services in the shapes of Open Referral's Human Services Data
 * Specification 3.0 (the compiled `organization` and `service` schemas): ids are UUIDs
 * (open-ids.ts), optional values are left out rather than `null`, classifications are attributes
 * pointing at the taxonomies of hsds-taxonomy.ts. Only public directory data, exactly what the
 * anonymous API shows: verified organizations, their services that are not retired, the public
 * contact the organization publishes (as a phone or an email), its home region; no member, user or
 * contact person.
 *
 * @module
 */
import type { EntityManager, FilterQuery } from '@mikro-orm/postgresql';
import { BadUserInputError } from '../../core/errors.js';
import { Region } from '../regions/region.entity.js';
import { Organization } from '../organizations/organization.entity.js';
import { ServiceOffering } from '../organizations/service.entity.js';
import {
  EvaluationGrade,
  ServiceFee,
  ServiceStatus,
  VerificationStatus,
  type OrganizationKind,
  type ProviderKind,
} from '../organizations/organization.enums.js';
import { canSeeOrganization, showsService } from '../organizations/organization.policy.js';
import { TargetGroup } from '../categories/target-group.js';
import { isUuid, partId } from './open-ids.js';
import {
  HsdsVocabulary,
  MONTHLY_CAPACITY,
  PROVIDER_KINDS,
  TAXONOMY,
  type HsdsTaxonomyTerm,
  type TaxonomyKey,
} from './hsds-taxonomy.js';

/** Rows read per keyset batch of a bulk file. */
export const HSDS_BATCH = 500;

/** Largest `per_page` of the paginated endpoints. */
export const HSDS_MAX_PER_PAGE = 200;
export const HSDS_DEFAULT_PER_PAGE = 50;

/**
 * org-id.guide's list code for China's unified social credit code (统一社会信用代码): the register
 * lists it as `CN-USCI` ("Unified Social Credit Identifier"); there is no `CN-USCC` list, and OCDS
 * tools resolve `identifier.scheme` against that register.
 */
export const CREDIT_CODE_SCHEME = 'CN-USCI';

/** The HSDS version these files and endpoints follow. */
export const HSDS_VERSION = '3.0';

/** What every HSDS mapping needs: where the hub is, and the vocabulary. */
export interface HsdsContext {
  publicUrl: string;
  vocabulary: HsdsVocabulary;
}

/** HSDS `attribute`: links an organization or a service to a taxonomy term. */
export interface HsdsAttribute {
  id: string;
  link_id: string;
  link_type: TaxonomyKey;
  link_entity: 'organization' | 'service';
  taxonomy_term_id: string;
  value?: string;
  taxonomy_term: HsdsTaxonomyTerm;
}

export interface HsdsServiceArea {
  id: string;
  service_id: string;
  name: string;
  description: string;
  extent: string;
  extent_type: 'text';
}

export interface HsdsPhone {
  id: string;
  organization_id: string;
  number: string;
  type: 'voice';
  description: string;
}

export interface HsdsLocation {
  id: string;
  location_type: 'physical';
  organization_id: string;
  name: string;
  description: string;
  external_identifier: string;
  external_identifier_type: string;
}

/** The fields of an organization a list shows (the compiled `organization_list` schema). */
export interface HsdsOrganizationSummary {
  id: string;
  name: string;
  alternate_name?: string;
  description: string;
  email?: string;
  website?: string;
  legal_status: string;
  uri: string;
  parent_organization_id?: string;
}

export interface HsdsService {
  id: string;
  organization_id: string;
  name: string;
  description?: string;
  status: 'active' | 'inactive' | 'defunct' | 'temporarily closed';
  fees_description: string;
  last_modified: string;
  languages: { id: string; service_id: string; name: string; code: string }[];
  service_areas?: HsdsServiceArea[];
  attributes?: HsdsAttribute[];
  organization?: HsdsOrganizationSummary;
}

export interface HsdsOrganization extends HsdsOrganizationSummary {
  phones?: HsdsPhone[];
  locations?: HsdsLocation[];
  organization_identifiers: {
    id: string;
    organization_id: string;
    identifier_scheme: string;
    identifier_type: string;
    identifier: string;
  }[];
  attributes?: HsdsAttribute[];
  services?: HsdsService[];
}

/** An HSDS API page (API reference, "Lists"). */
export interface HsdsPage<T> {
  total_items: number;
  total_pages: number;
  page_number: number;
  size: number;
  first_page: boolean;
  last_page: boolean;
  empty: boolean;
  contents: T[];
}

const LEGAL_STATUS: Record<OrganizationKind, string> = {
  SOCIAL_GROUP: '社会团体 (social group)',
  SOCIAL_SERVICE_AGENCY: '社会服务机构 (social service agency)',
  FOUNDATION: '基金会 (foundation)',
  OTHER: '其他 (other)',
};

function legalStatusOfProvider(kind: ProviderKind): string {
  const [name, nameEn] = PROVIDER_KINDS[kind];
  return `${name} (${nameEn.toLowerCase()})`;
}

const SERVICE_STATUS: Record<ServiceStatus, HsdsService['status']> = {
  [ServiceStatus.ACTIVE]: 'active',
  [ServiceStatus.PAUSED]: 'temporarily closed',
  [ServiceStatus.RETIRED]: 'inactive',
};

const FEES: Record<ServiceFee, string> = {
  [ServiceFee.FREE]: '免费 (free)',
  [ServiceFee.SUBSIDISED]: '补贴 (subsidised)',
  [ServiceFee.PAID]: '收费 (paid)',
};

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** A phone number inside free text: digits with optional +, spaces and dashes, at least 7 digits. */
const PHONE = /\+?\d[\d -]{5,}\d/;

/** Leaves out the keys whose value is undefined, and arrays that are empty. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0)),
  ) as T;
}

/** A website the schema's `uri` format accepts: an absolute http(s) URL. */
function httpUrl(raw: string | null | undefined): string | undefined {
  if (!raw) return undefined;
  try {
    const url = new URL(raw.trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** What one batch needs besides its rows: regions with their ancestors, and the visible hubs. */
interface BatchFacts {
  regions: Map<string, Region>;
  hubIds: Map<number, string>;
}

async function loadFacts(
  em: EntityManager,
  orgs: Organization[],
  services: ServiceOffering[],
): Promise<BatchFacts> {
  const codes = new Set([...orgs.map((o) => o.homeRegion.code), ...services.flatMap((s) => s.regionCodes)]);
  const regions = new Map<string, Region>();
  if (codes.size)
    for (const r of await em.find(Region, { code: { $in: [...codes] } })) regions.set(r.code, r);
  const ancestors = [...new Set([...regions.values()].flatMap((r) => r.path))].filter((c) => !regions.has(c));
  if (ancestors.length)
    for (const r of await em.find(Region, { code: { $in: ancestors } })) regions.set(r.code, r);
  const hubKeys = [...new Set(orgs.flatMap((o) => (o.hub ? [o.hub.id] : [])))];
  const hubIds = new Map<number, string>();
  if (hubKeys.length)
    for (const hub of await em.find(Organization, { id: { $in: hubKeys } }))
      if (anonymousSees(hub)) hubIds.set(hub.id, hub.openDataId);
  return { regions, hubIds };
}

/**
 * Whether an anonymous reader of the API sees the organization: the export shows exactly that (the
 * home region only matters to staff, so it is not read here).
 */
function anonymousSees(org: Organization): boolean {
  return canSeeOrganization(null, {
    id: org.id,
    verificationStatus: org.verificationStatus,
    homeRegionPath: [],
  });
}

/** A region with its ancestors, e.g. "山东省 济南市 历下区" and "Lixia, Jinan, Shandong". */
function regionNames(code: string, regions: Map<string, Region>): { zh: string; en: string } {
  const chain = (regions.get(code)?.path ?? [code]).map((c) => regions.get(c));
  if (chain.some((r) => r === undefined)) return { zh: code, en: code };
  return {
    zh: chain.map((r) => r!.name).join(' '),
    en: chain
      .map((r) => r!.nameEn)
      .reverse()
      .join(', '),
  };
}

function attributes(
  ctx: HsdsContext,
  linkId: string,
  linkEntity: HsdsAttribute['link_entity'],
  entries: { key: TaxonomyKey; code: string; value?: string }[],
): HsdsAttribute[] {
  return entries.flatMap(({ key, code, value }) => {
    const term = ctx.vocabulary.term(key, code);
    if (!term) return [];
    return [
      compact({
        id: partId(linkId, 'attribute', key, code),
        link_id: linkId,
        link_type: key,
        link_entity: linkEntity,
        taxonomy_term_id: term.id,
        value,
        taxonomy_term: term,
      }),
    ];
  });
}

function summaryOf(org: Organization, facts: BatchFacts, ctx: HsdsContext): HsdsOrganizationSummary {
  const id = org.openDataId;
  const contact = org.publicContact?.trim();
  return compact({
    id,
    name: org.name,
    alternate_name: org.brandName?.trim() || undefined,
    description: org.description,
    email: contact && EMAIL.test(contact) ? contact : undefined,
    website: httpUrl(org.website),
    // A social organization's legal form; the provider kind for the kinds that have none.
    legal_status: org.kind ? LEGAL_STATUS[org.kind] : legalStatusOfProvider(org.providerKind),
    uri: `${ctx.publicUrl}/opendata/hsds/organizations/${id}`,
    parent_organization_id: org.hub ? facts.hubIds.get(org.hub.id) : undefined,
  });
}

function organizationOf(
  org: Organization,
  services: ServiceOffering[] | null,
  facts: BatchFacts,
  ctx: HsdsContext,
): HsdsOrganization {
  const summary = summaryOf(org, facts, ctx);
  const id = summary.id;
  const contact = org.publicContact?.trim();
  const phone = contact && !summary.email ? PHONE.exec(contact)?.[0] : undefined;
  const home = org.homeRegion.code;
  const homeNames = regionNames(home, facts.regions);
  return compact({
    ...summary,
    phones: phone
      ? [
          {
            id: partId(id, 'phone', 'public'),
            organization_id: id,
            number: phone,
            type: 'voice' as const,
            description: '机构公开电话 (the organization’s published phone)',
          },
        ]
      : [],
    locations: [
      {
        id: partId(id, 'location', 'home'),
        location_type: 'physical' as const,
        organization_id: id,
        name: homeNames.zh,
        description: `登记所在地区 (home region): ${homeNames.en}`,
        external_identifier: home,
        external_identifier_type: 'GB/T 2260',
      },
    ],
    // A community group has no credit code: no identifier rather than an empty one.
    organization_identifiers: org.creditCode
      ? [
          {
            id: partId(id, 'identifier', CREDIT_CODE_SCHEME),
            organization_id: id,
            identifier_scheme: CREDIT_CODE_SCHEME,
            identifier_type: '统一社会信用代码 (unified social credit code)',
            identifier: org.creditCode,
          },
        ]
      : [],
    attributes: attributes(ctx, id, 'organization', [
      { key: TAXONOMY.foundingType.key, code: org.foundingType },
      ...(org.grade === EvaluationGrade.NONE ? [] : [{ key: TAXONOMY.evaluationGrade.key, code: org.grade }]),
      ...org.categoryCodes.map((code) => ({ key: TAXONOMY.serviceCategory.key, code })),
      ...org.targetGroups.map((code) => ({ key: TAXONOMY.targetGroup.key, code })),
      { key: TAXONOMY.providerKind.key, code: org.providerKind },
    ]),
    services: services?.map((s) => serviceOf(s, id, facts, ctx)),
  });
}

function serviceOf(
  s: ServiceOffering,
  organizationId: string,
  facts: BatchFacts,
  ctx: HsdsContext,
): HsdsService {
  const id = s.openDataId;
  return compact({
    id,
    organization_id: organizationId,
    name: s.name,
    description: s.description || undefined,
    status: SERVICE_STATUS[s.status],
    fees_description: FEES[s.fee],
    last_modified: s.updatedAt.toISOString(),
    languages: [{ id: partId(id, 'language', 'zh'), service_id: id, name: '中文 (Chinese)', code: 'zh' }],
    service_areas: s.regionCodes.map((code) => {
      const names = regionNames(code, facts.regions);
      return {
        id: partId(id, 'service_area', code),
        service_id: id,
        name: names.zh,
        description: `${names.en} (GB/T 2260 ${code})`,
        extent: code,
        extent_type: 'text' as const,
      };
    }),
    attributes: attributes(ctx, id, 'service', [
      ...s.categoryCodes.map((code) => ({ key: TAXONOMY.serviceCategory.key, code })),
      ...s.targetGroups.map((code) => ({ key: TAXONOMY.targetGroup.key, code })),
      { key: TAXONOMY.deliveryMode.key, code: s.mode },
      ...(s.monthlyCapacity != null
        ? [{ key: TAXONOMY.serviceFacts.key, code: MONTHLY_CAPACITY, value: String(s.monthlyCapacity) }]
        : []),
    ]),
  });
}

/** The anonymous API's visibility of services, as a query: verified organization, not retired. */
const VISIBLE_SERVICE: FilterQuery<ServiceOffering> = {
  organization: { verificationStatus: VerificationStatus.VERIFIED },
  status: { $ne: ServiceStatus.RETIRED },
};

function visibleServices(services: ServiceOffering[]): ServiceOffering[] {
  return services.filter(
    (s) => anonymousSees(s.organization.getEntity()) && showsService(null, s.organization.id, s.status),
  );
}

/**
 * Every organization the anonymous API shows, with the services it shows, in id order, read in
 * keyset batches of {@link HSDS_BATCH}. The identity map is cleared after each batch, so memory stays
 * flat however large the directory.
 */
export async function* hsdsOrganizations(
  em: EntityManager,
  ctx: HsdsContext,
): AsyncGenerator<HsdsOrganization> {
  let after = 0;
  for (;;) {
    // The SQL form of `anonymousSees` (only VERIFIED ones), which is applied again to each row.
    const batch = await em.find(
      Organization,
      { verificationStatus: VerificationStatus.VERIFIED, id: { $gt: after } },
      { orderBy: { id: 'asc' }, limit: HSDS_BATCH },
    );
    if (batch.length === 0) return;
    const organizations = batch.filter(anonymousSees);
    const services = organizations.length
      ? visibleServices(
          await em.find(
            ServiceOffering,
            { organization: { $in: organizations.map((o) => o.id) }, status: { $ne: ServiceStatus.RETIRED } },
            { orderBy: { id: 'asc' } },
          ),
        )
      : [];
    const facts = await loadFacts(em, organizations, services);
    const servicesOf = new Map<number, ServiceOffering[]>();
    for (const s of services)
      servicesOf.set(s.organization.id, [...(servicesOf.get(s.organization.id) ?? []), s]);
    for (const org of organizations) yield organizationOf(org, servicesOf.get(org.id) ?? [], facts, ctx);
    after = batch[batch.length - 1]!.id;
    em.clear();
  }
}

/** Every service the anonymous API shows, in id order, in keyset batches (as {@link hsdsOrganizations}). */
export async function* hsdsServices(em: EntityManager, ctx: HsdsContext): AsyncGenerator<HsdsService> {
  let after = 0;
  for (;;) {
    const batch = await em.find(
      ServiceOffering,
      { $and: [VISIBLE_SERVICE, { id: { $gt: after } }] },
      { orderBy: { id: 'asc' }, limit: HSDS_BATCH, populate: ['organization'] },
    );
    if (batch.length === 0) return;
    const services = visibleServices(batch);
    const facts = await loadFacts(em, [], services);
    for (const s of services) yield serviceOf(s, s.organization.getEntity().openDataId, facts, ctx);
    after = batch[batch.length - 1]!.id;
    em.clear();
  }
}

/** `page` and `per_page` of a list request, checked. */
export interface PageRequest {
  page: number;
  perPage: number;
}

function positiveInt(params: URLSearchParams, name: string, fallback: number, max: number): number {
  const raw = params.get(name);
  if (raw === null || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < 1 || value > max)
    throw BadUserInputError.field(name, `must be an integer from 1 to ${max}`);
  return value;
}

export function pageRequest(params: URLSearchParams): PageRequest {
  return {
    page: positiveInt(params, 'page', 1, Number.MAX_SAFE_INTEGER),
    perPage: positiveInt(params, 'per_page', HSDS_DEFAULT_PER_PAGE, HSDS_MAX_PER_PAGE),
  };
}

export function page<T>(contents: T[], total: number, request: PageRequest): HsdsPage<T> {
  const totalPages = Math.ceil(total / request.perPage);
  return {
    total_items: total,
    total_pages: totalPages,
    page_number: request.page,
    size: request.perPage,
    first_page: request.page === 1,
    last_page: request.page >= totalPages,
    empty: contents.length === 0,
    contents,
  };
}

function uuidParam(params: URLSearchParams, name: string): string | null {
  const raw = params.get(name);
  if (raw === null || raw === '') return null;
  if (!isUuid(raw)) throw BadUserInputError.field(name, 'must be a UUID');
  return raw.toLowerCase();
}

function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * `/services`: the filters of the HSDS API reference, cumulative (AND): `search` (in name and
 * description), `taxonomy_term_id` (a category covers its subtree), `organization_id`,
 * `modified_after` (an ISO date-time; services changed at or after it).
 */
export async function hsdsServicePage(
  em: EntityManager,
  ctx: HsdsContext,
  params: URLSearchParams,
): Promise<HsdsPage<HsdsService>> {
  const request = pageRequest(params);
  const filters: FilterQuery<ServiceOffering>[] = [VISIBLE_SERVICE];
  const search = params.get('search')?.trim();
  if (search)
    filters.push({
      $or: [{ name: { $ilike: likePattern(search) } }, { description: { $ilike: likePattern(search) } }],
    });
  const termId = uuidParam(params, 'taxonomy_term_id');
  if (termId) {
    const term = ctx.vocabulary.termById(termId);
    if (!term) filters.push({ id: { $in: [] } });
    else if (term.taxonomy === TAXONOMY.serviceCategory.key)
      filters.push({ categoryCodes: { $overlap: ctx.vocabulary.categoryCodesUnder(term.code) } });
    else if (term.taxonomy === TAXONOMY.targetGroup.key)
      filters.push({ targetGroups: { $contains: [term.code as TargetGroup] } });
    else if (term.taxonomy === TAXONOMY.deliveryMode.key)
      filters.push({ mode: term.code as ServiceOffering['mode'] });
    else if (term.taxonomy === TAXONOMY.foundingType.key)
      filters.push({ organization: { foundingType: term.code as Organization['foundingType'] } });
    else if (term.taxonomy === TAXONOMY.evaluationGrade.key)
      filters.push({ organization: { grade: term.code as EvaluationGrade } });
    else filters.push({ monthlyCapacity: { $ne: null } });
  }
  const organizationId = uuidParam(params, 'organization_id');
  if (organizationId) filters.push({ organization: { openDataId: organizationId } });
  const modifiedAfter = params.get('modified_after');
  if (modifiedAfter) {
    const date = new Date(modifiedAfter);
    if (Number.isNaN(date.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(modifiedAfter))
      throw BadUserInputError.field('modified_after', 'must be an ISO 8601 date or date-time');
    filters.push({ updatedAt: { $gte: date } });
  }
  const [rows, total] = await em.findAndCount(
    ServiceOffering,
    { $and: filters },
    {
      orderBy: { id: 'asc' },
      limit: request.perPage,
      offset: (request.page - 1) * request.perPage,
      populate: ['organization'],
    },
  );
  const services = visibleServices(rows);
  const facts = await loadFacts(em, [], services);
  return page(
    services.map((s) => serviceOf(s, s.organization.getEntity().openDataId, facts, ctx)),
    total,
    request,
  );
}

/** `/services/{id}`: the service with its organization; null when the anonymous API does not show it. */
export async function hsdsService(
  em: EntityManager,
  ctx: HsdsContext,
  id: string,
): Promise<HsdsService | null> {
  if (!isUuid(id)) return null;
  const row = await em.findOne(
    ServiceOffering,
    { $and: [VISIBLE_SERVICE, { openDataId: id.toLowerCase() }] },
    { populate: ['organization'] },
  );
  const [service] = row ? visibleServices([row]) : [];
  if (!service) return null;
  const org = service.organization.getEntity();
  const facts = await loadFacts(em, [org], [service]);
  return { ...serviceOf(service, org.openDataId, facts, ctx), organization: summaryOf(org, facts, ctx) };
}

/** `/organizations`: the list fields of each, in id order; `search` looks in the name. */
export async function hsdsOrganizationPage(
  em: EntityManager,
  ctx: HsdsContext,
  params: URLSearchParams,
): Promise<HsdsPage<HsdsOrganizationSummary>> {
  const request = pageRequest(params);
  const filters: FilterQuery<Organization>[] = [{ verificationStatus: VerificationStatus.VERIFIED }];
  const search = params.get('search')?.trim();
  if (search) filters.push({ name: { $ilike: likePattern(search) } });
  const [rows, total] = await em.findAndCount(
    Organization,
    { $and: filters },
    { orderBy: { id: 'asc' }, limit: request.perPage, offset: (request.page - 1) * request.perPage },
  );
  const organizations = rows.filter(anonymousSees);
  const facts = await loadFacts(em, organizations, []);
  return page(
    organizations.map((o) => summaryOf(o, facts, ctx)),
    total,
    request,
  );
}

/** `/organizations/{id}`: the organization with its services; null when the anonymous API does not show it. */
export async function hsdsOrganization(
  em: EntityManager,
  ctx: HsdsContext,
  id: string,
): Promise<HsdsOrganization | null> {
  if (!isUuid(id)) return null;
  const org = await em.findOne(Organization, {
    openDataId: id.toLowerCase(),
    verificationStatus: VerificationStatus.VERIFIED,
  });
  if (!org || !anonymousSees(org)) return null;
  const services = visibleServices(
    await em.find(
      ServiceOffering,
      { organization: org.id, status: { $ne: ServiceStatus.RETIRED } },
      { orderBy: { id: 'asc' } },
    ),
  );
  const facts = await loadFacts(em, [org], services);
  return organizationOf(org, services, facts, ctx);
}
