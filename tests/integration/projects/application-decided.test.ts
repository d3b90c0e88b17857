import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { toGlobalId } from '../../../src/core/relay/global-id.js';
import type { SeededOrganization } from '../../setup/seed.js';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import { record, type Recorder } from '../events/feed-client.js';
import { subscriptionsReach } from '../../setup/probes.js';
import {
  APPLY,
  AWARD,
  closePeriod,
  projectInput,
  PUBLISH,
  seedPublisher,
  SOLE_APPLICANT_RATIONALE,
} from './project-helpers.js';

const DECIDED = `subscription Decided($organizationId: ID, $projectId: ID, $after: String) {
  applicationDecided(organizationId: $organizationId, projectId: $projectId, after: $after) {
    cursor application { id status awarded { amountFen } project { id } organization { id } }
  }
}`;

/** One pushed `ApplicationDecisionEvent` as these tests select it. */
interface Decision {
  cursor: string;
  application: {
    id: string;
    status: string;
    awarded: { amountFen: number } | null;
    project: { id: string };
    organization: { id: string };
  };
}

let t: TestApp;
let publisher: Awaited<ReturnType<typeof seedPublisher>>;
beforeAll(async () => {
  t = await startTestApp();
  publisher = await seedPublisher(t);
});
// Each test counts the subscriptions it opens; the previous test's must be gone by then.
afterEach(() => subscriptionsReach(t, 0));
afterAll(() => t.stop());

const orgId = (org: SeededOrganization) => toGlobalId('Organization', org.organization.id);

/** Follows the decisions on `org`'s applications as the holder of `token` (its admin by default). */
function follow(
  org: SeededOrganization,
  variables: Record<string, unknown> = {},
  token = org.token,
): Recorder {
  return record(t.ws({ token }), { organizationId: orgId(org), ...variables }, DECIDED, 'applicationDecided');
}

const decisions = (r: Recorder): Decision[] => r.events as unknown as Decision[];

/** A published LIFE project for Jinan. */
async function publish(): Promise<string> {
  const res = await t.data<{ publishProject: { project: { id: string } } }>(
    PUBLISH,
    { input: projectInput() },
    publisher.token,
  );
  return res.publishProject.project.id;
}

async function apply(projectId: string, org: SeededOrganization, requestedFen = 3_000_000): Promise<string> {
  const res = await t.data<{ applyToProject: { application: { id: string } } }>(
    APPLY,
    { input: { projectId, organizationId: orgId(org), proposal: '服务方案', requestedFen } },
    org.token,
  );
  return res.applyToProject.application.id;
}

async function award(projectId: string, applicationId: string, amountFen: number): Promise<void> {
  await closePeriod(t, projectId);
  await t.data(
    AWARD,
    {
      input: {
        projectId,
        fairnessRationale: SOLE_APPLICANT_RATIONALE,
        awards: [{ applicationId, amountFen }],
      },
    },
    publisher.token,
  );
}

describe('applicationDecided', () => {
  it('tells each applicant its own decision, and a third organization nothing', async () => {
    const [winner, loser, bystander] = [
      await t.seed.organization(),
      await t.seed.organization(),
      await t.seed.organization(),
    ];
    const projectId = await publish();
    const winning = await apply(projectId, winner);
    const losing = await apply(projectId, loser);
    // A plain member of the losing organization hears it too.
    const loserMember = await t.seed.organizationMember(loser.organization.id);
    const subs = {
      winner: follow(winner),
      loser: follow(loser),
      loserMember: follow(loser, {}, loserMember.token),
      bystander: follow(bystander),
    };
    await subscriptionsReach(t, 4);
    await award(projectId, winning, 2_500_000);
    const [won] = await subs.winner.waitFor(1);
    const [lost] = await subs.loser.waitFor(1);
    await subs.loserMember.waitFor(1);
    expect(won).toMatchObject({
      application: {
        id: winning,
        status: 'AWARDED',
        awarded: { amountFen: 2_500_000 },
        project: { id: projectId },
        organization: { id: orgId(winner) },
      },
    });
    expect(lost).toMatchObject({ application: { id: losing, status: 'REJECTED', awarded: null } });
    expect(decisions(subs.loserMember)).toEqual(decisions(subs.loser));
    // Then a project all three apply to, awarded to the bystander: each one's next decision is this
    // one's, so nothing else (a second decision, the bystander hearing the first award) came before.
    const sentinelProject = await publish();
    const sentinelApplications = [
      await apply(sentinelProject, winner),
      await apply(sentinelProject, loser),
      await apply(sentinelProject, bystander),
    ];
    await award(sentinelProject, sentinelApplications[2]!, 1_000_000);
    await subs.winner.waitFor(2);
    expect(decisions(subs.winner)[1]?.application.id).toBe(sentinelApplications[0]);
    await subs.loser.waitFor(2);
    expect(decisions(subs.loser)[1]?.application.id).toBe(sentinelApplications[1]);
    await subs.bystander.waitFor(1);
    expect(decisions(subs.bystander)[0]?.application.id).toBe(sentinelApplications[2]);
    Object.values(subs).forEach((s) => s.stop());
  });

  it('replays the decisions missed since `after` in order after a reconnect, narrowed to a project when asked, then goes live', async () => {
    const org = await t.seed.organization();
    const rival = await t.seed.organization();
    const first = follow(org);
    await subscriptionsReach(t, 1);
    const p1 = await publish();
    const a1 = await apply(p1, org);
    const r1 = await apply(p1, rival);
    await award(p1, r1, 1_000_000);
    const [seen] = (await first.waitFor(1)) as unknown as Decision[];
    expect(seen?.application).toMatchObject({ id: a1, status: 'REJECTED' });
    first.stop();

    // Missed while away: an award and a rejection on two more projects.
    const p2 = await publish();
    const a2 = await apply(p2, org);
    await award(p2, a2, 2_000_000);
    const p3 = await publish();
    const a3 = await apply(p3, org);
    const r3 = await apply(p3, rival);
    await award(p3, r3, 1_500_000);

    const again = follow(org, { after: seen?.cursor });
    const onlyP3 = follow(org, { after: seen?.cursor, projectId: p3 });
    await again.waitFor(2);
    await onlyP3.waitFor(1);
    expect(decisions(again).map((d) => [d.application.id, d.application.status])).toEqual([
      [a2, 'AWARDED'],
      [a3, 'REJECTED'],
    ]);
    expect(decisions(onlyP3).map((d) => d.application.id)).toEqual([a3]);

    // Live after the replay: a cancellation rejects the applications still in the running.
    const p4 = await publish();
    const a4 = await apply(p4, org);
    await t.data(
      `mutation($input: CancelProjectInput!) { cancelProject(input: $input) { project { id status } } }`,
      { input: { projectId: p4, reason: '预算调整' } },
      publisher.token,
    );
    // And one more decision: the 4th event, so nothing else came in between.
    const p5 = await publish();
    const a5 = await apply(p5, org);
    await award(p5, a5, 500_000);
    await again.waitFor(4);
    expect(decisions(again).map((d) => [d.application.id, d.application.status])).toEqual([
      [a2, 'AWARDED'],
      [a3, 'REJECTED'],
      [a4, 'REJECTED'],
      [a5, 'AWARDED'],
    ]);
    const cursors = decisions(again).map((d) => Number(d.cursor));
    expect([...cursors].sort((x, y) => x - y)).toEqual(cursors);
    expect(cursors[0]).toBeGreaterThan(Number(seen?.cursor));
    expect(onlyP3.events).toHaveLength(1);
    [again, onlyP3].forEach((r) => r.stop());
  });

  it('is FORBIDDEN for another organization’s decisions and for someone in no organization; refuses a bad cursor', async () => {
    const org = await t.seed.organization();
    const other = await t.seed.organization();
    const peeking = follow(org, {}, other.token);
    expect(JSON.stringify(await peeking.failed())).toContain('FORBIDDEN');
    const worker = await t.seed.worker();
    const lone = record(t.ws({ token: worker.token }), {}, DECIDED, 'applicationDecided');
    expect(JSON.stringify(await lone.failed())).toContain('FORBIDDEN');
    const bad = follow(org, { after: 'not-a-cursor' });
    expect(JSON.stringify(await bad.failed())).toContain('BAD_USER_INPUT');
  });
});
