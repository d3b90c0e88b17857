import { Migration } from '@mikro-orm/migrations';

export class Migration20261126121159 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "demand" ("id" bigserial primary key, "title" varchar(200) not null, "description" text not null, "category_code" varchar(64) not null, "category_path" text[] not null, "region_code" varchar(12) not null, "region_path" text[] not null, "target_groups" text[] not null, "urgency" text check ("urgency" in ('LOW', 'NORMAL', 'HIGH', 'URGENT')) not null default 'NORMAL', "people_affected" int not null, "endorsement_count" int not null default 0, "source" text check ("source" in ('WORKER', 'UNION_SURVEY', 'ENTERPRISE')) not null, "submitted_by_id" bigint not null, "anonymous" boolean not null default false, "contact" varchar(200) null, "contact_consent" boolean not null default false, "status" text check ("status" in ('OPEN', 'CLAIMED', 'IN_SERVICE', 'FULFILLED', 'CLOSED', 'WITHDRAWN', 'EXPIRED', 'CLOSED_DUPLICATE')) not null default 'OPEN', "duplicate_of_id" bigint null, "claimed_by_id" bigint null, "claimed_at" timestamptz null, "last_progress_at" timestamptz null, "close_reason" text null, "rating" smallint null, "rating_comment" text null, "rated_at" timestamptz null, "expires_at" timestamptz not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now());`,
    );
    // Hand-added: the database refuses what the inputs already refuse, whatever writes the row.
    this.addSql(
      `alter table "demand" add constraint "demand_people_affected_check" check ("people_affected" >= 1);`,
    );
    this.addSql(
      `alter table "demand" add constraint "demand_rating_check" check ("rating" between 1 and 5);`,
    );
    this.addSql(`create index "demand_duplicate_of_id_index" on "demand" ("duplicate_of_id");`);
    this.addSql(
      `create index "demand_claimed_last_progress_index" on "demand" ("last_progress_at") where "status" in ('CLAIMED', 'IN_SERVICE');`,
    );
    this.addSql(
      `create index "demand_open_expires_at_index" on "demand" ("expires_at") where "status" = 'OPEN';`,
    );
    this.addSql(`create index "demand_title_trgm" on "demand" using gin ("title" gin_trgm_ops);`);
    this.addSql(`create index "demand_claimed_by_id_status_index" on "demand" ("claimed_by_id", "status");`);
    this.addSql(
      `create index "demand_submitted_by_id_created_at_index" on "demand" ("submitted_by_id", "created_at");`,
    );
    this.addSql(`create index "demand_target_groups_index" on "demand" using gin ("target_groups");`);
    this.addSql(`create index "demand_region_path_index" on "demand" using gin ("region_path");`);
    this.addSql(`create index "demand_category_path_index" on "demand" using gin ("category_path");`);
    this.addSql(`create index "demand_created_at_id_index" on "demand" ("created_at" desc, "id" desc);`);
    this.addSql(
      `create index "demand_status_created_at_id_index" on "demand" ("status", "created_at" desc, "id" desc);`,
    );

    this.addSql(
      `create table "demand_progress" ("id" bigserial primary key, "demand_id" bigint not null, "organization_id" bigint not null, "author_id" bigint null, "note" text not null, "created_at" timestamptz not null default now());`,
    );
    this.addSql(
      `create index "demand_progress_organization_id_index" on "demand_progress" ("organization_id");`,
    );
    this.addSql(
      `create index "demand_progress_demand_id_created_at_index" on "demand_progress" ("demand_id", "created_at");`,
    );

    this.addSql(
      `create table "demand_endorsement" ("id" bigserial primary key, "demand_id" bigint not null, "worker_id" bigint not null, "created_at" timestamptz not null default now());`,
    );
    this.addSql(`create index "demand_endorsement_worker_id_index" on "demand_endorsement" ("worker_id");`);
    this.addSql(
      `alter table "demand_endorsement" add constraint "demand_endorsement_demand_id_worker_id_unique" unique ("demand_id", "worker_id");`,
    );

    this.addSql(
      `alter table "demand" add constraint "demand_category_code_foreign" foreign key ("category_code") references "service_category" ("code") on update cascade on delete restrict;`,
    );
    this.addSql(
      `alter table "demand" add constraint "demand_region_code_foreign" foreign key ("region_code") references "region" ("code") on update cascade on delete restrict;`,
    );
    this.addSql(
      `alter table "demand" add constraint "demand_submitted_by_id_foreign" foreign key ("submitted_by_id") references "app_user" ("id") on update cascade on delete restrict;`,
    );
    this.addSql(
      `alter table "demand" add constraint "demand_duplicate_of_id_foreign" foreign key ("duplicate_of_id") references "demand" ("id") on update cascade on delete set null;`,
    );
    this.addSql(
      `alter table "demand" add constraint "demand_claimed_by_id_foreign" foreign key ("claimed_by_id") references "organization" ("id") on update cascade on delete set null;`,
    );

    this.addSql(
      `alter table "demand_progress" add constraint "demand_progress_demand_id_foreign" foreign key ("demand_id") references "demand" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "demand_progress" add constraint "demand_progress_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "demand_progress" add constraint "demand_progress_author_id_foreign" foreign key ("author_id") references "app_user" ("id") on update cascade on delete set null;`,
    );

    this.addSql(
      `alter table "demand_endorsement" add constraint "demand_endorsement_demand_id_foreign" foreign key ("demand_id") references "demand" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "demand_endorsement" add constraint "demand_endorsement_worker_id_foreign" foreign key ("worker_id") references "app_user" ("id") on update cascade on delete cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "demand" drop constraint "demand_duplicate_of_id_foreign";`);

    this.addSql(`alter table "demand_progress" drop constraint "demand_progress_demand_id_foreign";`);

    this.addSql(`alter table "demand_endorsement" drop constraint "demand_endorsement_demand_id_foreign";`);

    this.addSql(`drop table if exists "demand" cascade;`);

    this.addSql(`drop table if exists "demand_progress" cascade;`);

    this.addSql(`drop table if exists "demand_endorsement" cascade;`);
  }
}
