import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toGlobalId } from '../../../src/core/relay/global-id.js';
import { EvaluationGrade } from '../../../src/modules/organizations/organization.enums.js';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import type { SeededOrganization } from '../../setup/seed.js';
import {
  APPLY,
  AWARD,
  closePeriod,
  projectInput,
  PUBLISH,
  seedPublisher,
  SOLE_APPLICANT_RATIONALE,
} from './project-helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

interface Verdict {
  eligible: boolean;
  failedRules: string[];
}

const RULES = { minGrade: 'GRADE_2A', mustServeRegions: true, verifiedOnly: true };

const PROJECT_APPLICATIONS = `query ($id: ID!) { project(id: $id) { applications(first: 50) { edges { node {
  id organization { id } eligibility { eligible failedRules } } } } } }`;
const PROJECT_APPLICATIONS_PLAIN = `query ($id: ID!) { project(id: $id) { applications(first: 50) { edges { node {
  id organization { id } } } } } }`;

async function publish(token: string): Promise<string> {
  const res = await t.data<{ publishProject: { project: { id: string } } }>(
    PUBLISH,
    { input: projectInput({ eligibility: RULES }) },
    token,
  );
  return res.publishProject.project.id;
}

function apply(org: SeededOrganization, projectId: string) {
  return t.gql<{ applyToProject: { application: { id: string } } }>(
    APPLY,
    {
      input: {
        projectId,
        organizationId: toGlobalId('Organization', org.organization.id),
        proposal: '我们的服务方案',
        requestedFen: 1_000_000,
      },
    },
    org.token,
  );
}

async function verdicts(projectId: string, token: string): Promise<Map<string, Verdict | null>> {
  const res = await t.data<{
    project: {
      applications: { edges: { node: { organization: { id: string }; eligibility: Verdict | null } }[] };
    };
  }>(PROJECT_APPLICATIONS, { id: projectId }, token);
  return new Map(res.project.applications.edges.map((e) => [e.node.organization.id, e.node.eligibility]));
}

const orgId = (org: SeededOrganization) => toGlobalId('Organization', org.organization.id);

describe('ProjectApplication.eligibility', () => {
  it('gives the verdict of applyToProject’s rules on the applicant as it stands now, every failed rule, batched', async () => {
    const pub = await seedPublisher(t);
    const projectId = await publish(pub.token);
    const good = await t.seed.organization({ grade: EvaluationGrade.GRADE_3A });
    const fallen = await t.seed.organization({ grade: EvaluationGrade.GRADE_3A });
    const third = await t.seed.organization({ grade: EvaluationGrade.GRADE_2A });
    for (const org of [good, fallen, third])
      expect((await apply(org, projectId)).body.errors).toBeUndefined();

    // Since it applied, the organization was suspended, downgraded and moved to Qingdao.
    await t.orm.em
      .fork()
      .execute(
        `update "organization" set "verification_status" = 'SUSPENDED', "grade" = 'NONE', "region_codes" = '{370200}' where "id" = ?`,
        [fallen.organization.id],
      );

    const shown = await verdicts(projectId, pub.token);
    expect(shown.get(orgId(good))).toEqual({ eligible: true, failedRules: [] });
    expect(shown.get(orgId(third))).toEqual({ eligible: true, failedRules: [] });
    expect(shown.get(orgId(fallen))).toEqual({
      eligible: false,
      failedRules: ['NOT_VERIFIED', 'GRADE_TOO_LOW', 'DOES_NOT_SERVE_REGION'],
    });

    // The same rules refuse it now: applyToProject's reason is the first failed rule.
    const other = await publish(pub.token);
    const refused = await apply(fallen, other);
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'NOT_VERIFIED' });

    // Three applicants' verdicts cost a fixed number of statements, not some per application.
    await verdicts(projectId, pub.token); // warm the compiled query
    const plain = await t.sqlCount(() => t.data(PROJECT_APPLICATIONS_PLAIN, { id: projectId }, pub.token));
    const withVerdicts = await t.sqlCount(() => verdicts(projectId, pub.token));
    expect(withVerdicts - plain).toBeLessThanOrEqual(4);
  });

  it('is shown to admins, the publisher’s staff and the applicant’s members, null to anyone else', async () => {
    const pub = await seedPublisher(t);
    const projectId = await publish(pub.token);
    const winner = await t.seed.organization({ grade: EvaluationGrade.GRADE_3A });
    const member = await t.seed.organizationMember(winner.organization.id);
    const applied = await apply(winner, projectId);
    const applicationId = applied.body.data!.applyToProject.application.id;
    const NODE = `query ($id: ID!) { node(id: $id) { ... on ProjectApplication { id eligibility { eligible } } } }`;
    const read = async (token: string) =>
      (
        await t.data<{ node: { id: string; eligibility: { eligible: boolean } | null } | null }>(
          NODE,
          { id: applicationId },
          token,
        )
      ).node;

    const admin = await t.seed.admin();
    expect(await read(admin.token)).toEqual({ id: applicationId, eligibility: { eligible: true } });
    expect(await read(pub.token)).toEqual({ id: applicationId, eligibility: { eligible: true } });
    expect(await read(winner.token)).toEqual({ id: applicationId, eligibility: { eligible: true } });
    expect(await read(member.token)).toEqual({ id: applicationId, eligibility: { eligible: true } });
    const otherStaff = await seedPublisher(t);
    expect(await read(otherStaff.token)).toBeNull();

    // Once awarded the winner is public, its verdict is not.
    await closePeriod(t, projectId);
    await t.data(
      AWARD,
      {
        input: {
          projectId,
          fairnessRationale: SOLE_APPLICANT_RATIONALE,
          awards: [{ applicationId, amountFen: 500_000 }],
        },
      },
      pub.token,
    );
    const outsider = await t.seed.worker();
    expect(await read(outsider.token)).toEqual({ id: applicationId, eligibility: null });
    expect(await read(otherStaff.token)).toEqual({ id: applicationId, eligibility: null });

    // A member removed from the organization no longer sees it.
    await t.orm.em
      .fork()
      .execute(`delete from "organization_member" where "organization_id" = ? and "user_id" = ?`, [
        winner.organization.id,
        member.user.id,
      ]);
    expect(await read(member.token)).toEqual({ id: applicationId, eligibility: null });
  });
});
