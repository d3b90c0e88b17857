import { Migration } from '@mikro-orm/migrations';

export class Migration20261126125142 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "webhook_endpoint" ("id" bigserial primary key, "organization_id" bigint not null, "url" varchar(2000) not null, "topics" text[] not null, "secret" varchar(100) not null, "enabled" boolean not null default true, "consecutive_failures" int not null default 0, "disabled_reason" text null, "disabled_at" timestamptz null, "last_event_seq" bigint not null, "created_by_id" bigint null, "created_at" timestamptz not null default now());`,
    );
    this.addSql(
      `create index "webhook_endpoint_organization_id_id_index" on "webhook_endpoint" ("organization_id", "id");`,
    );

    this.addSql(
      `create table "webhook_delivery" ("id" bigserial primary key, "endpoint_id" bigint not null, "event_seq" bigint not null, "topic" varchar(64) not null, "payload" text not null, "status" text check ("status" in ('PENDING', 'DELIVERED', 'FAILED')) not null default 'PENDING', "attempts" int not null default 0, "next_attempt_at" timestamptz not null, "last_status_code" int null, "last_error" text null, "delivered_at" timestamptz null, "created_at" timestamptz not null default now());`,
    );
    this.addSql(
      `create index "webhook_delivery_due_index" on "webhook_delivery" ("next_attempt_at", "id") where "status" = 'PENDING';`,
    );
    this.addSql(
      `alter table "webhook_delivery" add constraint "webhook_delivery_endpoint_id_event_seq_unique" unique ("endpoint_id", "event_seq");`,
    );

    this.addSql(
      `create table "webhook_delivery_attempt" ("id" bigserial primary key, "delivery_id" bigint not null, "attempt" int not null, "status_code" int null, "duration_ms" int not null, "error" text null, "created_at" timestamptz not null default now());`,
    );
    this.addSql(
      `create index "webhook_delivery_attempt_delivery_id_id_index" on "webhook_delivery_attempt" ("delivery_id", "id");`,
    );

    this.addSql(
      `alter table "webhook_endpoint" add constraint "webhook_endpoint_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "webhook_endpoint" add constraint "webhook_endpoint_created_by_id_foreign" foreign key ("created_by_id") references "app_user" ("id") on update cascade on delete set null;`,
    );

    this.addSql(
      `alter table "webhook_delivery" add constraint "webhook_delivery_endpoint_id_foreign" foreign key ("endpoint_id") references "webhook_endpoint" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "webhook_delivery_attempt" add constraint "webhook_delivery_attempt_delivery_id_foreign" foreign key ("delivery_id") references "webhook_delivery" ("id") on update cascade on delete cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "webhook_delivery" drop constraint "webhook_delivery_endpoint_id_foreign";`);

    this.addSql(
      `alter table "webhook_delivery_attempt" drop constraint "webhook_delivery_attempt_delivery_id_foreign";`,
    );

    this.addSql(`drop table if exists "webhook_endpoint" cascade;`);

    this.addSql(`drop table if exists "webhook_delivery" cascade;`);

    this.addSql(`drop table if exists "webhook_delivery_attempt" cascade;`);
  }
}
