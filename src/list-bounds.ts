import type { ListBound } from './core/graphql/query-cost.js';
import { SERVICE_CATEGORIES } from './modules/categories/categories.data.js';
import { TargetGroup } from './modules/categories/target-group.js';
import { FoundingType } from './modules/organizations/organization.enums.js';
import { SIMILAR_LIMIT } from './modules/demands/demand.args.js';
import { MAX_WEBHOOKS_PER_ORGANIZATION } from './modules/webhooks/webhook.service.js';
import { PROGRESS_NOTES_SHOWN } from './modules/demands/demand-progress-notes.js';
import { MEMBERSHIPS_LISTED } from './modules/organizations/user-organizations.resolver.js';
import { DOCUMENTS_PER_ORGANIZATION } from './modules/organizations/organization-documents.service.js';

/*
 * The list bounds of this schema's fields, for the query cost (core/graphql/query-cost.ts): beside
 * src/schema.ts, since they name fields of every module; createApp hands them to the limits.
 */

/**
 * Items assumed for a list field of the schema that declares no bound below: about a default page.
 * Every list field that is not paginated and has no entry here counts this many.
 */
export const DEFAULT_LIST_BOUND = 20;

/**
 * Divisions directly below one division: a province has at most 21 prefecture-level divisions,
 * Chongqing 38 districts and counties. Divisions are imported by admins, so this is declared
 * rather than read from the data.
 */
const REGION_CHILDREN = 40;
/** Divisions of each level in the whole country (34 provincial, 333 prefecture, 2,844 county level). */
const REGIONS_BY_LEVEL: Readonly<Record<string, number>> = { PROVINCE: 40, CITY: 400, DISTRICT: 3000 };
/** Levels of the division tree (province, city, district). */
const REGION_LEVELS = 3;

/** The largest group of sibling categories, top level included: the taxonomy is fixed data. */
const CATEGORY_SIBLINGS = Math.max(
  ...SERVICE_CATEGORIES.map(
    ({ parentCode }) => SERVICE_CATEGORIES.filter((other) => other.parentCode === parentCode).length,
  ),
);

/** The limits of the inputs that fill these lists (organization.inputs.ts, project.inputs.ts). */
const REGIONS_PER_ORGANIZATION = 50;
const CATEGORIES_PER_ORGANIZATION = 30;
const REGIONS_PER_PROJECT = 20;
const DOCUMENTS_PER_PROJECT = 50;
const ORGANIZATIONS_INVITED = 100;
const DEMANDS_PER_PROJECT = 100;
const AWARDS_PER_PROJECT = 100;

/** `regions(parentCode, level)`: children of one division, or every division of one level. */
function regionsListed(args: Record<string, unknown> | null): number {
  if (args === null) return REGIONS_BY_LEVEL.DISTRICT!;
  if (typeof args.parentCode === 'string') return REGION_CHILDREN;
  if (typeof args.level === 'string') return REGIONS_BY_LEVEL[args.level] ?? REGIONS_BY_LEVEL.DISTRICT!;
  return REGIONS_BY_LEVEL.PROVINCE!;
}

/**
 * The declared bound of every list field whose real bound is known (schema coordinate → items).
 * Paginated fields (`first`/`last`) and connections' `edges` count their page instead; lists of
 * scalars or enums cost 1 like any leaf. tests/unit/core/query-cost.test.ts checks that every entry
 * names a list field of the schema.
 */
export const LIST_BOUNDS: Readonly<Record<string, ListBound>> = {
  'Query.regions': regionsListed,
  'Region.children': REGION_CHILDREN,
  'Region.path': REGION_LEVELS,
  'Query.serviceCategories': CATEGORY_SIBLINGS,
  'ServiceCategory.children': CATEGORY_SIBLINGS,
  'Query.targetGroups': Object.keys(TargetGroup).length,
  'Query.nodes': (args) => (Array.isArray(args?.ids) ? args.ids.length : DEFAULT_LIST_BOUND),
  'Query.webhooks': MAX_WEBHOOKS_PER_ORGANIZATION,
  'Organization.regionsServed': REGIONS_PER_ORGANIZATION,
  'Organization.categories': CATEGORIES_PER_ORGANIZATION,
  'Organization.documents': DOCUMENTS_PER_ORGANIZATION,
  'Service.regions': REGIONS_PER_ORGANIZATION,
  'Service.categories': CATEGORIES_PER_ORGANIZATION,
  'OrganizationStats.byCategory': CATEGORY_SIBLINGS,
  'OrganizationStats.byRegion': REGION_CHILDREN,
  'Project.regions': REGIONS_PER_PROJECT,
  'Project.documents': DOCUMENTS_PER_PROJECT,
  'Project.invitedOrganizations': ORGANIZATIONS_INVITED,
  'Project.linkedDemands': DEMANDS_PER_PROJECT,
  'Project.awards': AWARDS_PER_PROJECT,
  'AwardProjectPayload.awarded': AWARDS_PER_PROJECT,
  'ReportProjectDemandsPayload.fulfilled': DEMANDS_PER_PROJECT,
  'SubmitDemandPayload.similarOpenDemands': SIMILAR_LIMIT,
  'Demand.progressNotes': PROGRESS_NOTES_SHOWN,
  'User.memberships': MEMBERSHIPS_LISTED,
  'SupplyDemandGap.cells': REGION_CHILDREN * CATEGORY_SIBLINGS,
  'AwardFairness.byFoundingType': Object.keys(FoundingType).length,
};
