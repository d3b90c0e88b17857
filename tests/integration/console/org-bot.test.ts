import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import { subscriptionsReach, until } from '../../setup/probes.js';
import type { SeededOrganization, SeededUser } from '../../setup/seed.js';
import { startBot, type Bot } from '../../../examples/org-bot/src/bot.js';
import { SUBMIT_DEMAND } from '../../setup/operations.js';

let t: TestApp;
let org: SeededOrganization;
let worker: SeededUser;
const bots: Bot[] = [];

async function submit(categoryCode: string): Promise<string> {
  const { submitDemand } = await t.data<{ submitDemand: { demand: { id: string } } }>(
    SUBMIT_DEMAND,
    {
      input: {
        title: `需求 ${categoryCode} ${randomBytes(3).toString('hex')}`,
        description: '职工需求',
        categoryCode,
        regionCode: '370102',
      },
    },
    worker.token,
  );
  return submitDemand.demand.id;
}

const statusOf = async (id: string) =>
  (
    await t.data<{ demand: { status: string } }>(
      `query ($id: ID!) { demand(id: $id) { status } }`,
      { id },
      org.token,
    )
  ).demand.status;

/** Polls until `check` holds, or fails after `ms`. */
/** Polls every 100 ms for at most 5 s. */
const eventually = (check: () => Promise<boolean>) => until(check, 5_000, 100);

async function bot(after: string | null = null, saveCursor?: (cursor: string) => void): Promise<Bot> {
  const started = await startBot({
    hubUrl: t.url,
    login: org.admin.user.email ?? '',
    password: org.admin.password,
    creditCode: org.organization.creditCode!,
    categoryCode: 'LIFE.CHILDCARE',
    after,
    saveCursor,
    log: () => {},
  });
  bots.push(started);
  return started;
}

beforeAll(async () => {
  t = await startTestApp();
  org = await t.seed.organization({ categoryCodes: ['LIFE'], regionCodes: ['370100'] });
  worker = await t.seed.worker();
});

afterAll(async () => {
  await Promise.all(bots.map((b) => b.stop()));
  await t?.stop();
});

describe('examples/org-bot', () => {
  it('claims new demands of its category and leaves the others', async () => {
    const first = await bot();
    await subscriptionsReach(t, 1);
    const childcare = await submit('LIFE.CHILDCARE');
    const elderly = await submit('LIFE.ELDERLY_CARE');
    await eventually(async () => (await statusOf(childcare)) === 'CLAIMED');
    expect(first.claimed).toEqual([childcare]);
    expect(await statusOf(elderly)).toBe('OPEN');
    await first.stop();
  });

  it('resumes after its stored cursor: claims what was published while it was down', async () => {
    let stored: string | null = null;
    const before = await bot(null, (cursor) => (stored = cursor));
    await subscriptionsReach(t, 1);
    const seen = await submit('LIFE.CHILDCARE');
    await eventually(async () => (await statusOf(seen)) === 'CLAIMED');
    await before.stop();
    expect(stored).not.toBeNull();
    // Unsubscribed, so no bot is pushed the next demand: only the cursor can bring it to the next one.
    await subscriptionsReach(t, 0);

    const missed = await submit('LIFE.CHILDCARE');
    expect(await statusOf(missed)).toBe('OPEN');
    const after = await bot(stored);
    // The bot records a claim when its mutation answers, which may be after the row shows CLAIMED.
    await eventually(async () => after.claimed.length > 0 && (await statusOf(missed)) === 'CLAIMED');
    expect(after.claimed).toEqual([missed]);
  });
});
