import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import type { SeededUser } from '../../setup/seed.js';

let t: TestApp;
let worker: SeededUser;
beforeAll(async () => {
  t = await startTestApp();
  worker = await t.seed.worker();
});
afterAll(() => t.stop());

const SUBMIT = `mutation($input: SubmitDemandInput!) {
  submitDemand(input: $input) { demand { id title } similarOpenDemands { id } } }`;

interface Submitted {
  submitDemand: { demand: { id: string; title: string } };
}

const submit = (title: string, input: Record<string, unknown>, token = worker.token) =>
  t.gql<Submitted>(
    SUBMIT,
    {
      input: {
        title,
        description: '双职工家庭周末无人照看孩子',
        categoryCode: 'LIFE.CHILDCARE',
        regionCode: '370102',
        ...input,
      },
    },
    token,
  );

async function demandsTitled(title: string): Promise<number> {
  const [row] = await t.orm.em
    .getConnection()
    .execute<{ n: number }[]>('select count(*)::int as n from demand where title = ?', [title]);
  return row?.n ?? 0;
}

/** Audit entries of submissions of the demand with this global id. */
async function submitEntries(demandId: string): Promise<number> {
  const [row] = await t.orm.em
    .getConnection()
    .execute<{ n: number }[]>(
      `select count(*)::int as n from audit_entry where action = 'demand.submit' and subject_id = ?`,
      [demandId],
    );
  return row?.n ?? 0;
}

describe('submitDemand idempotency key', () => {
  it('answers a retry with the same key and input with the first demand, creating one', async () => {
    const first = await submit('重试一次的需求', { idempotencyKey: 'retry-1' });
    const again = await submit('重试一次的需求', { idempotencyKey: 'retry-1' });
    expect(first.body.errors).toBeUndefined();
    expect(again.body.errors).toBeUndefined();
    expect(again.body.data!.submitDemand.demand.id).toBe(first.body.data!.submitDemand.demand.id);
    expect(await demandsTitled('重试一次的需求')).toBe(1);
    expect(await submitEntries(first.body.data!.submitDemand.demand.id)).toBe(1);
  });

  it('creates one demand when two retries arrive at once', async () => {
    const title = '同时到达的两次提交';
    const [a, b] = await Promise.all([
      submit(title, { idempotencyKey: '6f1c7c2e-0b8a-4d47-9a53-1f0e2a7c9b10' }),
      submit(title, { idempotencyKey: '6f1c7c2e-0b8a-4d47-9a53-1f0e2a7c9b10' }),
    ]);
    expect(a.body.errors).toBeUndefined();
    expect(b.body.errors).toBeUndefined();
    expect(a.body.data!.submitDemand.demand.id).toBe(b.body.data!.submitDemand.demand.id);
    expect(await demandsTitled(title)).toBe(1);
  });

  it('refuses the same key with a different input as CONFLICT naming the key, and creates nothing', async () => {
    await submit('原来的需求', { idempotencyKey: 'reused' });
    const other = await submit('另一个需求', { idempotencyKey: 'reused' });
    expect(other.body.errors?.[0]?.extensions).toMatchObject({
      code: 'CONFLICT',
      fields: [{ path: 'input.idempotencyKey' }],
    });
    expect(await demandsTitled('另一个需求')).toBe(0);
    const urgent = await submit('原来的需求', { idempotencyKey: 'reused', urgency: 'URGENT' });
    expect(urgent.body.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(await demandsTitled('原来的需求')).toBe(1);
  });

  it('scopes keys per user, and leaves submissions without a key as they were', async () => {
    const other = await t.seed.worker();
    const mine = await submit('两人同键', { idempotencyKey: 'shared-key' });
    const theirs = await submit('两人同键', { idempotencyKey: 'shared-key' }, other.token);
    expect(theirs.body.errors).toBeUndefined();
    expect(theirs.body.data!.submitDemand.demand.id).not.toBe(mine.body.data!.submitDemand.demand.id);
    await submit('没有键的需求', {});
    await submit('没有键的需求', {});
    expect(await demandsTitled('没有键的需求')).toBe(2);
  });

  it('refuses a malformed key as BAD_USER_INPUT naming the field', async () => {
    for (const idempotencyKey of ['', 'has space', 'x'.repeat(101)]) {
      const res = await submit('坏键', { idempotencyKey });
      expect(res.body.errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        fields: [{ path: 'input.idempotencyKey' }],
      });
    }
    expect(await demandsTitled('坏键')).toBe(0);
  });
});
