import { Migration } from '@mikro-orm/migrations';

export class Migration20261126121221 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "event" ("seq" bigserial primary key, "topic" varchar(64) not null, "entity_id" bigint not null, "category_path" text[] not null, "region_path" text[] not null, "target_groups" text[] not null, "created_at" timestamptz not null default now());`,
    );
    this.addSql(`create index "event_topic_seq_index" on "event" ("topic", "seq");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "event" cascade;`);
  }
}
