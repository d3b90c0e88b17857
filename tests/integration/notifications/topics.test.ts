import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import type { SeededOrganization } from '../../setup/seed.js';
import { register, startReceiver, submitDemand, WEBHOOK_ENV, type Receiver } from '../webhooks/helpers.js';
import { closePeriod, projectInput, PUBLISH, seedPublisher } from '../projects/project-helpers.js';
import { fannedOut, inbox, NOTIFY_ENV } from './helpers.js';

/**
 * The topics beyond the live feeds' events: a claim about to lapse, a disabled webhook, a closed
 * application period (its event is written by the project module's close of the period), and a
 * worker's demand released or expired. Each reaches the inbox over the
 * real app; the sweep-made ones once, however often the sweep runs.
 */
let t: TestApp;
const receivers: Receiver[] = [];
const HOUR_MS = 3_600_000;

beforeAll(async () => {
  t = await startTestApp({ ...NOTIFY_ENV, ...WEBHOOK_ENV });
});

afterAll(async () => {
  await t?.stop();
  for (const receiver of receivers) await receiver.close();
});

const orgId = (o: SeededOrganization) => o.organization.globalId();
const servingOrg = () => t.seed.organization({ categoryCodes: ['LIFE'], regionCodes: ['370100'] });

async function demandAction(name: string, inputType: string, input: object, token: string): Promise<void> {
  await t.data(
    `mutation($input: ${inputType}!) { ${name}(input: $input) { demand { id } } }`,
    { input },
    token,
  );
}

/** Runs the demand sweep as if it were `hoursFromNow` later. */
async function sweepAt(hoursFromNow: number) {
  return t.app.services.demandSweep.run(t.orm.em.fork(), new Date(Date.now() + hoursFromNow * HOUR_MS));
}

const topicsOf = async (token: string) => (await inbox(t, token)).items.map((n) => n.topic);

describe('notification topics made by sweeps and workers', () => {
  it('warns an organization’s members once that a claim is about to lapse, and again after new progress', async () => {
    const { demandClaimLapseHours: lapse, demandClaimLapseWarningHours: warning } = t.config.limits;
    const worker = await t.seed.worker();
    const org = await servingOrg();
    const colleague = await t.seed.organizationMember(org.organization.id);
    const demandId = await submitDemand(t, worker.token);
    await demandAction(
      'claimDemand',
      'ClaimDemandInput',
      { demandId, organizationId: orgId(org) },
      org.token,
    );

    // Not yet within the warning period: nothing.
    await sweepAt(lapse - warning - 1);
    expect(await topicsOf(org.token)).not.toContain('CLAIM_LAPSING');
    // Within it: one warning, however many sweeps run.
    await sweepAt(lapse - warning + 1);
    await sweepAt(lapse - warning + 2);
    await sweepAt(lapse - 1);
    for (const member of [org, colleague]) {
      const warnings = (await inbox(t, member.token)).items.filter((n) => n.topic === 'CLAIM_LAPSING');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatchObject({ subjectId: demandId });
      expect(warnings[0]!.title).toMatch(/^认领即将失效：/);
      expect(warnings[0]!.body).toContain(org.organization.name);
    }
    // The worker hears nothing of it: her demand did not change.
    expect(await topicsOf(worker.token)).toEqual(['OWN_DEMAND_UPDATED']);

    // New progress starts a new claim period, whose coming lapse is warned of once again.
    await demandAction(
      'reportDemandProgress',
      'ReportDemandProgressInput',
      { demandId, note: '已联系' },
      org.token,
    );
    await sweepAt(lapse - warning + 1);
    await sweepAt(lapse - warning + 2);
    const warnings = (await inbox(t, org.token)).items.filter((n) => n.topic === 'CLAIM_LAPSING');
    expect(warnings).toHaveLength(2);
  });

  it('tells a worker that her demand was released, and that one nobody claimed expired', async () => {
    const worker = await t.seed.worker();
    const org = await servingOrg();
    const released = await submitDemand(t, worker.token);
    await demandAction(
      'claimDemand',
      'ClaimDemandInput',
      { demandId: released, organizationId: orgId(org) },
      org.token,
    );
    await demandAction(
      'releaseDemand',
      'ReleaseDemandInput',
      { demandId: released, reason: '超出服务能力' },
      org.token,
    );
    const expiring = await submitDemand(t, worker.token);
    // Notifications read the demand when their round runs: the sweep below expires the released
    // demand too, so the release must have been told first.
    await fannedOut(t);
    await sweepAt(t.config.limits.demandExpiryDays * 24 + 1);
    const items = (await inbox(t, worker.token)).items;
    const titles = items.map((n) => [n.subjectId, n.title]);
    expect(titles).toContainEqual([released, '您的需求已被释放，重新等待认领']);
    expect(titles).toContainEqual([expiring, '您的需求已过期（无人认领）']);
  });

  it('tells an organization’s admins, not its other members, that a webhook endpoint was disabled', async () => {
    const org = await servingOrg();
    const member = await t.seed.organizationMember(org.organization.id);
    const hook = await startReceiver();
    receivers.push(hook);
    hook.fallback = 500;
    const { id } = await register(t, org.token, orgId(org), `${hook.url}/failing`);
    const worker = await t.seed.worker();
    await submitDemand(t, worker.token);
    await hook.waitFor(Number(WEBHOOK_ENV.WEBHOOK_DISABLE_AFTER_FAILURES));
    // The signal: the endpoint is disabled (its event committed with it, so `inbox` waits for it).
    const em = t.orm.em.fork();
    for (const deadline = Date.now() + 10_000; ;) {
      const [row] = await em.execute<{ enabled: boolean }[]>(
        'select "enabled" from "webhook_endpoint" where "organization_id" = ?',
        [org.organization.id],
      );
      if (row && !row.enabled) break;
      if (Date.now() > deadline) throw new Error('the endpoint was not disabled');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const items = (await inbox(t, org.token)).items.filter((n) => n.topic === 'WEBHOOK_DISABLED');
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ subjectId: id });
    expect(items[0]!.body).toContain(`${hook.url}/failing`);
    expect(items[0]!.body).toContain('3 consecutive failed deliveries');
    expect(await topicsOf(member.token)).not.toContain('WEBHOOK_DISABLED');
  });

  it('tells a publisher’s staff, and nobody else, that a project’s application period closed', async () => {
    const publisher = await seedPublisher(t);
    const colleague = await seedPublisher(t);
    const published = await t.data<{ publishProject: { project: { id: string } } }>(
      PUBLISH,
      { input: projectInput({ title: '职工心理健康服务项目' }) },
      publisher.token,
    );
    const projectId = published.publishProject.project.id;
    expect(await topicsOf(publisher.token)).not.toContain('APPLICATION_PERIOD_CLOSED');
    // The period ends; the sweep writes the close (audited, with its event).
    await closePeriod(t, projectId);
    expect(
      await t.app.services.projectPublishing.closeEndedApplicationPeriods(t.orm.em.fork(), new Date()),
    ).toBeGreaterThanOrEqual(1);
    const items = (await inbox(t, publisher.token)).items.filter(
      (n) => n.topic === 'APPLICATION_PERIOD_CLOSED',
    );
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ subjectId: projectId, title: '申报已截止：职工心理健康服务项目' });
    expect(await topicsOf(colleague.token)).not.toContain('APPLICATION_PERIOD_CLOSED');
  });
});
