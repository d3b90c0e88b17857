import { Migration } from '@mikro-orm/migrations';

export class Migration20261126121342 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "publisher" ("id" bigserial primary key, "kind" text check ("kind" in ('UNION', 'GOVERNMENT', 'ENTERPRISE')) not null, "name" varchar(200) not null, "region_code" varchar(12) not null, "created_at" timestamptz not null default now());`,
    );
    this.addSql(`create index "publisher_region_code_index" on "publisher" ("region_code");`);

    this.addSql(
      `create table "publisher_staff" ("id" bigserial primary key, "publisher_id" bigint not null, "user_id" bigint not null, "created_at" timestamptz not null default now());`,
    );
    this.addSql(`create index "publisher_staff_publisher_id_index" on "publisher_staff" ("publisher_id");`);
    this.addSql(
      `alter table "publisher_staff" add constraint "publisher_staff_user_id_unique" unique ("user_id");`,
    );

    this.addSql(
      `create table "project" ("id" bigserial primary key, "publisher_id" bigint not null, "title" varchar(200) not null, "description" text not null default '', "category_code" varchar(64) not null, "category_path" text[] not null, "region_codes" text[] not null, "region_paths" text[] not null, "target_groups" text[] not null, "budget_fen" bigint not null, "procurement_method" text check ("procurement_method" in ('OPEN', 'SELECTIVE', 'DIRECT')) not null, "verified_only" boolean not null default true, "min_grade" text check ("min_grade" in ('NONE', 'GRADE_1A', 'GRADE_2A', 'GRADE_3A', 'GRADE_4A', 'GRADE_5A')) not null default 'NONE', "allowed_founding_types" text[] not null default '{}', "must_serve_regions" boolean not null default true, "application_opens_at" timestamptz not null, "application_closes_at" timestamptz not null, "documents" jsonb not null default '[]', "status" text check ("status" in ('DRAFT', 'PUBLISHED', 'EVALUATING', 'AWARDED', 'IN_PROGRESS', 'COMPLETED', 'CANCELLED', 'UNSUCCESSFUL')) not null default 'DRAFT', "status_reason" text null, "outcome" text null, "evaluation_score" smallint null, "created_by_id" bigint null, "published_at" timestamptz null, "awarded_at" timestamptz null, "started_at" timestamptz null, "closed_at" timestamptz null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now());`,
    );
    this.addSql(`create index "project_publisher_id_id_index" on "project" ("publisher_id", "id");`);
    this.addSql(
      `create index "project_status_application_closes_at_index" on "project" ("status", "application_closes_at");`,
    );
    this.addSql(`create index "project_region_paths_index" on "project" using gin ("region_paths");`);
    this.addSql(`create index "project_category_path_index" on "project" using gin ("category_path");`);

    this.addSql(
      `create table "project_amendment" ("id" bigserial primary key, "project_id" bigint not null, "rationale" text not null, "changes" jsonb not null, "amended_by_id" bigint null, "created_at" timestamptz not null default now());`,
    );
    this.addSql(
      `create index "project_amendment_project_id_id_index" on "project_amendment" ("project_id", "id");`,
    );

    this.addSql(
      `create table "project_invitation" ("id" bigserial primary key, "project_id" bigint not null, "organization_id" bigint not null, "created_at" timestamptz not null default now());`,
    );
    this.addSql(
      `create index "project_invitation_organization_id_index" on "project_invitation" ("organization_id");`,
    );
    this.addSql(
      `alter table "project_invitation" add constraint "project_invitation_project_id_organization_id_unique" unique ("project_id", "organization_id");`,
    );

    this.addSql(
      `create table "project_application" ("id" bigserial primary key, "project_id" bigint not null, "organization_id" bigint not null, "proposal" text not null, "requested_fen" bigint not null, "status" text check ("status" in ('SUBMITTED', 'SHORTLISTED', 'AWARDED', 'REJECTED', 'WITHDRAWN')) not null default 'SUBMITTED', "awarded_fen" bigint null, "submitted_by_id" bigint null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now());`,
    );
    this.addSql(
      `create unique index "project_application_live_unique" on "project_application" ("project_id", "organization_id") where "status" in ('SUBMITTED', 'SHORTLISTED', 'AWARDED');`,
    );
    this.addSql(
      `create index "project_application_organization_id_id_index" on "project_application" ("organization_id", "id");`,
    );
    this.addSql(
      `create index "project_application_project_id_id_index" on "project_application" ("project_id", "id");`,
    );

    // Hand-added: money and scores can never be out of range, whatever a future code path does.
    this.addSql(
      `alter table "project" add constraint "project_budget_fen_positive" check ("budget_fen" > 0);`,
    );
    this.addSql(
      `alter table "project" add constraint "project_period_order" check ("application_closes_at" > "application_opens_at");`,
    );
    this.addSql(
      `alter table "project" add constraint "project_evaluation_score_range" check ("evaluation_score" between 1 and 5);`,
    );
    this.addSql(
      `alter table "project_application" add constraint "project_application_requested_fen_positive" check ("requested_fen" > 0);`,
    );
    this.addSql(
      `alter table "project_application" add constraint "project_application_awarded_fen_positive" check ("awarded_fen" > 0);`,
    );

    this.addSql(
      `alter table "publisher" add constraint "publisher_region_code_foreign" foreign key ("region_code") references "region" ("code") on update cascade on delete restrict;`,
    );

    this.addSql(
      `alter table "publisher_staff" add constraint "publisher_staff_publisher_id_foreign" foreign key ("publisher_id") references "publisher" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "publisher_staff" add constraint "publisher_staff_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "project" add constraint "project_publisher_id_foreign" foreign key ("publisher_id") references "publisher" ("id") on update cascade on delete restrict;`,
    );
    this.addSql(
      `alter table "project" add constraint "project_category_code_foreign" foreign key ("category_code") references "service_category" ("code") on update cascade on delete restrict;`,
    );
    this.addSql(
      `alter table "project" add constraint "project_created_by_id_foreign" foreign key ("created_by_id") references "app_user" ("id") on update cascade on delete set null;`,
    );

    this.addSql(
      `alter table "project_amendment" add constraint "project_amendment_project_id_foreign" foreign key ("project_id") references "project" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "project_amendment" add constraint "project_amendment_amended_by_id_foreign" foreign key ("amended_by_id") references "app_user" ("id") on update cascade on delete set null;`,
    );

    this.addSql(
      `alter table "project_invitation" add constraint "project_invitation_project_id_foreign" foreign key ("project_id") references "project" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "project_invitation" add constraint "project_invitation_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "project_application" add constraint "project_application_project_id_foreign" foreign key ("project_id") references "project" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "project_application" add constraint "project_application_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "project_application" add constraint "project_application_submitted_by_id_foreign" foreign key ("submitted_by_id") references "app_user" ("id") on update cascade on delete set null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "publisher_staff" drop constraint "publisher_staff_publisher_id_foreign";`);

    this.addSql(`alter table "project" drop constraint "project_publisher_id_foreign";`);

    this.addSql(`alter table "project_amendment" drop constraint "project_amendment_project_id_foreign";`);

    this.addSql(`alter table "project_invitation" drop constraint "project_invitation_project_id_foreign";`);

    this.addSql(
      `alter table "project_application" drop constraint "project_application_project_id_foreign";`,
    );

    this.addSql(`drop table if exists "publisher" cascade;`);

    this.addSql(`drop table if exists "publisher_staff" cascade;`);

    this.addSql(`drop table if exists "project" cascade;`);

    this.addSql(`drop table if exists "project_amendment" cascade;`);

    this.addSql(`drop table if exists "project_invitation" cascade;`);

    this.addSql(`drop table if exists "project_application" cascade;`);
  }
}
