import type { DemandCard } from './shared/fragments.js';

/** The board: demands newest first, and the cursor of the last event seen (for resuming). */
export interface BoardState {
  demands: DemandCard[];
  cursor: string | null;
}

export const emptyBoard: BoardState = { demands: [], cursor: null };

/**
 * Puts demands on the board, replacing one already there with the same id (an event replayed after a
 * reconnection, or the answer to a claim), newest first.
 */
export function upsertDemands(state: BoardState, incoming: DemandCard[], cursor?: string): BoardState {
  const byId = new Map(state.demands.map((d) => [d.id, d]));
  for (const demand of incoming) byId.set(demand.id, demand);
  const demands = [...byId.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return { demands, cursor: cursor ?? state.cursor };
}
