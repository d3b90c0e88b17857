import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import { statementsDuring } from '../../setup/probes.js';
import { VerifiedOrganizations } from '../../../src/modules/organizations/verified-organizations.js';

/**
 * VerifiedOrganizations answers every caller of one turn with one query (the live feed asks once
 * per subscriber of an event), and starts a new query for ids asked later.
 */

let t: TestApp;
let verifiedIds: number[];
let pendingId: number;

beforeAll(async () => {
  t = await startTestApp();
  const a = await t.seed.organization();
  const b = await t.seed.organization();
  const pending = await t.seed.organization({ verified: false });
  verifiedIds = [a.organization.id, b.organization.id];
  pendingId = pending.organization.id;
});

afterAll(() => t?.stop());

describe('VerifiedOrganizations', () => {
  it('answers the callers of one turn with one query, whatever ids each asks for', async () => {
    const verification = new VerifiedOrganizations(t.orm.em.fork());
    const [a, b] = verifiedIds as [number, number];
    let answers: ReadonlySet<number>[] = [];
    const statements = await statementsDuring(t.orm, async () => {
      answers = await Promise.all([
        verification.among([a]),
        verification.among([pendingId]),
        verification.among([b, pendingId]),
        verification.among([a]),
      ]);
    });
    expect(statements).toHaveLength(1);
    for (const answer of answers) expect([...answer].sort()).toEqual([a, b].sort());
    expect(answers[0]).toBe(answers[3]);
  });

  it('answers ids it has read from that read, and reads new ids in a new query', async () => {
    const verification = new VerifiedOrganizations(t.orm.em.fork());
    const [a, b] = verifiedIds as [number, number];
    const first = await verification.among([a, pendingId]);
    let again: ReadonlySet<number> | null = null;
    expect(
      await statementsDuring(t.orm, async () => (again = await verification.among([pendingId]))),
    ).toEqual([]);
    expect(again).toBe(first);
    const later = await statementsDuring(t.orm, async () => {
      expect((await verification.among([b])).has(b)).toBe(true);
    });
    expect(later).toHaveLength(1);
  });

  it('answers nobody for no ids, without a query', async () => {
    const verification = new VerifiedOrganizations(t.orm.em.fork());
    expect(
      await statementsDuring(t.orm, async () => expect((await verification.among([])).size).toBe(0)),
    ).toEqual([]);
  });
});
