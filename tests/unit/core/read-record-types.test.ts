import { describe, expect, it } from 'vitest';
import type { ReadRecord } from '../../../src/core/read-records.js';
import type { Demand } from '../../../src/modules/demands/demand.entity.js';
import type { Organization } from '../../../src/modules/organizations/organization.entity.js';
import type { Region } from '../../../src/modules/regions/region.entity.js';
import { TargetGroup } from '../../../src/modules/categories/target-group.js';

/**
 * Read-only records (core/read-records.ts, the reference cache's snapshot) are typed so that writing
 * to one does not compile. This file is the proof, checked by `tsc` (`npm run typecheck`): each
 * `@ts-expect-error` below fails the type check the day its write compiles. The functions are never
 * called; vitest only checks that they exist.
 */

function writesToADemand(demand: ReadRecord<Demand>): void {
  // @ts-expect-error a record's scalar properties are read-only
  demand.title = 'changed';
  // @ts-expect-error so are its arrays, element by element
  demand.targetGroups.push(TargetGroup.ALL_WORKERS);
  // @ts-expect-error and as a whole
  demand.regionPath[0] = '370000';
}

function writesToAnOrganization(organization: ReadRecord<Organization>): void {
  // @ts-expect-error a record's many-to-one reference cannot be replaced
  organization.hub = null;
  // @ts-expect-error nor its counters
  organization.ratingCount += 1;
}

function writesToACachedRegion(region: ReadRecord<Region>): void {
  // @ts-expect-error the reference cache's objects are records too
  region.name = '改名';
}

/** Reading stays as on the entity, and an entity is accepted wherever a record is. */
function readsAsTheEntity(demand: Demand, organization: ReadRecord<Organization>): string {
  const record: ReadRecord<Demand> = demand;
  return `${record.title} ${record.regionPath.join('/')} ${organization.rating() ?? ''}`;
}

describe('ReadRecord', () => {
  it('is checked by the compiler (this file is part of npm run typecheck)', () => {
    expect([writesToADemand, writesToAnOrganization, writesToACachedRegion, readsAsTheEntity]).toHaveLength(
      4,
    );
  });
});
