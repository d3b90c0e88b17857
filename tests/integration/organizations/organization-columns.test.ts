import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import { selectedColumns } from '../../setup/probes.js';
import type { SeededOrganization } from '../../setup/seed.js';
import { toGlobalId } from '../../../src/core/relay/global-id.js';

/**
 * `organization(id:)` reads only the columns its selection needs (organization-selection.ts), and
 * always what the visibility rules read; fields with resolvers still answer as on a whole row.
 */

let t: TestApp;
let org: SeededOrganization;
let pending: SeededOrganization;

beforeAll(async () => {
  t = await startTestApp();
  org = await t.seed.organization({
    brandName: '暖心',
    categoryCodes: ['LIFE'],
    services: [{ name: '托管' }],
  });
  pending = await t.seed.organization({ verified: false });
});

afterAll(() => t?.stop());

const QUERY = (selection: string) => `query($id: ID!) { organization(id: $id) { ${selection} } }`;

async function lookup(selection: string, organization: SeededOrganization, token: string | null = null) {
  let data: { organization: Record<string, unknown> | null } = { organization: null };
  const id = toGlobalId('Organization', organization.organization.id);
  const columns = await selectedColumns(t.orm, 'organization', async () => {
    data = await t.data(QUERY(selection), { id }, token);
  });
  return { organization: data.organization, columns };
}

describe('the columns organization(id:) reads', () => {
  it('reads the selected fields and the visibility facts only', async () => {
    const { organization, columns } = await lookup('id name homeRegion { code }', org);
    expect(organization).toMatchObject({ name: org.organization.name, homeRegion: { code: '370100' } });
    // A community group's sponsor is a visibility fact: its admins see the group while pending.
    expect(columns).toEqual(['home_region_code', 'id', 'name', 'sponsor_id', 'verification_status']);
  });

  it('reads what resolvers need: brand, rating, categories, verification, services', async () => {
    const { organization, columns } = await lookup(
      'brand { name } rating categories { code } verification { status reason } services { name }',
      org,
    );
    expect(organization).toEqual({
      brand: { name: '暖心' },
      rating: null,
      categories: [{ code: 'LIFE' }],
      verification: { status: 'VERIFIED', reason: null },
      services: [{ name: '托管' }],
    });
    expect(columns).toEqual(
      expect.arrayContaining([
        'brand_name',
        'rating_sum',
        'rating_count',
        'category_codes',
        'verification_reason',
      ]),
    );
    expect(columns).not.toContain('description');
  });

  it('still hides a pending organization from the public and shows it to its admin', async () => {
    expect((await lookup('id name', pending)).organization).toBeNull();
    expect((await lookup('id name members { role }', pending, pending.token)).organization).toMatchObject({
      name: pending.organization.name,
      members: [{ role: 'ORG_ADMIN' }],
    });
  });
});
