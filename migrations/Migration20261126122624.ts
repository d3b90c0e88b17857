import { Migration } from '@mikro-orm/migrations';

/** The link from a project to the worker demands it was made from (createProjectFromDemands). */
export class Migration20261126122624 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "project_demand" ("id" bigserial primary key, "project_id" bigint not null, "demand_id" bigint not null, "created_at" timestamptz not null default now());`,
    );
    this.addSql(`create index "project_demand_demand_id_index" on "project_demand" ("demand_id");`);
    this.addSql(
      `alter table "project_demand" add constraint "project_demand_project_id_demand_id_unique" unique ("project_id", "demand_id");`,
    );

    this.addSql(
      `alter table "project_demand" add constraint "project_demand_project_id_foreign" foreign key ("project_id") references "project" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "project_demand" add constraint "project_demand_demand_id_foreign" foreign key ("demand_id") references "demand" ("id") on update cascade on delete restrict;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "project_demand" cascade;`);
  }
}
