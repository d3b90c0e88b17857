import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AbstractSqlDriver } from '@mikro-orm/postgresql';
import { Migration20261202020000 } from '../../../migrations/Migration20261202020000.js';
import { toGlobalId } from '../../../src/core/relay/global-id.js';
import type { SeededOrganization, SeededUser } from '../../setup/seed.js';
import { startTestApp, type TestApp } from '../../setup/test-app.js';

/**
 * The migration that gave notes their kind marks the notes `fulfilDemand` wrote before it as
 * FULFILMENT, and leaves progress reports PROGRESS, also a report written just before a fulfilment
 * without a note. The notes are written through the real mutations, their kind wiped as before the
 * migration, and its backfill run again.
 */
let t: TestApp;
let worker: SeededUser;
let org: SeededOrganization;

beforeAll(async () => {
  t = await startTestApp();
  worker = await t.seed.worker();
  org = await t.seed.organization({ categoryCodes: ['LIFE'], regionCodes: ['370100'] });
});
afterAll(() => t.stop());

async function act(name: string, inputType: string, input: Record<string, unknown>): Promise<void> {
  const res = await t.gql(
    `mutation($input: ${inputType}!) { ${name}(input: $input) { __typename } }`,
    { input },
    org.token,
  );
  expect(res.body.errors, JSON.stringify(res.body.errors)).toBeUndefined();
}

async function servedDemand(fulfilmentNote: string | null): Promise<number> {
  const data = await t.data<{ submitDemand: { demand: { id: string } } }>(
    `mutation($input: SubmitDemandInput!) { submitDemand(input: $input) { demand { id } } }`,
    {
      input: {
        title: '职工子女托管',
        description: '孩子无人照看。',
        categoryCode: 'LIFE',
        regionCode: '370102',
      },
    },
    worker.token,
  );
  const demandId = data.submitDemand.demand.id;
  await act('claimDemand', 'ClaimDemandInput', {
    demandId,
    organizationId: toGlobalId('Organization', org.organization.id),
  });
  await act('reportDemandProgress', 'ReportDemandProgressInput', { demandId, note: '已上门' });
  await act('fulfilDemand', 'FulfilDemandInput', {
    demandId,
    ...(fulfilmentNote ? { note: fulfilmentNote } : {}),
  });
  return Number(Buffer.from(demandId, 'base64url').toString('utf8').split(':')[1]);
}

describe('Migration20261202020000', () => {
  it('backfills FULFILMENT for the notes fulfilDemand wrote, and only those', async () => {
    const withNote = await servedDemand('已开班');
    const withoutNote = await servedDemand(null);
    const em = t.orm.em.fork();
    const kinds = () =>
      em.execute<{ demand_id: string; note: string; kind: string }[]>(
        `select demand_id, note, kind from demand_progress where demand_id in (?, ?) order by id`,
        [withNote, withoutNote],
      );
    const written = await kinds();
    expect(written.map((r) => [Number(r.demand_id), r.note, r.kind])).toEqual([
      [withNote, '已上门', 'PROGRESS'],
      [withNote, '已开班', 'FULFILMENT'],
      [withoutNote, '已上门', 'PROGRESS'],
    ]);
    await em.execute(`update demand_progress set kind = 'PROGRESS'`);
    const migration = new Migration20261202020000(em.getDriver() as AbstractSqlDriver, t.orm.config);
    await migration.up();
    const backfill = migration.getQueries().find((q) => typeof q === 'string' && q.startsWith('update'));
    expect(backfill).toBeDefined();
    await em.execute(backfill as string);
    expect(await kinds()).toEqual(written);
  });
});
