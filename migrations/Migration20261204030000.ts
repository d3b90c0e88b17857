import { Migration } from '@mikro-orm/migrations';

/** A table whose changes a cached report part may depend on, and the columns that matter to it. */
const REPORT_SOURCES: { table: string; columns: string[] }[] = [
  {
    table: 'organization',
    columns: ['verification_status', 'region_codes', 'category_codes', 'founding_type'],
  },
  {
    table: 'service',
    columns: ['organization_id', 'status', 'monthly_capacity', 'region_codes', 'category_codes'],
  },
  {
    table: 'project',
    columns: ['publisher_id', 'status', 'region_paths', 'category_path', 'published_at', 'awarded_at'],
  },
  { table: 'project_application', columns: ['project_id', 'organization_id', 'status', 'awarded_fen'] },
  { table: 'region', columns: ['code', 'parent_code', 'path'] },
  { table: 'service_category', columns: ['code', 'parent_code', 'path'] },
];

/**
 * The report cache's change log (docs/architecture.md, "Report cache"): a statement-level trigger on
 * every table the cached report parts read (the supply side of `supplyDemandGap`, the `awardFairness`
 * ledger) records the id of each transaction that changes them, once per transaction, so a process
 * can tell in one statement whether anything committed since the snapshot its cached answer was
 * computed after. `report_source_horizon` is the pruning watermark: rows below it are gone, so a
 * cached answer from an older snapshot is no longer trusted.
 */
export class Migration20261204030000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "report_source_change" ("xid" xid8 not null, constraint "report_source_change_pkey" primary key ("xid"));`,
    );
    this.addSql(
      `create table "report_source_horizon" ("id" int not null, "pruned_below" xid8 not null, "next_below" xid8 not null, "next_at" timestamptz not null, constraint "report_source_horizon_pkey" primary key ("id"));`,
    );
    this.addSql(
      `insert into "report_source_horizon" ("id", "pruned_below", "next_below", "next_at") values (1, '0', pg_snapshot_xmin(pg_current_snapshot()), now());`,
    );
    // One row per transaction, inserted without reading or waiting: each transaction has its own key.
    this.addSql(`create function "report_source_changed"() returns trigger language plpgsql as $$
begin
  insert into "report_source_change" ("xid") values (pg_current_xact_id()) on conflict do nothing;
  return null;
end $$;`);
    for (const { table, columns } of REPORT_SOURCES)
      this.addSql(
        `create trigger "${table}_report_source_changed" after insert or delete or truncate or update of ${columns.map((c) => `"${c}"`).join(', ')} on "${table}" for each statement execute function "report_source_changed"();`,
      );
  }

  override async down(): Promise<void> {
    for (const { table } of REPORT_SOURCES)
      this.addSql(`drop trigger "${table}_report_source_changed" on "${table}";`);
    this.addSql(`drop function "report_source_changed"();`);
    this.addSql(`drop table if exists "report_source_horizon" cascade;`);
    this.addSql(`drop table if exists "report_source_change" cascade;`);
  }
}
