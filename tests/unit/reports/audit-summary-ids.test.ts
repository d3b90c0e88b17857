import { describe, expect, it } from 'vitest';
import { toGlobalId } from '../../../src/core/relay/global-id.js';
import { globalIdsIn } from '../../../src/modules/audit/audit.js';

describe('ids in audit summaries', () => {
  it('turns database ids under keys ending in Id/Ids into global ids of the type the key names', () => {
    expect(
      globalIdsIn({
        organizationId: 3,
        hubId: 4,
        userId: toGlobalId('User', 5),
        changes: { invitedOrganizationIds: { from: [1, 2], to: [] }, budgetFen: { from: 10, to: 20 } },
        rating: 5,
        organizationIdMissing: null,
      }),
    ).toEqual({
      organizationId: toGlobalId('Organization', 3),
      hubId: toGlobalId('Organization', 4),
      userId: toGlobalId('User', 5),
      changes: {
        invitedOrganizationIds: {
          from: [toGlobalId('Organization', 1), toGlobalId('Organization', 2)],
          to: [],
        },
        budgetFen: { from: 10, to: 20 },
      },
      rating: 5,
      organizationIdMissing: null,
    });
  });

  it('leaves a summary already in global ids as it is', () => {
    const summary = { organizationId: toGlobalId('Organization', 3), from: 'OPEN', to: 'CLAIMED' };
    expect(globalIdsIn(globalIdsIn(summary))).toEqual(summary);
  });
});
