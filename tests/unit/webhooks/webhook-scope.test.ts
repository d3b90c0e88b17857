import { describe, expect, it } from 'vitest';
import type { FeedEvent } from '../../../src/core/events/match-index.js';
import { Topic } from '../../../src/core/events/outbox.js';
import { VerificationStatus } from '../../../src/modules/organizations/organization.enums.js';
import { inEndpointScope, type EndpointOwner } from '../../../src/modules/webhooks/webhook-scope.js';

const owner: EndpointOwner = {
  id: 7,
  verificationStatus: VerificationStatus.VERIFIED,
  categoryCodes: ['LIFE'],
  regionCodes: ['370100'],
  targetGroups: ['ALL_WORKERS'],
};

const event = (topic: Topic, categoryPath: string[], regionPath: string[]): FeedEvent => ({
  seq: 1,
  topic,
  entityId: 1,
  categoryPath,
  regionPath,
  targetGroups: ['FEMALE_WORKERS'],
});

describe('inEndpointScope', () => {
  it('selects demands the organization can serve, as the demand feed does', () => {
    expect(
      inEndpointScope(
        owner,
        event(Topic.DEMAND_PUBLISHED, ['LIFE', 'LIFE.CHILDCARE'], ['370000', '370100', '370102']),
      ),
    ).toBe(true);
    expect(inEndpointScope(owner, event(Topic.DEMAND_PUBLISHED, ['CULTURE'], ['370000', '370100']))).toBe(
      false,
    );
    expect(inEndpointScope(owner, event(Topic.DEMAND_PUBLISHED, ['LIFE'], ['370000', '370200']))).toBe(false);
  });

  it('tells only verified organizations of demands', () => {
    const pending = { ...owner, verificationStatus: VerificationStatus.PENDING };
    expect(inEndpointScope(pending, event(Topic.DEMAND_PUBLISHED, ['LIFE'], ['370000', '370100']))).toBe(
      false,
    );
  });

  it('pre-selects projects in scope', () => {
    expect(inEndpointScope(owner, event(Topic.PROJECT_PUBLISHED, ['LIFE'], ['370000', '370100']))).toBe(true);
    expect(inEndpointScope(owner, event(Topic.PROJECT_PUBLISHED, ['LIFE'], ['370000', '370300']))).toBe(
      false,
    );
  });

  it('pre-selects its own decisions and verification, any demand change or award, and nothing else', () => {
    const own = (topic: Topic, entityId: number) => ({ ...event(topic, [], []), entityId });
    expect(inEndpointScope(owner, own(Topic.APPLICATION_DECIDED, 7))).toBe(true);
    expect(inEndpointScope(owner, own(Topic.APPLICATION_DECIDED, 8))).toBe(false);
    expect(inEndpointScope(owner, own(Topic.VERIFICATION_DECIDED, 7))).toBe(true);
    expect(inEndpointScope(owner, own(Topic.VERIFICATION_DECIDED, 8))).toBe(false);
    // Whether the organization claims (or claimed) the demand is checked on the demand itself.
    expect(inEndpointScope(owner, own(Topic.DEMAND_UPDATED, 3))).toBe(true);
    expect(inEndpointScope(owner, own(Topic.CLAIM_LAPSING, 3))).toBe(true);
    // Whether it applied to the awarded project is checked on the project's applications.
    expect(inEndpointScope(owner, own(Topic.PROJECT_AWARDED, 3))).toBe(true);
    expect(inEndpointScope(owner, own(Topic.USER_RIGHTS_CHANGED, 7))).toBe(false);
  });
});
