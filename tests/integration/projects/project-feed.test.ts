import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { toGlobalId } from '../../../src/core/relay/global-id.js';
import { EvaluationGrade, FoundingType } from '../../../src/modules/organizations/organization.enums.js';
import type { SeededOrganization } from '../../setup/seed.js';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import { record, type Recorder } from '../events/feed-client.js';
import { subscriptionsReach } from '../../setup/probes.js';
import { projectInput, PUBLISH, seedPublisher } from './project-helpers.js';

const PROJECT_PUBLISHED = `subscription Feed($filter: ProjectSubscriptionFilter, $after: String) {
  projectPublished(filter: $filter, after: $after) { cursor project { id title } }
}`;

/** One pushed `ProjectEvent` as these tests select it. */
interface PushedProject {
  cursor: string;
  project: { id: string; title: string };
}

let t: TestApp;
let publisher: Awaited<ReturnType<typeof seedPublisher>>;
/** Serves LIFE in Jinan, grade 4A, independent: eligible for every project below that invites no one. */
let strong: SeededOrganization;
beforeAll(async () => {
  t = await startTestApp();
  publisher = await seedPublisher(t);
  strong = await t.seed.organization({ grade: EvaluationGrade.GRADE_4A });
});
// Each test counts the subscriptions it opens; the previous test's must be gone by then.
afterEach(() => subscriptionsReach(t, 0));
afterAll(() => t.stop());

/** Subscribes as `org` and records its `projectPublished` events. */
function follow(org: SeededOrganization, variables: Record<string, unknown> = {}): Recorder {
  return record(t.ws({ token: org.token }), variables, PROJECT_PUBLISHED, 'projectPublished');
}

const projectsOf = (r: Recorder) => (r.events as unknown as PushedProject[]).map((e) => e.project.id);

let serial = 0;
/** Publishes a LIFE project for Jinan (open to all by default) and returns its id. */
async function publish(overrides: Record<string, unknown> = {}): Promise<string> {
  serial += 1;
  const res = await t.data<{ publishProject: { project: { id: string } } }>(
    PUBLISH,
    { input: projectInput({ title: `购买服务项目 ${serial}`, ...overrides }) },
    publisher.token,
  );
  return res.publishProject.project.id;
}

describe('projectPublished', () => {
  it('pushes a new project to an eligible organization, and nothing to those differing in region or category', async () => {
    const otherRegion = await t.seed.organization({ regionCodes: ['370200'], homeRegionCode: '370200' });
    const otherCategory = await t.seed.organization({ categoryCodes: ['CULTURE'] });
    const hit = follow(strong);
    const misses = [otherRegion, otherCategory].map((o) => follow(o));
    await subscriptionsReach(t, 3);
    const id = await publish();
    const [event] = (await hit.waitFor(1)) as unknown as PushedProject[];
    expect(event?.project.id).toBe(id);
    // After it, one project each of the others is eligible for: each must see its own first.
    const qingdao = await seedPublisher(t, { regionCode: '370200' });
    const inQingdao = await t.data<{ publishProject: { project: { id: string } } }>(
      PUBLISH,
      { input: projectInput({ title: '青岛购买服务项目', regionCodes: ['370200'] }) },
      qingdao.token,
    );
    const sentinels = [inQingdao.publishProject.project.id, await publish({ categoryCode: 'CULTURE' })];
    for (const [i, miss] of misses.entries()) {
      await miss.waitFor(1);
      expect(projectsOf(miss)[0]).toBe(sentinels[i]);
    }
    [hit, ...misses].forEach((r) => r.stop());
  });

  it('skips projects whose grade, founding type or invitation rules the organization fails', async () => {
    const lowGrade = await t.seed.organization({ grade: EvaluationGrade.GRADE_1A });
    const unionFounded = await t.seed.organization({
      grade: EvaluationGrade.GRADE_5A,
      foundingType: FoundingType.UNION_FOUNDED,
    });
    const invited = await t.seed.organization();
    const subs = new Map([strong, lowGrade, unionFounded, invited].map((o) => [o, follow(o)]));
    await subscriptionsReach(t, 4);
    const demanding = await publish({
      eligibility: { minGrade: EvaluationGrade.GRADE_3A, allowedFoundingTypes: [FoundingType.INDEPENDENT] },
      fairnessRationale: '扶持独立创办的社会组织',
    });
    const selective = await publish({
      procurementMethod: 'SELECTIVE',
      invitedOrganizationIds: [toGlobalId('Organization', invited.organization.id)],
    });
    const open = await publish();
    // Events arrive in order: once the last (open to all) project is in, nothing else is coming.
    const expected = new Map([
      [strong, 2],
      [lowGrade, 1],
      [unionFounded, 1],
      [invited, 2],
    ]);
    for (const [org, sub] of subs) await sub.waitFor(expected.get(org)!);
    const got = (o: SeededOrganization) => projectsOf(subs.get(o)!);
    expect(got(strong)).toEqual([demanding, open]);
    expect(got(lowGrade)).toEqual([open]);
    expect(got(unionFounded)).toEqual([open]);
    expect(got(invited)).toEqual([selective, open]);
    subs.forEach((s) => s.stop());
  });

  it('replays exactly the missed projects in order after a reconnect, then goes live', async () => {
    const first = follow(strong);
    await subscriptionsReach(t, 1);
    await publish();
    const [seen] = (await first.waitFor(1)) as unknown as PushedProject[];
    first.stop();
    const missed: string[] = [];
    for (let i = 0; i < 4; i += 1) missed.push(await publish());
    // One the organization is not eligible for is not replayed either.
    await publish({ categoryCode: 'CULTURE' });
    const again = follow(strong, { after: seen?.cursor });
    await again.waitFor(4);
    expect(projectsOf(again)).toEqual(missed);
    const live = await publish();
    // Nothing pushed twice or out of turn: the next project is the 6th event.
    const sentinel = await publish();
    await again.waitFor(6);
    expect(projectsOf(again)).toEqual([...missed, live, sentinel]);
    const cursors = (again.events as unknown as PushedProject[]).map((e) => Number(e.cursor));
    expect([...cursors].sort((a, b) => a - b)).toEqual(cursors);
    again.stop();
  });

  it('is FORBIDDEN to someone in no organization, and refuses a malformed cursor', async () => {
    const worker = await t.seed.worker();
    const lone = record(t.ws({ token: worker.token }), {}, PROJECT_PUBLISHED, 'projectPublished');
    expect(JSON.stringify(await lone.failed())).toContain('FORBIDDEN');
    const bad = follow(strong, { after: 'not-a-cursor' });
    expect(JSON.stringify(await bad.failed())).toContain('BAD_USER_INPUT');
  });
});
