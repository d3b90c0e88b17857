import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ref } from '@mikro-orm/core';
import { ServiceCategory } from '../../../src/modules/categories/service-category.entity.js';
import { Organization } from '../../../src/modules/organizations/organization.entity.js';
import { ProjectApplication } from '../../../src/modules/projects/application.entity.js';
import { Project } from '../../../src/modules/projects/project.entity.js';
import { ProcurementMethod, ProjectStatus } from '../../../src/modules/projects/project.enums.js';
import { Publisher } from '../../../src/modules/projects/publisher.entity.js';
import { TargetGroup } from '../../../src/modules/categories/target-group.js';
import type { SeededOrganization } from '../../setup/seed.js';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import { seedPublisher } from './project-helpers.js';

const LIST = `query {
  projects(first: 50) {
    totalCount
    edges { node { id title publisher { name } category { name }
      applications(first: 5) { totalCount pageInfo { hasNextPage endCursor }
        edges { cursor node { id status requested { amountFen } organization { name } } } } } }
  }
}`;

interface Listed {
  projects: {
    totalCount: number;
    edges: {
      node: {
        id: string;
        applications: {
          totalCount: number;
          pageInfo: { hasNextPage: boolean; endCursor: string | null };
          edges: { node: { id: string; organization: { name: string } } }[];
        };
      };
    }[];
  };
}

let t: TestApp;
let publisher: Awaited<ReturnType<typeof seedPublisher>>;
let applicants: SeededOrganization[];
beforeAll(async () => {
  // The nested list is deep enough to pass the default cost limit; this test is about SQL, not cost.
  t = await startTestApp({ LIMIT_MAX_COST: '100000' });
  publisher = await seedPublisher(t);
  applicants = [await t.seed.organization(), await t.seed.organization(), await t.seed.organization()];
});
afterAll(() => t.stop());

/** Published projects of the publisher, each with an application from every applicant, straight to the database. */
async function seedProjects(count: number): Promise<void> {
  const em = t.orm.em.fork();
  const category = await em.findOneOrFail(ServiceCategory, { code: 'LIFE' });
  const now = Date.now();
  for (let i = 0; i < count; i += 1) {
    const project = em.create(Project, {
      publisher: ref(em.getReference(Publisher, publisher.publisher.id)),
      title: `批量项目 ${i}`,
      category: ref(category),
      categoryPath: category.path,
      regionCodes: ['370100'],
      regionPaths: ['370000', '370100'],
      targetGroups: [TargetGroup.ALL_WORKERS],
      budgetFen: 1_000_000,
      procurementMethod: ProcurementMethod.OPEN,
      status: ProjectStatus.PUBLISHED,
      publishedAt: new Date(now),
      applicationOpensAt: new Date(now - 86_400_000),
      applicationClosesAt: new Date(now + 7 * 86_400_000),
    });
    for (const applicant of applicants)
      em.create(ProjectApplication, {
        project: ref(project),
        organization: ref(em.getReference(Organization, applicant.organization.id)),
        proposal: '方案',
        requestedFen: 500_000,
      });
  }
  await em.flush();
}

describe('projects list with nested publisher, category and applications', () => {
  it('sends the same number of SQL statements for 5 projects as for 50 (no N+1)', async () => {
    await seedProjects(5);
    const viewers = [publisher.token, applicants[0]!.token, null];
    const small: number[] = [];
    for (const token of viewers) {
      let listed: Listed | undefined;
      small.push(await t.sqlCount(async () => (listed = await t.data<Listed>(LIST, {}, token))));
      expect(listed?.projects.edges).toHaveLength(5);
    }

    await seedProjects(45);
    const large: number[] = [];
    const seen: Listed[] = [];
    for (const token of viewers) {
      let listed: Listed | undefined;
      large.push(await t.sqlCount(async () => (listed = await t.data<Listed>(LIST, {}, token))));
      expect(listed?.projects.edges).toHaveLength(50);
      seen.push(listed!);
    }
    expect(large).toEqual(small);

    // The publisher's staff see every application; an applicant its own; the public none before the award.
    const [staff, applicant, anonymous] = seen.map((l) => l.projects.edges[0]!.node.applications);
    expect(staff).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: false } });
    expect(staff!.edges).toHaveLength(3);
    expect(applicant).toMatchObject({ totalCount: 1 });
    expect(applicant!.edges[0]?.node.organization.name).toBe(applicants[0]!.organization.name);
    expect(anonymous).toMatchObject({ totalCount: 0, edges: [] });
  });

  it('pages on from a batched first page with the same cursors as the unbatched path', async () => {
    const page = await t.data<{
      projects: {
        edges: {
          node: {
            id: string;
            applications: {
              pageInfo: { hasNextPage: boolean; endCursor: string };
              edges: { node: { id: string } }[];
            };
          };
        }[];
      };
    }>(
      `query { projects(first: 2) { edges { node { id applications(first: 1) { pageInfo { hasNextPage endCursor } edges { node { id } } } } } } }`,
      {},
      publisher.token,
    );
    const node = page.projects.edges[0]!.node;
    expect(node.applications.pageInfo.hasNextPage).toBe(true);
    const next = await t.data<{
      project: { applications: { edges: { node: { id: string } }[] } };
    }>(
      `query($id: ID!, $after: String) { project(id: $id) { applications(first: 5, after: $after) { edges { node { id } } } } }`,
      { id: node.id, after: node.applications.pageInfo.endCursor },
      publisher.token,
    );
    const all = await t.data<{ project: { applications: { edges: { node: { id: string } }[] } } }>(
      `query($id: ID!) { project(id: $id) { applications(first: 10) { edges { node { id } } } } }`,
      { id: node.id },
      publisher.token,
    );
    const ids = all.project.applications.edges.map((e) => e.node.id);
    expect([
      node.applications.edges[0]!.node.id,
      ...next.project.applications.edges.map((e) => e.node.id),
    ]).toEqual(ids);
  });
});
