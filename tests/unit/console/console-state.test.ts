import { describe, expect, it } from 'vitest';
import { emptyBoard, upsertDemands } from '../../../console/src/board-state.js';
import type { DemandCard } from '../../../console/src/shared/fragments.js';
import { totalsByRegion, type GapCell } from '../../../console/src/gap-report.js';

const demand = (id: string, createdAt: string, status = 'OPEN'): DemandCard => ({
  id,
  title: id,
  status,
  urgency: 'NORMAL',
  endorsementCount: 0,
  peopleAffected: 1,
  createdAt,
  category: { code: 'LIFE', name: '生活', nameEn: 'Life' },
  region: { code: '370102', name: '历下区', nameEn: 'Lixia' },
  claimedBy: null,
});

describe('the board', () => {
  it('keeps demands newest first, replaces a replayed or claimed one, and remembers the last cursor', () => {
    let board = upsertDemands(emptyBoard, [demand('a', '2026-01-01T00:00:00Z')], '1');
    board = upsertDemands(board, [demand('b', '2026-01-02T00:00:00Z')], '2');
    board = upsertDemands(board, [demand('a', '2026-01-01T00:00:00Z', 'CLAIMED')]);
    expect(board.demands.map((d) => [d.id, d.status])).toEqual([
      ['b', 'OPEN'],
      ['a', 'CLAIMED'],
    ]);
    expect(board.cursor).toBe('2');
  });
});

describe('the gap chart', () => {
  it('sums people waiting and capacity per region, suppressed counts as 0', () => {
    const cell = (region: string, people: number | null, capacity: number): GapCell => ({
      region: { code: region, name: region },
      category: { code: 'LIFE', name: '生活' },
      openDemands: people,
      peopleAffected: people,
      servingOrganizations: 1,
      monthlyCapacity: capacity,
      gapScore: null,
      suppressed: people == null,
    });
    expect(totalsByRegion([cell('A', 3, 10), cell('B', null, 5), cell('A', 4, 0)])).toEqual([
      { code: 'A', name: 'A', people: 7, capacity: 10 },
      { code: 'B', name: 'B', people: 0, capacity: 5 },
    ]);
  });
});
