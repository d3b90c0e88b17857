import { Migration } from '@mikro-orm/migrations';

export class Migration20261201230400 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "notification_position" ("name" varchar(32) not null, "last_event_seq" bigint not null, constraint "notification_position_pkey" primary key ("name"));`,
    );

    this.addSql(
      `create table "notification" ("id" bigserial primary key, "user_id" bigint not null, "event_seq" bigint not null, "topic" text check ("topic" in ('DEMAND_MATCHED', 'PROJECT_ELIGIBLE', 'APPLICATION_DECIDED', 'VERIFICATION_DECIDED', 'OWN_DEMAND_UPDATED', 'ENDORSED_DEMAND_FULFILLED')) not null, "subject_id" varchar(100) not null, "params" jsonb not null, "announced_seq" bigint null, "read_at" timestamptz null, "created_at" timestamptz not null default now());`,
    );
    this.addSql(`create index "notification_announced_seq_index" on "notification" ("announced_seq");`);
    this.addSql(
      `create index "notification_unread_index" on "notification" ("user_id", "id") where "read_at" is null;`,
    );
    this.addSql(`create index "notification_user_id_id_index" on "notification" ("user_id", "id");`);
    this.addSql(
      `alter table "notification" add constraint "notification_event_seq_user_id_unique" unique ("event_seq", "user_id");`,
    );

    this.addSql(
      `alter table "notification" add constraint "notification_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade on delete cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "notification_position" cascade;`);

    this.addSql(`drop table if exists "notification" cascade;`);
  }
}
