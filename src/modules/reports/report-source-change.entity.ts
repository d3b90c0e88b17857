import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * A transaction that changed a table the cached report parts read (organizations, services,
 * projects, applications, regions, categories), one row per transaction, inserted by a
 * statement-level trigger (migrations/Migration20261204030000.ts). The report cache compares these
 * ids with the snapshot a cached answer was computed after (docs/architecture.md, "Report cache").
 * Never written by the application; pruned below {@link ReportSourceHorizon}.
 */
@Entity({ tableName: 'report_source_change' })
export class ReportSourceChange {
  /** The transaction's id with its epoch (`pg_current_xact_id()`). */
  @PrimaryKey({ type: 'string', columnType: 'xid8' })
  xid!: string;
}

/**
 * The one row saying how far {@link ReportSourceChange} has been pruned: rows below `prunedBelow`
 * are gone, so a cached answer computed after an older snapshot is recomputed. `nextBelow` is the
 * oldest running transaction seen at `nextAt`, pruned below at the next pass once that is old enough.
 */
@Entity({ tableName: 'report_source_horizon' })
export class ReportSourceHorizon {
  @PrimaryKey({ type: 'integer', autoincrement: false })
  id!: number;

  @Property({ type: 'string', columnType: 'xid8' })
  prunedBelow!: string;

  @Property({ type: 'string', columnType: 'xid8' })
  nextBelow!: string;

  @Property({ type: 'Date', columnType: 'timestamptz' })
  nextAt!: Date;
}
