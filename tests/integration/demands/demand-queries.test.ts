import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ref } from '@mikro-orm/core';
import { statementsDuring } from '../../setup/probes.js';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import type { SeededOrganization, SeededUser } from '../../setup/seed.js';
import { Demand } from '../../../src/modules/demands/demand.entity.js';
import { DemandSource, DemandStatus } from '../../../src/modules/demands/demand.enums.js';
import { ServiceCategory } from '../../../src/modules/categories/service-category.entity.js';
import { Region, RegionLevel } from '../../../src/modules/regions/region.entity.js';
import { User } from '../../../src/modules/accounts/user.entity.js';
import { Organization } from '../../../src/modules/organizations/organization.entity.js';
import { TargetGroup } from '../../../src/modules/categories/target-group.js';

/**
 * No N+1: the main demand queries send the same small number of SQL statements for 5 rows as for
 * 50, whatever nested fields are asked for (docs/architecture.md, "Read path").
 */

const FEED = `query Feed($first: Int) {
  demands(first: $first) {
    edges { node {
      id
      category { name }
      region { name path { name } }
      claimedBy { name }
      submittedBy { displayName }
    } }
  }
}`;

const MATCHING = `query Matching($demandId: ID!) {
  matchingOrganizations(demandId: $demandId, first: 50) {
    totalCount
    edges { node {
      score
      reasons
      organization {
        id name rating
        homeRegion { name }
        categories { name }
        services { name }
      }
    } }
  }
}`;

let t: TestApp;
let admin: SeededUser;
let submitters: SeededUser[];
let claimants: SeededOrganization[];
let categories: ServiceCategory[];
let districts: Region[];

beforeAll(async () => {
  t = await startTestApp();
  admin = await t.seed.admin();
  submitters = await Promise.all(Array.from({ length: 7 }, () => t.seed.worker()));
  claimants = [];
  for (let i = 0; i < 4; i++)
    claimants.push(await t.seed.organization({ categoryCodes: ['LIFE', 'WORK'], regionCodes: ['370000'] }));
  const em = t.orm.em.fork();
  categories = await em.find(ServiceCategory, { parent: { $ne: null } }, { orderBy: { code: 'asc' } });
  // Districts of several cities, so the regions and their paths differ from row to row.
  districts = await em.find(Region, { level: RegionLevel.DISTRICT }, { orderBy: { code: 'asc' } });
});

afterAll(() => t?.stop());

let serial = 0;
/**
 * Inserts `count` demands straight through the ORM, varied on every axis a nested field loads:
 * category, region (and so its path), submitter, and for every other one a claiming organization.
 */
async function insertDemands(count: number): Promise<void> {
  const em = t.orm.em.fork();
  for (let i = 0; i < count; i++) {
    const n = serial++;
    const category = categories[(n * 7) % categories.length] as ServiceCategory;
    const region = districts[(n * 13) % districts.length] as Region;
    const claimant = n % 2 === 1 ? claimants[Math.floor(n / 2) % claimants.length] : undefined;
    em.create(Demand, {
      title: `需求 ${n}`,
      description: '用于统计语句数',
      category: ref(category),
      categoryPath: category.path,
      region: ref(region),
      regionPath: region.path,
      targetGroups: [TargetGroup.ALL_WORKERS],
      peopleAffected: 1 + (n % 5),
      source: DemandSource.WORKER,
      submittedBy: ref(em.getReference(User, (submitters[n % submitters.length] as SeededUser).user.id)),
      anonymous: n % 3 === 0,
      status: claimant ? DemandStatus.CLAIMED : DemandStatus.OPEN,
      claimedBy: claimant ? ref(em.getReference(Organization, claimant.organization.id)) : null,
      claimedAt: claimant ? new Date() : null,
      lastProgressAt: claimant ? new Date() : null,
      expiresAt: new Date(Date.now() + 30 * 86_400_000),
    });
  }
  await em.flush();
}

interface FeedNode {
  id: string;
  category: { name: string };
  region: { name: string; path: { name: string }[] };
  claimedBy: { name: string } | null;
  submittedBy: { displayName: string } | null;
}

describe('SQL statements per query', () => {
  it('runs the same few statements for the feed with nested category, region, path, claimant and submitter, at 5 and at 50 demands', async () => {
    const feed = async (expected: number) => {
      let nodes: FeedNode[] = [];
      const statements = await statementsDuring(t.orm, async () => {
        const data = await t.data<{ demands: { edges: { node: FeedNode }[] } }>(
          FEED,
          { first: 50 },
          admin.token,
        );
        nodes = data.demands.edges.map((e) => e.node);
      });
      expect(nodes).toHaveLength(expected);
      return { statements, nodes };
    };

    await insertDemands(5);
    const five = await feed(5);
    await insertDemands(45);
    const fifty = await feed(50);

    // The nested fields really were loaded, and varied.
    expect(new Set(fifty.nodes.map((n) => n.region.name)).size).toBeGreaterThan(10);
    expect(new Set(fifty.nodes.map((n) => n.category.name)).size).toBeGreaterThan(5);
    expect(fifty.nodes.every((n) => n.region.path.length === 3)).toBe(true);
    expect(new Set(fifty.nodes.map((n) => n.claimedBy?.name ?? null)).size).toBe(claimants.length + 1);
    // Anonymous submitters stay hidden, even from an admin (only union staff in scope see them).
    const named = fifty.nodes.filter((n) => n.submittedBy !== null);
    expect(named.length).toBeLessThan(50);
    expect(new Set(named.map((n) => n.submittedBy?.displayName)).size).toBe(submitters.length);

    expect(fifty.statements.length, fifty.statements.join('\n')).toBe(five.statements.length);
    // Measured 7: the viewer's memberships, the page, then one batch each: categories, regions,
    // the regions of their paths, organizations, users.
    expect(fifty.statements.length, fifty.statements.join('\n')).toBeLessThanOrEqual(8);
  });

  it('runs the same few statements for matchingOrganizations with nested organization fields, at 5 and at 50 organizations', async () => {
    const worker = await t.seed.worker();
    const submitted = await t.data<{ submitDemand: { demand: { id: string } } }>(
      `mutation($input: SubmitDemandInput!) { submitDemand(input: $input) { demand { id } } }`,
      {
        input: {
          title: '职工篮球赛场地',
          description: '需要周末的篮球场地和裁判',
          categoryCode: 'CULTURE.ARTS_SPORTS',
          regionCode: '370202',
          targetGroups: ['MIGRANT_WORKERS'],
        },
      },
      worker.token,
    );
    const demandId = submitted.submitDemand.demand.id;
    const addOrganizations = async (count: number, from: number) => {
      for (let i = from; i < from + count; i++) {
        // Varied: exact or parent category, district, city or province, specific or general audience.
        await t.seed.organization({
          homeRegionCode: ['370202', '370203', '370200', '370100'][i % 4],
          categoryCodes: [['CULTURE'], ['CULTURE.ARTS_SPORTS'], ['CULTURE', 'LIFE.CHILDCARE']][i % 3],
          regionCodes: [['370202'], ['370200'], ['370000'], ['370200', '370100']][i % 4],
          targetGroups:
            i % 2 === 0
              ? [TargetGroup.ALL_WORKERS]
              : [TargetGroup.MIGRANT_WORKERS, TargetGroup.FEMALE_WORKERS],
          services: [{ name: `服务 ${i}a` }, { name: `服务 ${i}b` }],
        });
      }
    };
    type Match = { score: number; organization: { id: string; services: unknown[] } };
    const match = async (expected: number) => {
      let edges: { node: Match }[] = [];
      const statements = await statementsDuring(t.orm, async () => {
        const data = await t.data<{
          matchingOrganizations: { totalCount: number; edges: { node: Match }[] };
        }>(MATCHING, { demandId }, worker.token);
        expect(data.matchingOrganizations.totalCount).toBe(expected);
        edges = data.matchingOrganizations.edges;
      });
      expect(edges).toHaveLength(expected);
      expect(edges.every((e) => e.node.organization.services.length === 2)).toBe(true);
      return statements;
    };

    await addOrganizations(5, 0);
    const five = await match(5);
    await addOrganizations(45, 5);
    const fifty = await match(50);

    expect(fifty.length, fifty.join('\n')).toBe(five.length);
    // Measured 7: the viewer's memberships, the demand, the candidates, their open claims (one
    // grouped count), then one batch each: home regions, categories, services.
    expect(fifty.length, fifty.join('\n')).toBeLessThanOrEqual(8);
  });
});
