import { describe, expect, it } from 'vitest';
import { pgTextArray, replayQuery } from '../../../src/core/events/event-rows.js';
import { Topic } from '../../../src/core/events/outbox.js';

describe('replayQuery', () => {
  it('filters by the same arrays the match index uses', () => {
    const q = replayQuery(
      {
        kind: 'paths',
        topic: Topic.DEMAND_PUBLISHED,
        categoryCodes: ['LIFE'],
        regionCodes: ['*'],
        requiredCategory: null,
        requiredRegion: '370102',
        servedGroups: ['MIGRANT_WORKERS'],
        requiredGroups: [],
      },
      10,
      50,
    );
    expect(q.sql).toContain('"category_path" && ?::text[]');
    expect(q.sql).not.toContain('"region_path" &&');
    expect(q.params).toEqual([
      'demand.published',
      10,
      '{"LIFE"}',
      '370102',
      '{"MIGRANT_WORKERS","ALL_WORKERS"}',
      50,
    ]);
  });

  it('quotes array elements', () => {
    expect(pgTextArray(['a"b', 'c\\d'])).toBe('{"a\\"b","c\\\\d"}');
  });
});
