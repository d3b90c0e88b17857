import { Migration } from '@mikro-orm/migrations';

export class Migration20261126121227 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table "organization" add column "rating_score" int generated always as (case when rating_count = 0 then 0 else (rating_sum * 100) / rating_count end) stored not null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "organization" drop column "rating_score";`);
  }
}
