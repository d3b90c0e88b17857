import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toGlobalId } from '../../../src/core/relay/global-id.js';
import { ApplicationPageLoaders } from '../../../src/modules/projects/application-pages.js';
import { Project } from '../../../src/modules/projects/project.entity.js';
import type { SeededOrganization } from '../../setup/seed.js';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import { APPLY, idOf, projectInput, PUBLISH, seedPublisher } from './project-helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

const orgId = (org: SeededOrganization) => toGlobalId('Organization', org.organization.id);

describe('application pages of one unit of work', () => {
  // Subscribers of several organizations handed one live project event share a unit of work and its
  // loaders: each must still get only what its own rights allow.
  it('answer each reader with its own rights, also when readers share the loaders', async () => {
    const publisher = await seedPublisher(t);
    const project = await t.data<{ publishProject: { project: { id: string } } }>(
      PUBLISH,
      { input: projectInput() },
      publisher.token,
    );
    const projectId = project.publishProject.project.id;
    const [first, second] = [await t.seed.organization(), await t.seed.organization()];
    for (const org of [first, second])
      await t.data(
        APPLY,
        { input: { projectId, organizationId: orgId(org), proposal: '服务方案', requestedFen: 3_000_000 } },
        org.token,
      );

    const em = t.orm.em.fork();
    const row = await em.findOneOrFail(Project, { id: idOf(projectId) });
    const loaders = new ApplicationPageLoaders(em);
    const readerOf = (org: SeededOrganization) => ({
      isAdmin: false,
      publisherId: null,
      organizationIds: [org.organization.id],
    });
    const applicants = async (page: Promise<{ edges: { node: { organization: { id: number } } }[] }>) =>
      (await page).edges.map((edge) => edge.node.organization.id);

    // Asked in the same tick, as the subscribers of one event ask.
    const [firstSees, secondSees, publisherSees] = await Promise.all([
      applicants(loaders.firstPage(readerOf(first), row, 10)),
      applicants(loaders.firstPage(readerOf(second), row, 10)),
      applicants(
        loaders.firstPage(
          { isAdmin: false, publisherId: publisher.publisher.id, organizationIds: [] },
          row,
          10,
        ),
      ),
    ]);
    expect(firstSees).toEqual([first.organization.id]);
    expect(secondSees).toEqual([second.organization.id]);
    expect(publisherSees.sort((a, b) => a - b)).toEqual(
      [first.organization.id, second.organization.id].sort((a, b) => a - b),
    );
  });
});
