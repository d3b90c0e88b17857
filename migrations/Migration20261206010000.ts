import { Migration } from '@mikro-orm/migrations';

/**
 * The feed's category and region subtree filters over OPEN demands only (docs/architecture.md, "Read
 * path"). The path indexes cover the whole history, so at 1,000,000 demands an organization's first
 * page (a category, a city, OPEN) read every OPEN demand's row to keep the few that matched; this
 * index finds those few directly, and grows with the OPEN demands, not with the history.
 */
export class Migration20261206010000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create index "demand_open_paths_gin" on "demand" using gin ("category_path", "region_path") where "status" = 'OPEN';`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "demand_open_paths_gin";`);
  }
}
