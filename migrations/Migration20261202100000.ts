import { Migration } from '@mikro-orm/migrations';

/**
 * Notifications to an organization's members are stored once per organization (an audience row),
 * read state moves to per-reader tables, and instant e-mail and SMS get one delivery row per person.
 */
export class Migration20261202100000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "notification_read_state" ("user_id" bigint not null, "read_up_to" bigint not null, "read_at" timestamptz not null, constraint "notification_read_state_pkey" primary key ("user_id"));`,
    );
    this.addSql(
      `create table "notification_read" ("user_id" bigint not null, "notification_id" bigint not null, "read_at" timestamptz not null, constraint "notification_read_pkey" primary key ("user_id", "notification_id"));`,
    );
    this.addSql(
      `create table "notification_delivery" ("id" bigserial primary key, "notification_id" bigint not null, "user_id" bigint not null, "channel" text check ("channel" in ('IN_APP', 'EMAIL', 'SMS')) not null);`,
    );
    this.addSql(
      `create index "notification_delivery_channel_id_index" on "notification_delivery" ("channel", "id");`,
    );
    this.addSql(
      `alter table "notification_delivery" add constraint "notification_delivery_notification_id_user_id_channel_unique" unique ("notification_id", "user_id", "channel");`,
    );
    this.addSql(
      `alter table "notification_read_state" add constraint "notification_read_state_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "notification_read" add constraint "notification_read_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "notification_read" add constraint "notification_read_notification_id_foreign" foreign key ("notification_id") references "notification" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "notification_delivery" add constraint "notification_delivery_notification_id_foreign" foreign key ("notification_id") references "notification" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "notification_delivery" add constraint "notification_delivery_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `create index "notification_preference_topic_channel_frequency_user_id_index" on "notification_preference" ("topic", "channel", "frequency", "user_id");`,
    );

    // What was read stays read.
    this.addSql(
      `insert into "notification_read" ("user_id", "notification_id", "read_at")
       select "user_id", "id", "read_at" from "notification" where "read_at" is not null;`,
    );
    this.addSql(`drop index "notification_announced_seq_index";`);
    this.addSql(`drop index "notification_unread_index";`);
    this.addSql(`alter table "notification" drop column "read_at", drop column "announced_seq";`);
    this.addSql(
      `alter table "notification" add column "organization_id" bigint null, add column "admins_only" boolean not null default false, add column "excluded_user_ids" bigint[] not null default '{}';`,
    );
    this.addSql(`alter table "notification" alter column "user_id" drop not null;`);
    this.addSql(
      `alter table "notification" add constraint "notification_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `create index "notification_audience_created_index" on "notification" ("organization_id", "created_at", "id") where "organization_id" is not null;`,
    );
    this.addSql(
      `create index "notification_audience_index" on "notification" ("organization_id", "id") where "organization_id" is not null;`,
    );
    this.addSql(
      `alter table "notification" add constraint "notification_event_seq_organization_id_unique" unique ("event_seq", "organization_id");`,
    );
    // The instant channels now read delivery rows: their positions (notification ids) start again.
    this.addSql(`delete from "notification_position" where "name" in ('email', 'sms');`);
  }

  override async down(): Promise<void> {
    this.addSql(`delete from "notification" where "user_id" is null;`);
    this.addSql(`alter table "notification" drop constraint "notification_organization_id_foreign";`);
    this.addSql(`drop index "notification_audience_created_index";`);
    this.addSql(`drop index "notification_audience_index";`);
    this.addSql(
      `alter table "notification" drop constraint "notification_event_seq_organization_id_unique";`,
    );
    this.addSql(
      `alter table "notification" drop column "organization_id", drop column "admins_only", drop column "excluded_user_ids";`,
    );
    this.addSql(`alter table "notification" alter column "user_id" set not null;`);
    this.addSql(
      `alter table "notification" add column "read_at" timestamptz null, add column "announced_seq" bigint null;`,
    );
    this.addSql(
      `update "notification" n set "read_at" = r."read_at" from "notification_read" r where r."notification_id" = n."id" and r."user_id" = n."user_id";`,
    );
    this.addSql(`create index "notification_announced_seq_index" on "notification" ("announced_seq");`);
    this.addSql(
      `create index "notification_unread_index" on "notification" ("user_id", "id") where "read_at" is null;`,
    );
    this.addSql(`drop index "notification_preference_topic_channel_frequency_user_id_index";`);
    this.addSql(`drop table if exists "notification_delivery" cascade;`);
    this.addSql(`drop table if exists "notification_read" cascade;`);
    this.addSql(`drop table if exists "notification_read_state" cascade;`);
    this.addSql(`delete from "notification_position" where "name" in ('email', 'sms');`);
  }
}
