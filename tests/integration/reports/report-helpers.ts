import { randomUUID } from 'node:crypto';
import { ref } from '@mikro-orm/core';
import { toGlobalId } from '../../../src/core/relay/global-id.js';
import { User } from '../../../src/modules/accounts/user.entity.js';
import { Region } from '../../../src/modules/regions/region.entity.js';
import { ServiceCategory } from '../../../src/modules/categories/service-category.entity.js';
import { TargetGroup } from '../../../src/modules/categories/target-group.js';
import { Organization } from '../../../src/modules/organizations/organization.entity.js';
import { Demand } from '../../../src/modules/demands/demand.entity.js';
import { DemandSource, DemandStatus } from '../../../src/modules/demands/demand.enums.js';
import type { TestApp } from '../../setup/test-app.js';
import {
  APPLY,
  AWARD,
  closePeriod,
  projectInput,
  PUBLISH,
  SOLE_APPLICANT_RATIONALE,
} from '../projects/project-helpers.js';

const DAY_MS = 86_400_000;

/** A demand written straight to the database, `ageDays` old, with exact people affected. */
export async function seedDemand(
  t: TestApp,
  submitterId: number,
  options: {
    regionCode: string;
    categoryCode: string;
    peopleAffected?: number;
    ageDays?: number;
    status?: DemandStatus;
    claimedById?: number;
    contact?: string;
  },
): Promise<Demand> {
  const em = t.orm.em.fork();
  const [region, category] = await Promise.all([
    em.findOneOrFail(Region, { code: options.regionCode }),
    em.findOneOrFail(ServiceCategory, { code: options.categoryCode }),
  ]);
  const createdAt = new Date(Date.now() - (options.ageDays ?? 0) * DAY_MS);
  const demand = em.create(Demand, {
    title: `需求 ${randomUUID().slice(0, 8)}`,
    description: '测试需求',
    category: ref(category),
    categoryPath: category.path,
    region: ref(region),
    regionPath: region.path,
    targetGroups: [TargetGroup.ALL_WORKERS],
    peopleAffected: options.peopleAffected ?? 1,
    source: DemandSource.WORKER,
    submittedBy: ref(em.getReference(User, submitterId)),
    contact: options.contact ?? null,
    status: options.status ?? DemandStatus.OPEN,
    claimedBy: options.claimedById ? ref(em.getReference(Organization, options.claimedById)) : null,
    expiresAt: new Date(Date.now() + 60 * DAY_MS),
    createdAt,
  });
  await em.flush();
  return demand;
}

/** Sets a service's monthly capacity. */
export async function setCapacity(t: TestApp, serviceId: number, capacity: number): Promise<void> {
  await t.orm.em
    .fork()
    .execute('update "service" set "monthly_capacity" = ? where "id" = ?', [capacity, serviceId]);
}

/** Publishes a project, has each organization apply, closes the period and awards the given amounts. */
export async function awardedProject(
  t: TestApp,
  publisherToken: string,
  overrides: Record<string, unknown>,
  applicants: { organizationId: number; token: string; awardFen?: number; withdraw?: boolean }[],
): Promise<string> {
  const published = await t.data<{ publishProject: { project: { id: string } } }>(
    PUBLISH,
    { input: projectInput({ ...overrides, publish: true }) },
    publisherToken,
  );
  const projectId = published.publishProject.project.id;
  const awards: { applicationId: string; amountFen: number }[] = [];
  for (const a of applicants) {
    const applied = await t.data<{ applyToProject: { application: { id: string } } }>(
      APPLY,
      {
        input: {
          projectId,
          organizationId: toGlobalId('Organization', a.organizationId),
          proposal: '服务方案',
          requestedFen: a.awardFen ?? 1_000_000,
        },
      },
      a.token,
    );
    const applicationId = applied.applyToProject.application.id;
    if (a.withdraw)
      await t.data(
        `mutation($input: WithdrawApplicationInput!) { withdrawApplication(input: $input) { application { id } } }`,
        { input: { applicationId } },
        a.token,
      );
    if (a.awardFen) awards.push({ applicationId, amountFen: a.awardFen });
  }
  if (awards.length) {
    await closePeriod(t, projectId);
    await t.data(
      AWARD,
      { input: { projectId, fairnessRationale: SOLE_APPLICANT_RATIONALE, awards } },
      publisherToken,
    );
  }
  return projectId;
}
