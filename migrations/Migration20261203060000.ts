import { Migration } from '@mikro-orm/migrations';

/**
 * Report rollups (docs/architecture.md, "Report rollups"): the OPEN demands per report cell
 * (region node × category node) and day, kept by a trigger on `demand` that inserts signed delta rows
 * in the transaction of every change that moves a demand in or out of a cell, folded into the rollup
 * every few seconds. The existing demands are counted here.
 */
export class Migration20261203060000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "demand_open_rollup" ("region_code" text not null, "category_code" text not null, "day" date not null, "demands" int not null, "people" bigint not null, constraint "demand_open_rollup_pkey" primary key ("region_code", "category_code", "day"));`,
    );
    this.addSql(
      `create table "demand_open_rollup_delta" ("id" bigserial primary key, "region_code" text not null, "category_code" text not null, "day" date not null, "demands" int not null, "people" bigint not null);`,
    );
    // One INSERT per change, no reads: a row per cell the demand leaves (−1) and enters (+1); a change
    // of people only (an endorsement) is one row per cell with the difference.
    this.addSql(`create function "demand_open_rollup_track"() returns trigger language plpgsql as $$
begin
  if tg_op = 'UPDATE' and old.status = 'OPEN' and new.status = 'OPEN'
     and old.region_path = new.region_path and old.category_path = new.category_path
     and old.created_at = new.created_at then
    insert into "demand_open_rollup_delta" ("region_code", "category_code", "day", "demands", "people")
    select r, c, (new.created_at at time zone 'UTC')::date, 0, new.people_affected - old.people_affected
      from unnest(new.region_path) r, unnest(new.category_path) c;
    return null;
  end if;
  if tg_op <> 'INSERT' and old.status = 'OPEN' then
    insert into "demand_open_rollup_delta" ("region_code", "category_code", "day", "demands", "people")
    select r, c, (old.created_at at time zone 'UTC')::date, -1, -old.people_affected
      from unnest(old.region_path) r, unnest(old.category_path) c;
  end if;
  if tg_op <> 'DELETE' and new.status = 'OPEN' then
    insert into "demand_open_rollup_delta" ("region_code", "category_code", "day", "demands", "people")
    select r, c, (new.created_at at time zone 'UTC')::date, 1, new.people_affected
      from unnest(new.region_path) r, unnest(new.category_path) c;
  end if;
  return null;
end $$;`);
    this.addSql(
      `create trigger "demand_open_rollup_insert" after insert on "demand" for each row when (new.status = 'OPEN') execute function "demand_open_rollup_track"();`,
    );
    this.addSql(
      `create trigger "demand_open_rollup_delete" after delete on "demand" for each row when (old.status = 'OPEN') execute function "demand_open_rollup_track"();`,
    );
    this.addSql(
      `create trigger "demand_open_rollup_update" after update of "status", "people_affected", "region_path", "category_path", "created_at" on "demand" for each row
         when ((old.status = 'OPEN' or new.status = 'OPEN')
           and (old.status is distinct from new.status or old.people_affected is distinct from new.people_affected
             or old.region_path is distinct from new.region_path or old.category_path is distinct from new.category_path
             or old.created_at is distinct from new.created_at))
         execute function "demand_open_rollup_track"();`,
    );
    this.addSql(`insert into "demand_open_rollup" ("region_code", "category_code", "day", "demands", "people")
      select r, c, (d.created_at at time zone 'UTC')::date, count(*), sum(d.people_affected)
        from "demand" d, unnest(d.region_path) r, unnest(d.category_path) c
       where d.status = 'OPEN' group by 1, 2, 3;`);
    // A report finds the middle demand of a cell's day by category, region and time.
    this.addSql(`drop index "demand_open_category_region_index";`);
    this.addSql(
      `create index "demand_open_category_region_index" on "demand" ("category_code", "region_code", "created_at") where "status" = 'OPEN';`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "demand_open_category_region_index";`);
    this.addSql(
      `create index "demand_open_category_region_index" on "demand" ("category_code", "region_code") where "status" = 'OPEN';`,
    );
    this.addSql(`drop trigger "demand_open_rollup_update" on "demand";`);
    this.addSql(`drop trigger "demand_open_rollup_delete" on "demand";`);
    this.addSql(`drop trigger "demand_open_rollup_insert" on "demand";`);
    this.addSql(`drop function "demand_open_rollup_track"();`);
    this.addSql(`drop table if exists "demand_open_rollup" cascade;`);
    this.addSql(`drop table if exists "demand_open_rollup_delta" cascade;`);
  }
}
