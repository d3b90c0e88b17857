import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ref, ReferenceKind, wrap, type EntityClass } from '@mikro-orm/core';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import { statementsDuring } from '../../setup/probes.js';
import { readById } from '../../../src/core/id-queries.js';
import { executePrepared, executeShaped } from '../../../src/core/db/pooled-query.js';
import { PreparedShapes } from '../../../src/core/db/statement-names.js';
import { foreignKeyOf, isRecord, RecordReader, type RawRow } from '../../../src/core/read-records.js';
import { Organization } from '../../../src/modules/organizations/organization.entity.js';
import { EvaluationGrade } from '../../../src/modules/organizations/organization.enums.js';
import { Demand } from '../../../src/modules/demands/demand.entity.js';
import { DemandSource, DemandStatus, DemandUrgency } from '../../../src/modules/demands/demand.enums.js';
import { ServiceCategory } from '../../../src/modules/categories/service-category.entity.js';
import { Region } from '../../../src/modules/regions/region.entity.js';
import { User } from '../../../src/modules/accounts/user.entity.js';
import { TargetGroup } from '../../../src/modules/categories/target-group.js';

/**
 * A read-only record (read-records.ts) must read exactly as the entity findOne hydrates from the same
 * row: every scalar (custom types, dates, booleans, arrays, nulls), every foreign key, methods on the
 * prototype, and relations and collections that load as an entity's do.
 */

let t: TestApp;
let hubId: number;
let memberId: number;
let demandId: number;

beforeAll(async () => {
  t = await startTestApp();
  const hub = await t.seed.organization({ isHub: true, grade: EvaluationGrade.GRADE_4A, brandName: '暖心' });
  const member = await t.seed.organization({
    hubId: hub.organization.id,
    services: [{ name: '法律咨询' }, { name: '心理疏导' }],
    publicContact: null,
  });
  hubId = hub.organization.id;
  memberId = member.organization.id;
  // A claimed, rated demand: every nullable column filled, timestamps with milliseconds.
  const em = t.orm.em.fork();
  const category = await em.findOneOrFail(ServiceCategory, { code: 'LIFE' });
  const region = await em.findOneOrFail(Region, { code: '370102' });
  const demand = em.create(Demand, {
    title: '记录对照',
    description: '对照 findOne',
    category: ref(category),
    categoryPath: category.path,
    region: ref(region),
    regionPath: region.path,
    targetGroups: [TargetGroup.MIGRANT_WORKERS, TargetGroup.FEMALE_WORKERS],
    urgency: DemandUrgency.URGENT,
    peopleAffected: 7,
    source: DemandSource.UNION_SURVEY,
    submittedBy: ref(em.getReference(User, member.admin.user.id)),
    anonymous: true,
    contact: '13800000000',
    contactConsent: true,
    status: DemandStatus.FULFILLED,
    claimedBy: ref(em.getReference(Organization, memberId)),
    claimedAt: new Date('2026-11-01T08:00:00.123Z'),
    lastProgressAt: new Date('2026-11-02T08:00:00.456Z'),
    rating: 4,
    ratingComment: '好',
    ratedAt: new Date('2026-11-03T08:00:00.789Z'),
    expiresAt: new Date('2026-12-01T00:00:00Z'),
  });
  await em.flush();
  demandId = demand.id;
});

afterAll(() => t?.stop());

/** What findOne hydrates, as plain values: every scalar, and each many-to-one as its key. */
async function entityValues(entityClass: EntityClass<object>, id: number) {
  const em = t.orm.em.fork();
  const entity = await em.findOneOrFail(entityClass, { id });
  const meta = em.getMetadata().get(entityClass.name);
  const values: Record<string, unknown> = {};
  for (const p of meta.props) {
    if (p.persist === false || p.lazy) continue;
    const value = (entity as unknown as Record<string, unknown>)[p.name];
    if (p.kind === ReferenceKind.SCALAR) values[p.name] = value;
    if (p.kind === ReferenceKind.MANY_TO_ONE)
      values[p.name] = value == null ? null : wrap(value as object, true).getPrimaryKey();
  }
  return values;
}

describe('read-only records', () => {
  it.each([
    ['a hub with a grade and a brand', Organization, () => hubId],
    ['a member with services and no public contact', Organization, () => memberId],
    ['a claimed, rated demand', Demand, () => demandId],
  ] as [string, EntityClass<object>, () => number][])(
    'read %s exactly as findOne hydrates it',
    async (_, entityClass, id) => {
      const expected = await entityValues(entityClass, id());
      const em = t.orm.em.fork();
      const record = await readById(em, entityClass, id());
      expect(record).not.toBeNull();
      expect(isRecord(record!)).toBe(true);
      // Nothing entered the identity map: the record is not an entity, and no reference was built yet.
      expect(em.getUnitOfWork().getIdentityMap().values()).toHaveLength(0);
      const actual: Record<string, unknown> = {};
      for (const name of Object.keys(expected)) {
        const value = (record as unknown as Record<string, unknown>)[name];
        actual[name] =
          value != null && typeof value === 'object' && 'unwrap' in value
            ? foreignKeyOf(record as Record<string, unknown>, name)
            : value;
      }
      expect(actual).toEqual(expected);
    },
  );

  it('loads relations and collections as an entity does, and runs prototype methods', async () => {
    const em = t.orm.em.fork();
    const member = (await readById(em, Organization, memberId))!;
    expect(member.rating()).toBeNull();
    expect(member.nodeKey()).toBe(memberId);
    expect((await member.hub!.loadOrFail()).id).toBe(hubId);
    expect((await member.homeRegion.loadOrFail()).code).toBe('370100');
    const services = await member.services.load({ dataloader: true });
    expect(services.getItems().map((s) => s.name)).toEqual(['法律咨询', '心理疏导']);
    // The same collection on a second read of the same key: it is loaded once.
    const again = (await readById(em, Organization, memberId))!;
    expect(again.services.isInitialized()).toBe(true);
    const hub = (await readById(em, Organization, hubId))!;
    const members = await hub.memberOrganizations.load({ dataloader: true });
    expect(members.getItems().map((o) => o.id)).toEqual([memberId]);
  });

  it('returns the managed entity when the request already loaded it', async () => {
    const em = t.orm.em.fork();
    const entity = await em.findOneOrFail(Organization, { id: hubId });
    const read = await readById(em, Organization, hubId);
    expect(read).toBe(entity);
    expect(isRecord(read!)).toBe(false);
  });

  it('serves organization(id:) with its home region in one SQL statement', async () => {
    const id = Buffer.from(`Organization:${memberId}`).toString('base64url');
    const query = `query Org($id: ID!) { organization(id: $id) { id name foundingType homeRegion { code name } } }`;
    let data: unknown;
    const statements = await t.sqlCount(async () => {
      data = await t.data(query, { id });
    });
    expect(data).toMatchObject({ organization: { id, homeRegion: { code: '370100' } } });
    expect(statements).toBe(1);
  });

  it('reads a subset of the properties, and throws on reading any other', async () => {
    const em = t.orm.em.fork();
    const reader = RecordReader.for(em, Demand).only(new Set(['title', 'region']));
    const rows = await em
      .getConnection()
      .execute<RawRow[]>(`select ${reader.selectList()} from "demand" where "id" = ?`, [demandId]);
    const record = reader.record(em, rows[0]!);
    expect(record.id).toBe(demandId);
    expect(record.title).toBe('记录对照');
    expect(foreignKeyOf(record, 'region')).toBe('370102');
    expect(() => record.description).toThrow(/Demand.description was not read/);
    expect(() => record.category).toThrow(/Demand.category was not read/);
    expect(() => foreignKeyOf(record, 'submittedBy')).toThrow(/submittedBy was not read/);
    expect(RecordReader.for(em, Demand).only(new Set(['region', 'title']))).toBe(reader);
  });

  it('reads in the transaction inside one, from the pool outside it (db/pooled-query.ts)', async () => {
    const renamed = '事务内改名';
    await t.orm.em
      .fork()
      .transactional(async (em) => {
        await em.nativeUpdate(Organization, { id: memberId }, { name: renamed });
        // In the transaction: its own uncommitted write.
        expect((await readById(em, Organization, memberId))?.name).toBe(renamed);
        // Outside it (a fork without the transaction, through a pooled connection): the committed row.
        const outside = await readById(t.orm.em.fork(), Organization, memberId);
        expect(outside?.name).not.toBe(renamed);
        expect(isRecord(outside!)).toBe(true);
        throw new Error('rolled back');
      })
      .catch((error: unknown) => {
        if (!(error instanceof Error && error.message === 'rolled back')) throw error;
      });
    // The pooled statement is announced as knex's are, so statement counts and column probes see it.
    const statements = await statementsDuring(t.orm, () => readById(t.orm.em.fork(), Organization, memberId));
    expect(statements).toEqual([expect.stringMatching(/^select .* from "organization" where "id" = \$1$/)]);
  });

  it('runs prepared and shaped statements in the transaction inside one (db/pooled-query.ts)', async () => {
    const renamed = '事务内预备语句';
    const sql = 'select "name" from "organization" where "id" = ?';
    await t.orm.em
      .fork()
      .transactional(async (em) => {
        await em.nativeUpdate(Organization, { id: memberId }, { name: renamed });
        // Both see the transaction's own uncommitted write: they run on its connection.
        const [prepared] = await executePrepared<{ name: string }>(em, 'test_in_tx', sql, [memberId]);
        expect(prepared?.name).toBe(renamed);
        const shapes = new PreparedShapes('test_in_tx_shaped', 4);
        const [shaped] = await executeShaped<{ name: string }>(em, shapes, sql, [memberId]);
        expect(shaped?.name).toBe(renamed);
        throw new Error('rolled back');
      })
      .catch((error: unknown) => {
        if (!(error instanceof Error && error.message === 'rolled back')) throw error;
      });
    // Outside a transaction: the pooled connection, the committed row.
    const [outside] = await executePrepared<{ name: string }>(t.orm.em.fork(), 'test_in_tx', sql, [memberId]);
    expect(outside?.name).not.toBe(renamed);
  });

  it('answers null for an id that does not exist', async () => {
    expect(await readById(t.orm.em.fork(), Organization, 987_654_321)).toBeNull();
  });
});
