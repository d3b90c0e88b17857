/**
 * Verified organizations and their services in the shapes of Open Referral's Human Services Data
 * Specification (HSDS 3.0): `organization` with nested `services`, `organization_identifiers`,
 * `service_areas` and taxonomy `attributes`. Only public directory data: no member, no user, no
 * contact person; the organization's published phone is left out too (it may be a person's mobile).
 *
 * @module
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { toGlobalId } from '../../core/relay/global-id.js';
import { Region } from '../regions/region.entity.js';
import { ServiceCategory } from '../categories/service-category.entity.js';
import { Organization } from '../organizations/organization.entity.js';
import { OrganizationService as ServiceOffering } from '../organizations/service.entity.js';
import {
  ServiceFee,
  ServiceStatus,
  VerificationStatus,
  type OrganizationKind,
} from '../organizations/organization.enums.js';
import { canSeeOrganization, showsService } from '../organizations/organization.policy.js';

/**
 * Whether an anonymous reader of the API sees the organization: the export shows exactly that
 * (the home region only matters to staff, so it is not read here).
 */
function anonymousSees(org: Organization): boolean {
  return canSeeOrganization(null, {
    id: org.id,
    verificationStatus: org.verificationStatus,
    homeRegionPath: [],
  });
}

/** Organizations read per keyset batch. */
export const HSDS_BATCH = 500;

/** org-id.guide's list code for China's unified social credit code (统一社会信用代码). */
export const CREDIT_CODE_SCHEME = 'CN-USCC';

/** HSDS `taxonomy_term`. */
export interface HsdsTaxonomyTerm {
  id: string;
  code: string;
  name: string;
  description: string;
  taxonomy: string;
  language: string;
}

/** HSDS `attribute`: links an organization or a service to a taxonomy term. */
export interface HsdsAttribute {
  id: string;
  link_id: string;
  link_type: string;
  link_entity: 'organization' | 'service';
  taxonomy_term_id: string;
  value: string | null;
  taxonomy_term: HsdsTaxonomyTerm;
}

/** HSDS `service_area`. */
export interface HsdsServiceArea {
  id: string;
  service_id: string;
  name: string;
  description: string;
  extent: string;
  extent_type: 'text';
}

/** HSDS `service`. */
export interface HsdsService {
  id: string;
  organization_id: string;
  name: string;
  description: string;
  status: 'active' | 'inactive' | 'defunct' | 'temporarily closed';
  fees_description: string;
  last_modified: string;
  languages: { id: string; service_id: string; name: string; code: string }[];
  service_areas: HsdsServiceArea[];
  attributes: HsdsAttribute[];
}

/** HSDS `organization`, with its services nested. */
export interface HsdsOrganization {
  id: string;
  name: string;
  alternate_name: string | null;
  description: string;
  website: string | null;
  legal_status: string;
  parent_organization_id: string | null;
  organization_identifiers: {
    id: string;
    organization_id: string;
    identifier_scheme: string;
    identifier_type: string;
    identifier: string;
  }[];
  attributes: HsdsAttribute[];
  services: HsdsService[];
}

const LEGAL_STATUS: Record<OrganizationKind, string> = {
  SOCIAL_GROUP: '社会团体 (social group)',
  SOCIAL_SERVICE_AGENCY: '社会服务机构 (social service agency)',
  FOUNDATION: '基金会 (foundation)',
  OTHER: '其他 (other)',
};

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

function term(taxonomy: string, code: string, name: string, description = ''): HsdsTaxonomyTerm {
  return { id: `${taxonomy}:${code}`, code, name, description, taxonomy, language: 'zh' };
}

function attribute(
  linkId: string,
  linkEntity: HsdsAttribute['link_entity'],
  taxonomyTerm: HsdsTaxonomyTerm,
  value: string | null = null,
): HsdsAttribute {
  return {
    id: `${linkId}:${taxonomyTerm.id}`,
    link_id: linkId,
    link_type: linkEntity === 'organization' ? 'organization' : 'service',
    link_entity: linkEntity,
    taxonomy_term_id: taxonomyTerm.id,
    value,
    taxonomy_term: taxonomyTerm,
  };
}

/**
 * Every organization the anonymous API shows, with the services it shows, in id order, read in keyset batches of
 * {@link HSDS_BATCH} (three queries a batch: organizations, their services, the regions they name).
 * The identity map is cleared after each batch, so memory stays flat however large the directory.
 */
export async function* hsdsOrganizations(em: EntityManager): AsyncGenerator<HsdsOrganization> {
  const categories = new Map((await em.find(ServiceCategory, {})).map((c) => [c.code, c]));
  const categoryTerm = (code: string) => {
    const c = categories.get(code);
    return term('niudai-service-category', code, c?.name ?? code, c?.nameEn ?? '');
  };
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
    const ids = organizations.map((o) => o.id);
    const services = (
      await em.find(
        ServiceOffering,
        { organization: { $in: ids } },
        { orderBy: { organization: 'asc', id: 'asc' } },
      )
    ).filter((s) => showsService(null, s.organization.id, s.status));
    const hubIds = [...new Set(organizations.flatMap((o) => (o.hub ? [o.hub.id] : [])))];
    const visibleHubs = new Set(
      (hubIds.length ? await em.find(Organization, { id: { $in: hubIds } }) : [])
        .filter(anonymousSees)
        .map((h) => h.id),
    );
    const regionCodes = [...new Set(services.flatMap((s) => s.regionCodes))];
    const regions = new Map(
      (regionCodes.length ? await em.find(Region, { code: { $in: regionCodes } }) : []).map((r) => [
        r.code,
        r,
      ]),
    );
    const servicesOf = new Map<number, ServiceOffering[]>();
    for (const s of services)
      servicesOf.set(s.organization.id, [...(servicesOf.get(s.organization.id) ?? []), s]);

    for (const org of organizations) {
      const id = org.globalId();
      yield {
        id,
        name: org.name,
        alternate_name: org.brandName ?? null,
        description: org.description,
        website: org.website ?? null,
        legal_status: LEGAL_STATUS[org.kind],
        parent_organization_id:
          org.hub && visibleHubs.has(org.hub.id) ? toGlobalId('Organization', org.hub.id) : null,
        organization_identifiers: [
          {
            id: `${id}:${CREDIT_CODE_SCHEME}`,
            organization_id: id,
            identifier_scheme: CREDIT_CODE_SCHEME,
            identifier_type: '统一社会信用代码 (unified social credit code)',
            identifier: org.creditCode,
          },
        ],
        attributes: [
          attribute(id, 'organization', term('niudai-founding-type', org.foundingType, org.foundingType)),
          attribute(id, 'organization', term('niudai-evaluation-grade', org.grade, org.grade)),
          ...org.categoryCodes.map((code) => attribute(id, 'organization', categoryTerm(code))),
          ...org.targetGroups.map((g) => attribute(id, 'organization', term('niudai-target-group', g, g))),
        ],
        services: (servicesOf.get(org.id) ?? []).map((s) => {
          const sid = s.globalId();
          return {
            id: sid,
            organization_id: id,
            name: s.name,
            description: s.description,
            status: SERVICE_STATUS[s.status],
            fees_description: FEES[s.fee],
            last_modified: s.updatedAt.toISOString(),
            languages: [{ id: `${sid}:zh`, service_id: sid, name: 'Chinese', code: 'zh' }],
            service_areas: s.regionCodes.map((code) => {
              const region = regions.get(code);
              return {
                id: `${sid}:area:${code}`,
                service_id: sid,
                name: region?.name ?? code,
                description: region ? `${region.nameEn} (GB/T 2260 ${code})` : `GB/T 2260 ${code}`,
                extent: code,
                extent_type: 'text' as const,
              };
            }),
            attributes: [
              ...s.categoryCodes.map((code) => attribute(sid, 'service', categoryTerm(code))),
              ...s.targetGroups.map((g) => attribute(sid, 'service', term('niudai-target-group', g, g))),
              attribute(sid, 'service', term('niudai-delivery-mode', s.mode, s.mode)),
              ...(s.monthlyCapacity != null
                ? [
                    attribute(
                      sid,
                      'service',
                      term('niudai-capacity', 'MONTHLY_CAPACITY', '每月服务人数 (workers a month)'),
                      String(s.monthlyCapacity),
                    ),
                  ]
                : []),
            ],
          };
        }),
      };
    }
    after = batch[batch.length - 1]!.id;
    em.clear();
  }
}
