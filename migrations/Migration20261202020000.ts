import { Migration } from '@mikro-orm/migrations';

/**
 * Notes on a demand's service get a kind (PROGRESS, FULFILMENT, RELEASE), so `Demand.progressNotes`
 * can tell a progress report from the note given with the fulfilment; release reasons are stored
 * from now on.
 *
 * Existing notes are PROGRESS, except those `fulfilDemand` wrote: its note is made by the same
 * request as its `demand.fulfil` audit entry, by the same user, an instant before it, while a
 * progress report is followed by its own `demand.progress` entry. So a note is the fulfilment's when
 * its author has a `demand.fulfil` entry on the demand within two seconds after it and no
 * `demand.progress` entry on the demand lies between the two (release reasons were never stored, so
 * none are RELEASE).
 */
export class Migration20261202020000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table "demand_progress" add column "kind" text check ("kind" in ('PROGRESS', 'FULFILMENT', 'RELEASE')) not null default 'PROGRESS';`,
    );
    this.addSql(
      `update "demand_progress" as "p" set "kind" = 'FULFILMENT'
        where exists (
          select 1 from "audit_entry" as "a"
           where "a"."action" = 'demand.fulfil'
             and "a"."subject_type" = 'Demand'
             and "a"."subject_id" = rtrim(translate(encode(convert_to('Demand:' || "p"."demand_id", 'UTF8'), 'base64'), '+/', '-_'), '=')
             and "a"."actor_id" = "p"."author_id"
             and "a"."created_at" >= "p"."created_at"
             and "a"."created_at" < "p"."created_at" + interval '2 seconds'
             and not exists (
               select 1 from "audit_entry" as "b"
                where "b"."action" = 'demand.progress'
                  and "b"."subject_id" = "a"."subject_id"
                  and "b"."created_at" >= "p"."created_at"
                  and "b"."created_at" <= "a"."created_at"));`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`delete from "demand_progress" where "kind" = 'RELEASE';`);
    this.addSql(`alter table "demand_progress" drop column "kind";`);
  }
}
