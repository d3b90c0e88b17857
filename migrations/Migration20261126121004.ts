import { Migration } from '@mikro-orm/migrations';

export class Migration20261126121004 extends Migration {
  override async up(): Promise<void> {
    // Trigram indexes for directory search in Chinese and English (pg_trgm is a trusted extension).
    this.addSql(`create extension if not exists pg_trgm;`);
    this.addSql(
      `create table "organization" ("id" bigserial primary key, "name" varchar(200) not null, "credit_code" varchar(18) not null, "kind" text check ("kind" in ('SOCIAL_GROUP', 'SOCIAL_SERVICE_AGENCY', 'FOUNDATION', 'OTHER')) not null, "founding_type" text check ("founding_type" in ('UNION_FOUNDED', 'UNION_INCUBATED', 'INDEPENDENT')) not null, "home_region_code" varchar(12) not null, "region_codes" text[] not null, "category_codes" text[] not null, "target_groups" text[] not null, "description" text not null default '', "public_contact" varchar(200) null, "website" varchar(300) null, "brand_name" varchar(200) null, "brand_description" text null, "brand_since" date null, "grade" text check ("grade" in ('NONE', 'GRADE_1A', 'GRADE_2A', 'GRADE_3A', 'GRADE_4A', 'GRADE_5A')) not null default 'NONE', "grade_valid_until" date null, "verification_status" text check ("verification_status" in ('PENDING', 'VERIFIED', 'SUSPENDED')) not null default 'PENDING', "verification_reason" text null, "verification_decided_by_id" bigint null, "verification_decided_at" timestamptz null, "is_hub" boolean not null default false, "hub_id" bigint null, "rating_sum" int not null default 0, "rating_count" int not null default 0, "search_text" text not null default '', "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now());`,
    );
    this.addSql(
      `alter table "organization" add constraint "organization_credit_code_unique" unique ("credit_code");`,
    );
    this.addSql(`create index "organization_home_region_code_index" on "organization" ("home_region_code");`);
    this.addSql(`create index "organization_hub_id_index" on "organization" ("hub_id");`);
    this.addSql(
      `create index "organization_search_text_trgm" on "organization" using gin ("search_text" gin_trgm_ops);`,
    );
    this.addSql(
      `create index "organization_verification_status_name_id_index" on "organization" ("verification_status", "name", "id");`,
    );
    this.addSql(
      `create index "organization_target_groups_index" on "organization" using gin ("target_groups");`,
    );
    this.addSql(
      `create index "organization_region_codes_index" on "organization" using gin ("region_codes");`,
    );
    this.addSql(
      `create index "organization_category_codes_index" on "organization" using gin ("category_codes");`,
    );

    this.addSql(
      `create table "service" ("id" bigserial primary key, "organization_id" bigint not null, "name" varchar(200) not null, "description" text not null default '', "category_codes" text[] not null, "region_codes" text[] not null, "target_groups" text[] not null, "mode" text check ("mode" in ('ON_SITE', 'ONLINE', 'BOTH')) not null, "fee" text check ("fee" in ('FREE', 'SUBSIDISED', 'PAID')) not null, "monthly_capacity" int null, "status" text check ("status" in ('ACTIVE', 'PAUSED', 'RETIRED')) not null default 'ACTIVE', "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now());`,
    );
    this.addSql(`create index "service_organization_id_index" on "service" ("organization_id");`);
    this.addSql(`create index "service_category_codes_index" on "service" using gin ("category_codes");`);

    this.addSql(
      `create table "organization_member" ("id" bigserial primary key, "organization_id" bigint not null, "user_id" bigint not null, "role" text check ("role" in ('ORG_ADMIN', 'ORG_MEMBER')) not null, "created_at" timestamptz not null default now());`,
    );
    this.addSql(`create index "organization_member_user_id_index" on "organization_member" ("user_id");`);
    this.addSql(
      `alter table "organization_member" add constraint "organization_member_organization_id_user_id_unique" unique ("organization_id", "user_id");`,
    );

    this.addSql(
      `create table "hub_membership_request" ("id" bigserial primary key, "organization_id" bigint not null, "hub_id" bigint not null, "status" text check ("status" in ('REQUESTED', 'ACCEPTED', 'REJECTED')) not null default 'REQUESTED', "reason" text null, "decided_by_id" bigint null, "decided_at" timestamptz null, "created_at" timestamptz not null default now());`,
    );
    this.addSql(
      `create index "hub_membership_request_organization_id_index" on "hub_membership_request" ("organization_id");`,
    );
    this.addSql(`create index "hub_membership_request_hub_id_index" on "hub_membership_request" ("hub_id");`);

    this.addSql(
      `create table "audit_entry" ("id" bigserial primary key, "actor_id" bigint null, "actor_roles" text[] not null, "action" varchar(64) not null, "subject_id" varchar(200) not null, "subject_type" varchar(64) not null, "summary" jsonb not null, "request_id" varchar(64) null, "created_at" timestamptz not null default now());`,
    );
    this.addSql(`create index "audit_entry_subject_id_id_index" on "audit_entry" ("subject_id", "id");`);

    this.addSql(
      `alter table "organization" add constraint "organization_home_region_code_foreign" foreign key ("home_region_code") references "region" ("code") on update cascade on delete restrict;`,
    );
    this.addSql(
      `alter table "organization" add constraint "organization_verification_decided_by_id_foreign" foreign key ("verification_decided_by_id") references "app_user" ("id") on update cascade on delete set null;`,
    );
    this.addSql(
      `alter table "organization" add constraint "organization_hub_id_foreign" foreign key ("hub_id") references "organization" ("id") on update cascade on delete set null;`,
    );

    this.addSql(
      `alter table "service" add constraint "service_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "organization_member" add constraint "organization_member_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "organization_member" add constraint "organization_member_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "hub_membership_request" add constraint "hub_membership_request_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "hub_membership_request" add constraint "hub_membership_request_hub_id_foreign" foreign key ("hub_id") references "organization" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "hub_membership_request" add constraint "hub_membership_request_decided_by_id_foreign" foreign key ("decided_by_id") references "app_user" ("id") on update cascade on delete set null;`,
    );

    this.addSql(
      `alter table "audit_entry" add constraint "audit_entry_actor_id_foreign" foreign key ("actor_id") references "app_user" ("id") on update cascade on delete set null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "organization" drop constraint "organization_hub_id_foreign";`);

    this.addSql(`alter table "service" drop constraint "service_organization_id_foreign";`);

    this.addSql(
      `alter table "organization_member" drop constraint "organization_member_organization_id_foreign";`,
    );

    this.addSql(
      `alter table "hub_membership_request" drop constraint "hub_membership_request_organization_id_foreign";`,
    );

    this.addSql(
      `alter table "hub_membership_request" drop constraint "hub_membership_request_hub_id_foreign";`,
    );

    this.addSql(`drop table if exists "organization" cascade;`);

    this.addSql(`drop table if exists "service" cascade;`);

    this.addSql(`drop table if exists "organization_member" cascade;`);

    this.addSql(`drop table if exists "hub_membership_request" cascade;`);

    this.addSql(`drop table if exists "audit_entry" cascade;`);
  }
}
