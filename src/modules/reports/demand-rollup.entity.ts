import { BigIntType, Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * The OPEN demands of one report cell created on one day (UTC): a node of the region tree × a node of
 * the category tree, so a demand filed in 历下 (370102) under LIFE.CHILDCARE counts in the six cells
 * {370000, 370100, 370102} × {LIFE, LIFE.CHILDCARE}. Written only by the compaction of
 * {@link DemandOpenRollupDelta} rows and by `npm run reports:rebuild` (docs/architecture.md,
 * "Report rollups"); never read alone: the pending deltas are added at every read.
 */
@Entity({ tableName: 'demand_open_rollup' })
export class DemandOpenRollup {
  @PrimaryKey({ type: 'text' })
  regionCode!: string;

  @PrimaryKey({ type: 'text' })
  categoryCode!: string;

  @PrimaryKey({ type: 'date' })
  day!: string;

  /** OPEN demands created that day. */
  @Property({ type: 'integer' })
  demands!: number;

  /** Their people affected, summed. */
  @Property({ type: new BigIntType('number') })
  people!: number;
}

/**
 * A signed change of a {@link DemandOpenRollup} cell-day, inserted by the `demand` table's trigger in
 * the transaction of the change (migrations/Migration20261203060000.ts); insert-only, so concurrent
 * writers never wait for each other on a shared counter row. Folded into the rollup and deleted by
 * one process every few seconds.
 */
@Entity({ tableName: 'demand_open_rollup_delta' })
export class DemandOpenRollupDelta {
  @PrimaryKey({ type: new BigIntType('number'), autoincrement: true })
  id!: number;

  @Property({ type: 'text' })
  regionCode!: string;

  @Property({ type: 'text' })
  categoryCode!: string;

  @Property({ type: 'date' })
  day!: string;

  @Property({ type: 'integer' })
  demands!: number;

  @Property({ type: new BigIntType('number') })
  people!: number;
}
