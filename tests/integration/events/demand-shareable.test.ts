import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isObjectType } from 'graphql';
import { createSchema } from '../../../src/schema.js';
import { DEMAND_EVENT_SHAREABLE } from '../../../src/modules/demands/demand-feed.js';
import { DemandStatus } from '../../../src/modules/demands/demand.enums.js';
import { toGlobalId } from '../../../src/core/relay/global-id.js';
import { startTestApp, type TestApp } from '../../setup/test-app.js';

/*
 * DEMAND_EVENT_SHAREABLE decides which parts of a pushed demand one execution serves to every
 * subscriber of a permission class (docs/architecture.md, "Live path"). A field listed there by
 * mistake would hand one subscriber's view to another: these tests keep the list honest.
 */

/** Demand fields deliberately left out of the list, and why their value depends on the viewer. */
const PER_VIEWER: Record<string, string> = {
  claimedBy: 'an Organization, whose member-only fields depend on who asks',
  duplicateOf: 'another demand, shown only if the viewer may see that one',
  progressNotes: "a member reads only her own organization's notes, another organization none",
};

/** User fields a pushed demand shares (its submitter): the rest are the account's own. */
const SHARED_USER_FIELDS = ['displayName', 'id'];

const listed = (type: string) =>
  [...DEMAND_EVENT_SHAREABLE].filter((f) => f.startsWith(`${type}.`)).map((f) => f.slice(type.length + 1));

/** Every listed Demand field, with its listed subfields, as one selection. */
const SHAREABLE_SELECTION = `
  id title description targetGroups urgency peopleAffected endorsementCount source anonymous
  contactConsent status claimedAt lastProgressAt closeReason rating ratingComment ratedAt expiresAt
  createdAt updatedAt contact
  submittedBy { id displayName }
  category { id code name nameEn sortOrder parent { code } children { code } }
  region { id code name nameEn level path { code } parent { code } children { code } }`;

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

describe('DEMAND_EVENT_SHAREABLE', () => {
  it('names every Demand field either shareable or per-viewer (a new field must be decided), and all reference-data fields', async () => {
    const schema = await createSchema();
    const fieldsOf = (name: string) => {
      const type = schema.getType(name);
      if (!isObjectType(type)) throw new Error(`${name} is not an object type`);
      return Object.keys(type.getFields()).sort();
    };
    const shareable = listed('Demand');
    expect(shareable.filter((f) => f in PER_VIEWER)).toEqual([]);
    expect([...shareable, ...Object.keys(PER_VIEWER)].sort()).toEqual(fieldsOf('Demand'));
    // Regions and categories are public reference data: the same for everyone.
    expect(listed('Region').sort()).toEqual(fieldsOf('Region'));
    expect(listed('ServiceCategory').sort()).toEqual(fieldsOf('ServiceCategory'));
    expect(listed('User').sort()).toEqual(SHARED_USER_FIELDS);
    // The selection below asks every listed Demand field.
    let topLevel = SHAREABLE_SELECTION;
    while (topLevel.includes('{')) topLevel = topLevel.replace(/\{[^{}]*\}/g, '');
    const selected = topLevel.split(/\s+/).filter(Boolean).sort();
    expect(selected).toEqual([...shareable].sort());
  });

  it('gives viewers of one permission class the same value for every shareable field, and another class its own', async () => {
    const worker = await t.seed.worker();
    const endorser = await t.seed.worker();
    const stranger = await t.seed.worker();
    const serving = await t.seed.organization({ categoryCodes: ['LIFE'], regionCodes: ['370100'] });
    const claimant = await t.seed.organization({ categoryCodes: ['LIFE'], regionCodes: ['370100'] });
    const claimantMember = await t.seed.organizationMember(claimant.organization.id);
    const open = await t.seed.demand(worker.user.id, {
      contact: '13800138000',
      contactConsent: true,
      endorserIds: [endorser.user.id],
    });
    const claimed = await t.seed.demand(worker.user.id, {
      contact: '13900139000',
      contactConsent: true,
      status: DemandStatus.CLAIMED,
      claimedById: claimant.organization.id,
    });
    const view = async (demandId: number, token: string) =>
      (
        await t.data<{ demand: Record<string, unknown> | null }>(
          `query($id: ID!) { demand(id: $id) { ${SHAREABLE_SELECTION} } }`,
          { id: toGlobalId('Demand', demandId) },
          token,
        )
      ).demand;

    // Submitter shown (not anonymous), contact hidden: a worker, an endorser, a serving organization.
    const browsing = await view(open.id, stranger.token);
    expect(browsing).toMatchObject({
      contact: null,
      submittedBy: { id: toGlobalId('User', worker.user.id) },
    });
    for (const token of [endorser.token, serving.token]) expect(await view(open.id, token)).toEqual(browsing);

    // Submitter and contact shown: the submitter herself and every member of the claiming organization.
    const involved = await view(claimed.id, worker.token);
    expect(involved).toMatchObject({ contact: '13900139000', status: 'CLAIMED' });
    for (const token of [claimant.token, claimantMember.token])
      expect(await view(claimed.id, token)).toEqual(involved);
    // The submitter of the open demand is in the other class there: she sees its contact.
    expect(await view(open.id, worker.token)).toEqual({ ...browsing, contact: '13800138000' });
  });
});
