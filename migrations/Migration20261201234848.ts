import { Migration } from '@mikro-orm/migrations';

export class Migration20261201234848 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "organization_notification_default" ("id" bigserial primary key, "organization_id" bigint not null, "topic" text check ("topic" in ('DEMAND_MATCHED', 'PROJECT_ELIGIBLE', 'APPLICATION_DECIDED', 'VERIFICATION_DECIDED', 'OWN_DEMAND_UPDATED', 'ENDORSED_DEMAND_FULFILLED', 'CLAIM_LAPSING', 'WEBHOOK_DISABLED', 'APPLICATION_PERIOD_CLOSED')) not null, "channel" text check ("channel" in ('IN_APP', 'EMAIL', 'SMS')) not null, "frequency" text check ("frequency" in ('INSTANT', 'DAILY_DIGEST', 'OFF')) not null, "updated_at" timestamptz not null default now());`,
    );
    this.addSql(
      `alter table "organization_notification_default" add constraint "organization_notification_default_organization_id_4b567_unique" unique ("organization_id", "topic", "channel");`,
    );

    this.addSql(
      `create table "notification_preference" ("id" bigserial primary key, "user_id" bigint not null, "topic" text check ("topic" in ('DEMAND_MATCHED', 'PROJECT_ELIGIBLE', 'APPLICATION_DECIDED', 'VERIFICATION_DECIDED', 'OWN_DEMAND_UPDATED', 'ENDORSED_DEMAND_FULFILLED', 'CLAIM_LAPSING', 'WEBHOOK_DISABLED', 'APPLICATION_PERIOD_CLOSED')) not null, "channel" text check ("channel" in ('IN_APP', 'EMAIL', 'SMS')) not null, "frequency" text check ("frequency" in ('INSTANT', 'DAILY_DIGEST', 'OFF')) not null, "updated_at" timestamptz not null default now());`,
    );
    this.addSql(
      `alter table "notification_preference" add constraint "notification_preference_user_id_topic_channel_unique" unique ("user_id", "topic", "channel");`,
    );

    this.addSql(
      `alter table "organization_notification_default" add constraint "organization_notification_default_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "notification_preference" add constraint "notification_preference_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(`alter table "notification" drop constraint if exists "notification_topic_check";`);
    this.addSql(
      `alter table "notification" add constraint "notification_topic_check" check("topic" in ('DEMAND_MATCHED', 'PROJECT_ELIGIBLE', 'APPLICATION_DECIDED', 'VERIFICATION_DECIDED', 'OWN_DEMAND_UPDATED', 'ENDORSED_DEMAND_FULFILLED', 'CLAIM_LAPSING', 'WEBHOOK_DISABLED', 'APPLICATION_PERIOD_CLOSED'));`,
    );

    this.addSql(`alter table "demand" add column "lapse_warned_progress_at" timestamptz null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "notification" drop constraint if exists "notification_topic_check";`);
    this.addSql(
      `alter table "notification" add constraint "notification_topic_check" check("topic" in ('DEMAND_MATCHED', 'PROJECT_ELIGIBLE', 'APPLICATION_DECIDED', 'VERIFICATION_DECIDED', 'OWN_DEMAND_UPDATED', 'ENDORSED_DEMAND_FULFILLED'));`,
    );

    this.addSql(`alter table "demand" drop column "lapse_warned_progress_at";`);

    this.addSql(`drop table if exists "organization_notification_default" cascade;`);

    this.addSql(`drop table if exists "notification_preference" cascade;`);
  }
}
