import { Migration } from '@mikro-orm/migrations';

export class Migration20261203030000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "project_fairness_flag" ("id" bigserial primary key, "project_id" bigint not null, "kind" text check ("kind" in ('FOUNDING_TYPE_RESTRICTION', 'DIRECT_METHOD', 'SINGLE_APPLICANT', 'REPEAT_WINNER')) not null, "step" text check ("step" in ('PUBLICATION', 'AMENDMENT', 'AWARD')) not null, "rationale" text not null, "organization_id" bigint null, "prior_awards" int null, "raised_by_id" bigint null, "raised_at" timestamptz not null default now());`,
    );
    this.addSql(
      `create index "project_fairness_flag_organization_id_index" on "project_fairness_flag" ("organization_id");`,
    );
    this.addSql(
      `create index "project_fairness_flag_project_id_id_index" on "project_fairness_flag" ("project_id", "id");`,
    );

    this.addSql(
      `alter table "project_fairness_flag" add constraint "project_fairness_flag_project_id_foreign" foreign key ("project_id") references "project" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "project_fairness_flag" add constraint "project_fairness_flag_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade on delete set null;`,
    );
    this.addSql(
      `alter table "project_fairness_flag" add constraint "project_fairness_flag_raised_by_id_foreign" foreign key ("raised_by_id") references "app_user" ("id") on update cascade on delete set null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "project_fairness_flag" cascade;`);
  }
}
