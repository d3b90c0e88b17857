/**
 * The parity tests' world: one matrix of viewers and of rows in every state that decides visibility,
 * written straight to the database, and helpers that read a row set through one path per request.
 * Each test compares the paths row by row and names every disagreement (viewer, row, paths).
 */
import { toGlobalId } from '../../../src/core/relay/global-id.js';
import { Role } from '../../../src/core/roles.js';
import { TargetGroup } from '../../../src/modules/categories/target-group.js';
import { DemandStatus } from '../../../src/modules/demands/demand.enums.js';
import { MemberRole, VerificationStatus } from '../../../src/modules/organizations/organization.enums.js';
import { ProjectStatus } from '../../../src/modules/projects/project.enums.js';
import type { Organization } from '../../../src/modules/organizations/organization.entity.js';
import type { SeededUser } from '../../setup/seed.js';
import type { TestApp } from '../../setup/test-app.js';

/** Many aliases in one request: a viewer reads every row of the matrix at once. */
export const PARITY_ENV = {
  LIMIT_MAX_ALIASES: '1000',
  LIMIT_MAX_TOKENS: '100000',
  LIMIT_MAX_COST: '10000000',
  LIMIT_MAX_BODY_BYTES: String(1024 * 1024),
};

/** One viewer of the matrix: a name for messages and a token (null: anonymous). */
export interface MatrixViewer {
  name: string;
  token: string | null;
  user: SeededUser | null;
}

/** A row: its global id and a name for messages, with the facts the filters need. */
export interface Row {
  id: string;
  name: string;
}

export interface DemandRow extends Row {
  status: DemandStatus;
  regionPath: string[];
  categoryPath: string[];
  targetGroups: string[];
}

export interface OrganizationRow extends Row {
  organization: Organization;
}

export interface ProjectRow extends Row {
  status: ProjectStatus;
  publisherId: string;
  title: string;
}

export interface World {
  viewers: MatrixViewer[];
  organizations: OrganizationRow[];
  users: Row[];
  demands: DemandRow[];
  /** Per subscribing viewer (members of a verified organization): the last event it must receive. */
  sentinels: Map<string, string>;
  projects: ProjectRow[];
  publisherIds: string[];
}

const CLAIMED_STATUSES = [
  DemandStatus.CLAIMED,
  DemandStatus.IN_SERVICE,
  DemandStatus.FULFILLED,
  DemandStatus.CLOSED,
];

/** Builds the matrix. */
export async function buildWorld(t: TestApp): Promise<World> {
  const seed = t.seed;
  const [submitter, worker, endorser, staffIn, staffOut, admin, publisherStaff, otherPublisherStaff] =
    await Promise.all([
      seed.worker(),
      seed.worker(),
      seed.worker(),
      seed.unionStaff('370100'),
      seed.unionStaff('370200'),
      seed.admin(),
      seed.user([Role.GOV_STAFF], { regionCode: '370100' }),
      seed.user([Role.GOV_STAFF], { regionCode: '370200' }),
    ]);
  const life = { categoryCodes: ['LIFE'], regionCodes: ['370100'] };
  const culture = { categoryCodes: ['CULTURE'], regionCodes: ['370200'], homeRegionCode: '370200' };
  const orgs = {
    verified: await seed.organization({ ...life, name: '核验组织' }),
    verifiedOther: await seed.organization({ ...culture, name: '另一核验组织' }),
    pending: await seed.organization({
      ...life,
      homeRegionCode: '370102',
      verified: false,
      name: '待核组织',
    }),
    pendingOut: await seed.organization({ ...culture, verified: false, name: '区外待核组织' }),
    suspended: await seed.organization({ ...life, status: VerificationStatus.SUSPENDED, name: '暂停组织' }),
    suspendedOut: await seed.organization({
      ...culture,
      status: VerificationStatus.SUSPENDED,
      name: '区外暂停组织',
    }),
  };
  const member = (org: keyof typeof orgs) =>
    seed.organizationMember(orgs[org].organization.id, MemberRole.ORG_MEMBER);
  const [verifiedMember, pendingMember, suspendedMember] = await Promise.all([
    member('verified'),
    member('pending'),
    member('suspended'),
  ]);
  const viewer = (name: string, user: SeededUser | null): MatrixViewer => ({
    name,
    token: user?.token ?? null,
    user,
  });
  const viewers = [
    viewer('anonymous', null),
    viewer('worker', worker),
    viewer('submitter', submitter),
    viewer('endorser', endorser),
    viewer('admin of a verified organization', orgs.verified.admin),
    viewer('member of a verified organization', verifiedMember),
    viewer('admin of another verified organization', orgs.verifiedOther.admin),
    viewer('admin of a pending organization', orgs.pending.admin),
    viewer('member of a pending organization', pendingMember),
    viewer('admin of a suspended organization', orgs.suspended.admin),
    viewer('member of a suspended organization', suspendedMember),
    viewer('union staff in scope', staffIn),
    viewer('union staff out of scope', staffOut),
    viewer('publisher staff', publisherStaff),
    viewer('admin', admin),
  ];

  const organizations = Object.entries(orgs).map(([name, o]) => ({
    id: toGlobalId('Organization', o.organization.id),
    name: `organization ${name} (${o.organization.verificationStatus})`,
    organization: o.organization,
  }));

  // Demands: every status, in and out of the Jinan scope, anonymous and not, unclaimed or claimed
  // by each kind of organization, in LIFE and CULTURE; a quarter endorsed; a few of another worker.
  const demands: DemandRow[] = [];
  const claimants = [orgs.verified, orgs.suspended, orgs.verifiedOther, orgs.pending];
  let n = 0;
  const addDemand = async (
    submitterId: number,
    options: Parameters<TestApp['seed']['demand']>[1] & { label: string },
  ) => {
    const demand = await seed.demand(submitterId, { ...options, published: true });
    demands.push({
      id: toGlobalId('Demand', demand.id),
      name: `demand ${demand.id} (${options.label})`,
      status: demand.status,
      regionPath: demand.regionPath,
      categoryPath: demand.categoryPath,
      targetGroups: demand.targetGroups,
    });
    return demand;
  };
  for (const status of Object.values(DemandStatus))
    for (const regionCode of ['370102', '370200'])
      for (const anonymous of [false, true])
        for (const claimant of CLAIMED_STATUSES.includes(status) ? claimants : [null]) {
          n += 1;
          const categoryCode = regionCode === '370200' ? 'CULTURE.ARTS_SPORTS' : 'LIFE.CHILDCARE';
          await addDemand(submitter.user.id, {
            label: `${status}, ${regionCode}, ${anonymous ? 'anonymous' : 'named'}, claimed by ${
              claimant ? claimant.organization.name : 'none'
            }${n % 4 === 0 ? ', endorsed' : ''}`,
            status,
            regionCode,
            categoryCode,
            targetGroups: n % 3 === 0 ? [TargetGroup.FEMALE_WORKERS] : [TargetGroup.ALL_WORKERS],
            anonymous,
            claimedById: claimant?.organization.id ?? null,
            contact: '13800000000',
            contactConsent: true,
            endorserIds: n % 4 === 0 ? [endorser.user.id] : [],
          });
        }
  for (const status of [DemandStatus.OPEN, DemandStatus.CLAIMED, DemandStatus.WITHDRAWN])
    await addDemand(worker.user.id, {
      label: `${status}, of another worker`,
      status,
      claimedById: status === DemandStatus.CLAIMED ? orgs.verified.organization.id : null,
    });
  // Last: one OPEN demand each subscribing organization can serve, so each feed ends with one.
  const sentinels = new Map<string, string>();
  const lifeSentinel = await addDemand(submitter.user.id, { label: 'OPEN, last LIFE event' });
  const cultureSentinel = await addDemand(submitter.user.id, {
    label: 'OPEN, last CULTURE event',
    regionCode: '370200',
    categoryCode: 'CULTURE.ARTS_SPORTS',
  });
  sentinels.set('admin of a verified organization', toGlobalId('Demand', lifeSentinel.id));
  sentinels.set('member of a verified organization', toGlobalId('Demand', lifeSentinel.id));
  sentinels.set('admin of another verified organization', toGlobalId('Demand', cultureSentinel.id));

  // Projects: every status, of the viewer's publisher and of another.
  const publishers = [
    await seed.publisher(publisherStaff, { regionCode: '370100' }),
    await seed.publisher(otherPublisherStaff, { regionCode: '370200' }),
  ];
  const projects: ProjectRow[] = [];
  for (const publisher of publishers)
    for (const status of Object.values(ProjectStatus)) {
      const project = await seed.project(publisher.id, { status });
      projects.push({
        id: toGlobalId('Project', project.id),
        name: `project ${project.id} (${status}, of ${publisher === publishers[0] ? 'the viewer' : 'another'}'s publisher)`,
        status,
        publisherId: toGlobalId('Publisher', publisher.id),
        title: project.title,
      });
    }

  const users = viewers.flatMap((v) =>
    v.user ? [{ id: toGlobalId('User', v.user.user.id), name: `user "${v.name}"` }] : [],
  );
  users.push(
    ...[otherPublisherStaff, orgs.pendingOut.admin, orgs.suspendedOut.admin].map((u, i) => ({
      id: toGlobalId('User', u.user.id),
      name: `user ${['staff of another publisher', 'admin of a pending organization out of scope', 'admin of a suspended organization out of scope'][i]}`,
    })),
  );
  return {
    viewers,
    organizations,
    users,
    demands,
    sentinels,
    projects,
    publisherIds: publishers.map((p) => toGlobalId('Publisher', p.id)),
  };
}

/**
 * The rows of `ids` a viewer reads through `field(id:)` in one request of aliases: the set of those
 * answered non-null.
 */
export async function visibleBySingleRead(
  t: TestApp,
  token: string | null,
  field: string,
  ids: readonly string[],
): Promise<Set<string>> {
  const query = `query(${ids.map((_, i) => `$i${i}: ID!`).join(', ')}) { ${ids
    .map((_, i) => `r${i}: ${field}(id: $i${i}) { id }`)
    .join(' ')} }`;
  const variables = Object.fromEntries(ids.map((id, i) => [`i${i}`, id]));
  const res = await t.gql<Record<string, { id: string } | null>>(query, variables, token);
  return new Set(
    Object.values(res.body.data ?? {}).flatMap((row) => (row && typeof row.id === 'string' ? [row.id] : [])),
  );
}

/** The rows of `ids` a viewer reads through `nodes(ids:)`. */
export async function visibleByNodes(
  t: TestApp,
  token: string | null,
  ids: readonly string[],
): Promise<Set<string>> {
  const res = await t.gql<{ nodes: ({ id: string } | null)[] }>(
    'query($ids: [ID!]!) { nodes(ids: $ids) { id } }',
    { ids },
    token,
  );
  return new Set((res.body.data?.nodes ?? []).flatMap((n) => (n ? [n.id] : [])));
}

/** Collects disagreements between paths, each naming the viewer, the row and the two paths. */
export class Disagreements {
  readonly found: string[] = [];

  /**
   * Compares, for every row, whether it is in `actual` (read through `path`) with whether it is in
   * `expected` (read through `reference`).
   */
  compare(
    viewer: MatrixViewer,
    rows: readonly Row[],
    reference: string,
    expected: ReadonlySet<string>,
    path: string,
    actual: ReadonlySet<string>,
  ): void {
    for (const row of rows) {
      const a = actual.has(row.id);
      const e = expected.has(row.id);
      if (a !== e)
        this.found.push(
          `${viewer.name}: ${row.name} is ${e ? 'visible' : 'invisible'} through ${reference} but ${
            a ? 'visible' : 'invisible'
          } through ${path}`,
        );
    }
  }
}
