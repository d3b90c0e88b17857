import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import { statementsDuring } from '../../setup/probes.js';
import type { SeededUser } from '../../setup/seed.js';

/** Every line the app logs, raw. */
const logged: string[] = [];
const sink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    logged.push(chunk.toString('utf8'));
    done();
  },
});

let t: TestApp;
let worker: SeededUser;
beforeAll(async () => {
  t = await startTestApp({}, { logSink: sink, logLevel: 'warn' });
  worker = await t.seed.worker();
});
afterAll(() => t.stop());

const INPUT = {
  title: '需要周末儿童托管服务',
  description: '双职工家庭周末无人照看孩子',
  categoryCode: 'LIFE.CHILDCARE',
  regionCode: '370102',
};

const submitWith = (selection: string, input: Record<string, unknown> = {}, token = worker.token) =>
  t.gql<{ submitDemand: { demand: { id: string; title: string }; similarOpenDemands?: { id: string }[] } }>(
    `mutation($input: SubmitDemandInput!) { submitDemand(input: $input) { ${selection} } }`,
    { input: { ...INPUT, ...input } },
    token,
  );

describe('submitDemand write path', () => {
  it('reads no reference data from the database, and searches similar demands only when asked, in one statement', async () => {
    // Another worker's: her own demands are never offered to endorse.
    const first = await submitWith('demand { id }', {}, (await t.seed.worker()).token);
    expect(first.body.errors).toBeUndefined();

    const plain = await statementsDuring(t.orm, async () => {
      const res = await submitWith('demand { id category { code } region { code } }');
      expect(res.body.errors).toBeUndefined();
    });
    expect(plain.filter((s) => /service_category|"region"|from region/.test(s))).toEqual([]);
    expect(plain.filter((s) => s.includes('similarity('))).toEqual([]);
    // The demand, its audit entry and its event: one autocommitted statement, no transaction around it.
    const writes = plain.filter((s) => /\b(insert|update|delete)\b/i.test(s));
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatch(
      /insert into "demand"[\s\S]*insert into "audit_entry"[\s\S]*insert into "event"/,
    );
    expect(plain.filter((s) => /^(begin|commit|start transaction)/i.test(s.trim()))).toEqual([]);

    let similarIds: string[] = [];
    const withSimilar = await statementsDuring(t.orm, async () => {
      const res = await submitWith('demand { id } similarOpenDemands { id title status }');
      expect(res.body.errors).toBeUndefined();
      similarIds = res.body.data!.submitDemand.similarOpenDemands!.map((d) => d.id);
    });
    expect(similarIds).toContain(first.body.data!.submitDemand.demand.id);
    const afterCommit = withSimilar.slice(
      withSimilar.findIndex((s) => s.includes('insert into "demand"')) + 1,
    );
    expect(afterCommit.filter((s) => /\bdemand\b/.test(s))).toHaveLength(1);
    expect(afterCommit[0]).toContain('similarity(');
    expect(withSimilar.length - plain.length).toBe(1);
  });

  it("writes the audit entry recordAudit would, and the DEMAND_PUBLISHED event with the demand's paths", async () => {
    const res = await submitWith('demand { id }', { targetGroups: ['FEMALE_WORKERS'] });
    expect(res.body.errors).toBeUndefined();
    const id = res.body.data!.submitDemand.demand.id;
    const db = t.orm.em.getConnection();
    const [entry] = await db.execute<Record<string, unknown>[]>(
      `select actor_id::int as actor_id, actor_roles, action, subject_type, summary, request_id
         from audit_entry where subject_id = ?`,
      [id],
    );
    expect(entry).toMatchObject({
      actor_id: worker.user.id,
      actor_roles: ['WORKER'],
      action: 'demand.submit',
      subject_type: 'Demand',
      summary: { categoryCode: 'LIFE.CHILDCARE', regionCode: '370102', source: 'WORKER' },
    });
    expect(typeof entry?.request_id).toBe('string');
    const [event] = await db.execute<Record<string, unknown>[]>(
      `select e.topic, e.category_path, e.region_path, e.target_groups, d.category_path as demand_category,
              d.region_path as demand_region
         from event e join demand d on d.id = e.entity_id
        where e.topic = 'demand.published' order by e.seq desc limit 1`,
    );
    expect(event?.category_path).toEqual(event?.demand_category);
    expect(event?.region_path).toEqual(event?.demand_region);
    expect(event?.target_groups).toEqual(['FEMALE_WORKERS']);
  });

  it('finds similar demands through the partial index of open demands by category and region', async () => {
    const db = t.orm.em.getConnection();
    // 20,000 demands spread over every category and district (as the bench generates them), 60 % open.
    await db.execute(
      `with cats as (select row_number() over (order by code) - 1 as n, code, path from service_category),
            districts as (select row_number() over (order by code) - 1 as n, code, path from region where level <> 'PROVINCE'),
            nc as (select count(*) c from cats), nr as (select count(*) c from districts)
       insert into demand (title, description, category_code, category_path, region_code, region_path, target_groups,
         urgency, people_affected, source, submitted_by_id, status, expires_at, created_at, updated_at)
       select '需求' || g, '描述', cats.code, cats.path, districts.code, districts.path, '{ALL_WORKERS}', 'NORMAL', 1,
         'WORKER', ?, case when g % 10 < 6 then 'OPEN' else 'FULFILLED' end, now() + interval '30 days', now(), now()
       from generate_series(1, 20000) g cross join nc cross join nr
       join cats on cats.n = (g * 7919) % nc.c
       join districts on districts.n = (g * 104729) % nr.c`,
      [worker.user.id],
    );
    await db.execute('vacuum analyze demand');
    const knex = db.getKnex();
    const seen: { sql: string; bindings: unknown[] }[] = [];
    const capture = (query: { sql: string; bindings?: unknown[] }) =>
      void seen.push({ sql: query.sql, bindings: query.bindings ?? [] });
    knex.on('query', capture);
    try {
      expect((await submitWith('similarOpenDemands { id }')).body.errors).toBeUndefined();
    } finally {
      knex.off('query', capture);
    }
    const statement = seen.find((q) => q.sql.includes('similarity('))!;
    const plan = await db.execute<{ 'QUERY PLAN': string }[]>(`explain ${statement.sql}`, statement.bindings);
    expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toContain('demand_open_category_region_index');
  });

  it('answers every field of the new demand as a read of it answers them', async () => {
    // The mutation answers from the row its statement returned (a read-only record), not from a
    // loaded entity: each field, relations included, must read as the same demand read back does.
    const fields = `id title description anonymous contact contactConsent createdAt updatedAt expiresAt
      endorsementCount peopleAffected source status urgency targetGroups claimedAt closeReason
      lastProgressAt rating ratedAt ratingComment category { code name } region { code name }
      claimedBy { id } duplicateOf { id } submittedBy { id } progressNotes { kind note }`;
    const res = await t.gql<{ submitDemand: { demand: Record<string, unknown> } }>(
      `mutation($input: SubmitDemandInput!) { submitDemand(input: $input) { demand { ${fields} } } }`,
      {
        input: {
          ...INPUT,
          title: '每个字段都与读回的一致',
          contact: '13800001111',
          contactConsent: true,
          targetGroups: ['FEMALE_WORKERS'],
          urgency: 'HIGH',
          peopleAffected: 3,
        },
      },
      worker.token,
    );
    expect(res.body.errors).toBeUndefined();
    const created = res.body.data!.submitDemand.demand;
    const read = await t.gql<{ demand: Record<string, unknown> }>(
      `query($id: ID!) { demand(id: $id) { ${fields} } }`,
      { id: created.id },
      worker.token,
    );
    expect(read.body.errors).toBeUndefined();
    expect(created).toEqual(read.body.data!.demand);
    expect(created).toMatchObject({
      contact: '13800001111',
      urgency: 'HIGH',
      peopleAffected: 3,
      status: 'OPEN',
      category: { code: 'LIFE.CHILDCARE' },
    });
    expect(created.submittedBy).toEqual({ id: expect.any(String) });
  });

  it('answers the created demand when the similar search fails after the commit, and logs the failure without its text', async () => {
    // In this test's own database: similarity() disappears, so the search after the commit fails
    // in PostgreSQL (undefined function) while the submission itself does not use it.
    const db = t.orm.em.getConnection();
    await db.execute('alter extension pg_trgm drop function similarity(text, text)');
    await db.execute('drop function similarity(text, text)');
    const before = logged.length;
    const contact = '13912345678';
    const res = await submitWith('demand { id title } similarOpenDemands { id }', {
      title: '失败之后仍然创建的需求',
      contact,
    });
    expect(res.body.errors).toBeUndefined();
    const created = res.body.data!.submitDemand;
    expect(created.demand.title).toBe('失败之后仍然创建的需求');
    expect(created.similarOpenDemands).toEqual([]);
    const [row] = await db.execute<{ n: number }[]>(
      `select count(*)::int as n from demand where title = '失败之后仍然创建的需求'`,
    );
    expect(row?.n).toBe(1);
    const lines = logged.slice(before).join('');
    expect(lines).toContain('similar open demands failed after the demand was committed');
    expect(lines).toContain('42883');
    // The class and SQLSTATE only: PostgreSQL's message ("function similarity(text, text) does not
    // exist") names nothing secret here, but a message may inline a statement's values elsewhere.
    expect(lines).not.toContain('does not exist');
    expect(lines).not.toContain('similarity(');
    expect(lines).not.toContain('失败之后');
    expect(lines).not.toContain(contact);
  });
});
