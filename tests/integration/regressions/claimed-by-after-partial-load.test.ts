import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import { SUBMIT_DEMAND } from '../../setup/operations.js';

// Regression: the visibility check loaded the viewer's organizations with `fields: ['id']`, leaving
// half-filled Organization entities in the request's identity map; `claimedBy { name }` then read one
// of them and failed with "Cannot return null for non-nullable field Organization.name".
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

describe('a claimed demand read by a member of the claiming organization', () => {
  it('shows the claiming organization in full, not a half-loaded one', async () => {
    const worker = await t.seed.worker();
    const org = await t.seed.organization({
      categoryCodes: ['LIFE'],
      regionCodes: ['370100'],
      verified: true,
    });
    const submitted = await t.data<{ submitDemand: { demand: { id: string } } }>(
      SUBMIT_DEMAND,
      {
        input: {
          title: '需要周末儿童托管',
          description: '双职工家庭',
          categoryCode: 'LIFE.CHILDCARE',
          regionCode: '370102',
        },
      },
      worker.token,
    );
    const demandId = submitted.submitDemand.demand.id;
    await t.data(
      `mutation($input: ClaimDemandInput!) { claimDemand(input: $input) { demand { id } } }`,
      { input: { demandId, organizationId: org.organization.globalId() } },
      org.token,
    );
    const read = await t.gql<{ demand: { claimedBy: { name: string; homeRegion: { code: string } } } }>(
      `query($id: ID!) { demand(id: $id) { status claimedBy { id name homeRegion { code } } } }`,
      { id: demandId },
      org.token,
    );
    expect(read.body.errors).toBeUndefined();
    expect(read.body.data?.demand.claimedBy).toMatchObject({
      name: org.organization.name,
      homeRegion: { code: '370100' },
    });
  });
});
