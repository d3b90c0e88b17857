import type { PathSpec } from '../../../src/core/events/match-index.js';
import { Topic } from '../../../src/core/events/outbox.js';

/** A demand feed's match spec for LIFE in Jinan (370100), every other condition open; `over` changes it. */
export const pathSpec = (over: Partial<PathSpec> = {}): PathSpec => ({
  kind: 'paths',
  topic: Topic.DEMAND_PUBLISHED,
  categoryCodes: ['LIFE'],
  regionCodes: ['370100'],
  requiredCategory: null,
  requiredRegion: null,
  servedGroups: [],
  requiredGroups: [],
  ...over,
});
