import { Migration } from '@mikro-orm/migrations';

/**
 * One table of idempotency keys for every creating mutation (src/core/idempotency/), replacing
 * `demand_submission_key`. Its keys carry over as `submitDemand` keys with their old input hashes,
 * which the new canonical hash never equals: a retry of a submission made before the upgrade is
 * refused (CONFLICT) instead of creating the demand twice.
 */
export class Migration20261204050000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "idempotency_key" ("user_id" bigint not null, "key" varchar(100) not null, "operation" varchar(64) not null, "input_hash" varchar(64) not null, "entity_id" bigint not null, "created_at" timestamptz not null default now(), constraint "idempotency_key_pkey" primary key ("user_id", "key"));`,
    );
    this.addSql(
      `alter table "idempotency_key" add constraint "idempotency_key_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade on delete cascade;`,
    );
    // A key whose demand id is still null belongs to a submission that never committed: nothing to keep.
    this.addSql(
      `insert into "idempotency_key" ("user_id", "key", "operation", "input_hash", "entity_id", "created_at")
         select "user_id", "key", 'submitDemand', "input_hash", "demand_id", "created_at"
           from "demand_submission_key" where "demand_id" is not null;`,
    );
    this.addSql(`drop table if exists "demand_submission_key" cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(
      `create table "demand_submission_key" ("user_id" int8 not null, "key" varchar(100) not null, "input_hash" varchar(64) not null, "demand_id" int8 null, "created_at" timestamptz(6) not null default now(), constraint "demand_submission_key_pkey" primary key ("user_id", "key"));`,
    );
    this.addSql(
      `create index "demand_submission_key_demand_id_index" on "demand_submission_key" ("demand_id");`,
    );
    this.addSql(
      `alter table "demand_submission_key" add constraint "demand_submission_key_demand_id_foreign" foreign key ("demand_id") references "demand" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "demand_submission_key" add constraint "demand_submission_key_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `insert into "demand_submission_key" ("user_id", "key", "input_hash", "demand_id", "created_at")
         select "user_id", "key", "input_hash", "entity_id", "created_at"
           from "idempotency_key" where "operation" = 'submitDemand';`,
    );
    this.addSql(`drop table if exists "idempotency_key" cascade;`);
  }
}
