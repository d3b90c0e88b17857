import { describe, expect, it } from 'vitest';
import { DemandStatus } from '../../../src/modules/demands/demand.enums.js';
import {
  addVisibility,
  canSeeDemand,
  revealsContact,
  revealsSubmitter,
  type DemandFacts,
  type DemandViewer,
} from '../../../src/modules/demands/demand.policy.js';
import { FeedConditions } from '../../../src/modules/demands/demand-feed.sql.js';

const nobody: DemandViewer = {
  userId: 99,
  isAdmin: false,
  isWorker: false,
  unionScope: null,
  memberOrgIds: [],
  verifiedOrgIds: [],
};
const worker = { ...nobody, isWorker: true };
const submitter = { ...worker, userId: 1 };
const claimant = { ...nobody, memberOrgIds: [7], verifiedOrgIds: [7] };
const otherOrg = { ...nobody, memberOrgIds: [8], verifiedOrgIds: [8] };
const pendingOrg = { ...nobody, memberOrgIds: [9], verifiedOrgIds: [] };
const staffIn = { ...nobody, unionScope: '370100' };
const staffOut = { ...nobody, unionScope: '370200' };
const admin = { ...nobody, isAdmin: true };

const claimed: DemandFacts = {
  submittedById: 1,
  status: DemandStatus.CLAIMED,
  claimedById: 7,
  regionPath: ['370000', '370100', '370102'],
  anonymous: true,
  contactConsent: true,
};
const open: DemandFacts = { ...claimed, status: DemandStatus.OPEN, claimedById: null };

describe('who sees a demand', () => {
  it('shows OPEN demands to workers and verified organizations, not to pending ones', () => {
    expect(canSeeDemand(worker, open)).toBe(true);
    expect(canSeeDemand(otherOrg, open)).toBe(true);
    expect(canSeeDemand(pendingOrg, open)).toBe(false);
    expect(canSeeDemand(nobody, open)).toBe(false);
  });

  it('shows a claimed demand only to its submitter, its claimant, union staff in scope and admins', () => {
    expect(canSeeDemand(submitter, claimed)).toBe(true);
    expect(canSeeDemand(claimant, claimed)).toBe(true);
    expect(canSeeDemand(staffIn, claimed)).toBe(true);
    expect(canSeeDemand(admin, claimed)).toBe(true);
    expect(canSeeDemand(worker, claimed)).toBe(false);
    expect(canSeeDemand(otherOrg, claimed)).toBe(false);
    expect(canSeeDemand(staffOut, claimed)).toBe(false);
  });

  it('keeps showing a demand to the worker who endorsed it, whatever its status, and nothing private', () => {
    for (const status of Object.values(DemandStatus))
      expect(canSeeDemand(worker, { ...claimed, status }, true)).toBe(true);
    expect(revealsContact(worker, claimed)).toBe(false);
    expect(revealsSubmitter(worker, claimed)).toBe(false);
  });
});

describe('privacy of a demand', () => {
  it('hides an anonymous submitter from all but themself and union staff in scope', () => {
    expect(revealsSubmitter(submitter, claimed)).toBe(true);
    expect(revealsSubmitter(staffIn, claimed)).toBe(true);
    expect(revealsSubmitter(staffOut, claimed)).toBe(false);
    expect(revealsSubmitter(claimant, claimed)).toBe(false);
    expect(revealsSubmitter(admin, claimed)).toBe(false);
    expect(revealsSubmitter(claimant, { ...claimed, anonymous: false })).toBe(true);
  });

  it('shows the contact to the claiming organization only with consent', () => {
    expect(revealsContact(claimant, claimed)).toBe(true);
    expect(revealsContact(claimant, { ...claimed, contactConsent: false })).toBe(false);
    expect(revealsContact(otherOrg, claimed)).toBe(false);
    expect(revealsContact(staffIn, claimed)).toBe(false);
    expect(revealsContact(admin, claimed)).toBe(false);
    expect(revealsContact(submitter, { ...claimed, contactConsent: false })).toBe(true);
    expect(revealsContact(null, claimed)).toBe(false);
  });
});

describe('the rows a viewer may see, in SQL', () => {
  const visibility = (viewer: DemandViewer, statuses?: DemandStatus[] | null) => {
    const where = new FeedConditions();
    addVisibility(where, viewer, statuses);
    return where.sql;
  };

  it('adds no condition to an OPEN-only list for viewers who browse OPEN demands', () => {
    expect(visibility(worker, [DemandStatus.OPEN])).toBe('true');
    expect(visibility(claimant, [DemandStatus.OPEN])).toBe('true');
    expect(visibility(admin)).toBe('true');
  });

  it('keeps the condition for other viewers, other statuses, or no status given', () => {
    expect(visibility(pendingOrg, [DemandStatus.OPEN])).toContain('d.claimed_by_id in');
    expect(visibility(staffOut, [DemandStatus.OPEN])).toContain('d.region_path @>');
    expect(visibility(nobody, [DemandStatus.OPEN])).toBe('(d.submitted_by_id = ?)');
    expect(visibility(worker, [DemandStatus.OPEN, DemandStatus.CLAIMED])).toContain('d.status = ?');
    expect(visibility(worker, [])).toContain('d.status = ?');
    expect(visibility(worker)).toContain('d.status = ?');
  });
});
