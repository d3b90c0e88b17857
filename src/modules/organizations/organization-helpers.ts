/**
 * Small helpers shared by the organization mutations: checking region and category codes,
 * refreshing the searchable text, de-duplicating lists.
 *
 * @module
 */

import type { EntityManager } from '@mikro-orm/postgresql';
import { BadUserInputError } from '../../core/errors.js';
import { Region } from '../regions/region.entity.js';
import { ServiceCategory } from '../categories/service-category.entity.js';
import { Organization } from './organization.entity.js';
import { buildSearchText, type SearchableService } from './search-text.js';

/** Recomputes the searchable text from the profile and the services now in its collection. */
export async function refreshSearchText(org: Organization): Promise<void> {
  setSearchText(org, await org.services.loadItems());
}

/** Sets the searchable text (its copy in `organization_search` follows by trigger, in the same flush). */
export function setSearchText(org: Organization, services: readonly SearchableService[]): void {
  org.searchText = buildSearchText(org, services);
}

export async function requireRegions(em: EntityManager, codes: string[], path: string): Promise<void> {
  const found = new Set((await em.find(Region, { code: { $in: codes } })).map((r) => r.code));
  const missing = codes.filter((c) => !found.has(c));
  if (missing.length) throw BadUserInputError.field(path, `unknown region code(s): ${missing.join(', ')}`);
}

export async function requireCategories(em: EntityManager, codes: string[], path: string): Promise<void> {
  const found = new Set((await em.find(ServiceCategory, { code: { $in: codes } })).map((c) => c.code));
  const missing = codes.filter((c) => !found.has(c));
  if (missing.length)
    throw BadUserInputError.field(path, `unknown service category code(s): ${missing.join(', ')}`);
}

export function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}
