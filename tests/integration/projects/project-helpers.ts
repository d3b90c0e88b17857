import { ref } from '@mikro-orm/core';
import { Role } from '../../../src/core/roles.js';
import { toGlobalId } from '../../../src/core/relay/global-id.js';
import { User } from '../../../src/modules/accounts/user.entity.js';
import { Region } from '../../../src/modules/regions/region.entity.js';
import { PublisherKind } from '../../../src/modules/projects/project.enums.js';
import {
  Publisher,
  PublisherStaff,
  STAFF_ROLE_OF_KIND,
} from '../../../src/modules/projects/publisher.entity.js';
import type { SeededUser } from '../../setup/seed.js';
import type { TestApp } from '../../setup/test-app.js';

/** A publisher with one staff member, written straight to the database. */
export async function seedPublisher(
  t: TestApp,
  options: { kind?: PublisherKind; regionCode?: string; name?: string } = {},
): Promise<{ publisher: Publisher; publisherId: string; staff: SeededUser; token: string }> {
  const kind = options.kind ?? PublisherKind.UNION;
  const regionCode = options.regionCode ?? '370100';
  const role: Role = STAFF_ROLE_OF_KIND[kind];
  const staff = await t.seed.user([role], { regionCode });
  const em = t.orm.em.fork();
  const publisher = em.create(Publisher, {
    kind,
    name: options.name ?? `测试发布方${staff.user.id}`,
    region: ref(em.getReference(Region, regionCode)),
  });
  em.create(PublisherStaff, { publisher: ref(publisher), user: ref(em.getReference(User, staff.user.id)) });
  await em.flush();
  return { publisher, publisherId: toGlobalId('Publisher', publisher.id), staff, token: staff.token };
}

/** Moves a project's application period into the past (the database clock decides what is closed). */
export async function closePeriod(t: TestApp, projectGlobalId: string): Promise<void> {
  await t.orm.em
    .fork()
    .execute(
      `update "project" set "application_opens_at" = now() - interval '2 days', "application_closes_at" = now() - interval '1 second' where "id" = ?`,
      [idOf(projectGlobalId)],
    );
}

/** The numeric key of a global id. */
export function idOf(globalId: string): number {
  return Number(Buffer.from(globalId, 'base64url').toString('utf8').split(':')[1]);
}

export const PUBLISH = `mutation($input: PublishProjectInput!) {
  publishProject(input: $input) { project { id status title budget { amountFen currency } procurementMethod
    eligibility { verifiedOnly minGrade allowedFoundingTypes mustServeRegions } regions { code } category { code }
    documents { title url } isOpenForApplications publisher { id name } } } }`;

export const APPLY = `mutation($input: ApplyToProjectInput!) {
  applyToProject(input: $input) { application { id status requested { amountFen } organization { id } } } }`;

export const AWARD = `mutation($input: AwardProjectInput!) {
  awardProject(input: $input) { project { id status awardedTotal { amountFen } } awarded { id status awarded { amountFen } } } }`;

/**
 * The rationale an award needs when only one organization applied (a fairness flag, docs/domain.md):
 * tests that award a sole applicant pass it.
 */
export const SOLE_APPLICANT_RATIONALE = '唯一申报机构，经评审符合要求';

/** A valid new project input; applications open now and close in a week. */
export function projectInput(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Date.now();
  return {
    title: '困难职工家庭子女助学服务',
    description: '为济南市困难职工家庭子女提供课后辅导。',
    categoryCode: 'LIFE',
    regionCodes: ['370100'],
    targetGroups: ['HARDSHIP_WORKERS'],
    budgetFen: 10_000_000,
    applicationOpensAt: new Date(now - 60_000).toISOString(),
    applicationClosesAt: new Date(now + 7 * 86_400_000).toISOString(),
    documents: [{ title: '招标公告', url: 'https://example.cn/tender.pdf' }],
    ...overrides,
  };
}

/** An organization applying: its id and its admin's token (a `SeededOrganization` is one). */
interface Applicant {
  organization: { id: number };
  token: string;
}

/**
 * Applies `winner`, then each of `others`, to an open project for `requestedFen`, closes the
 * application period and awards `awardFen` (the amount requested by default) to `winner` alone.
 */
export async function awardTo(
  t: TestApp,
  publisherToken: string,
  projectId: string,
  winner: Applicant,
  options: { requestedFen?: number; awardFen?: number; others?: readonly Applicant[] } = {},
): Promise<{ applicationId: string; otherApplicationIds: string[] }> {
  const requestedFen = options.requestedFen ?? 800_000;
  const apply = async (applicant: Applicant) =>
    (
      await t.data<{ applyToProject: { application: { id: string } } }>(
        APPLY,
        {
          input: {
            projectId,
            organizationId: toGlobalId('Organization', applicant.organization.id),
            proposal: '服务方案',
            requestedFen,
          },
        },
        applicant.token,
      )
    ).applyToProject.application.id;
  const applicationId = await apply(winner);
  const otherApplicationIds: string[] = [];
  for (const other of options.others ?? []) otherApplicationIds.push(await apply(other));
  await closePeriod(t, projectId);
  await t.data(
    AWARD,
    {
      input: {
        // Needed when the winner applied alone; ignored otherwise.
        fairnessRationale: SOLE_APPLICANT_RATIONALE,
        projectId,
        awards: [{ applicationId, amountFen: options.awardFen ?? requestedFen }],
      },
    },
    publisherToken,
  );
  return { applicationId, otherApplicationIds };
}

/**
 * A project (budget 1,000,000 fen unless `budgetFen`) published by `publisherToken`'s publisher and
 * awarded to `winner` by {@link awardTo}.
 */
export async function awardedProject(
  t: TestApp,
  publisherToken: string,
  winner: Applicant,
  options: Parameters<typeof awardTo>[4] & { budgetFen?: number } = {},
): Promise<{ projectId: string; applicationId: string; otherApplicationIds: string[] }> {
  const published = await t.data<{ publishProject: { project: { id: string } } }>(
    PUBLISH,
    { input: projectInput({ title: '职工子女托管服务', budgetFen: options.budgetFen ?? 1_000_000 }) },
    publisherToken,
  );
  const projectId = published.publishProject.project.id;
  return { projectId, ...(await awardTo(t, publisherToken, projectId, winner, options)) };
}
