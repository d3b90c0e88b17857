import { Migration } from '@mikro-orm/migrations';

/**
 * Notes on a demand's service get a kind (PROGRESS, FULFILMENT, RELEASE), so `Demand.progressNotes`
 * can tell a progress report from the note given with the fulfilment; release reasons are stored
 * from now on.
 *
 * Existing notes are PROGRESS, except those `fulfilDemand` wrote: its note is inserted by the same
 * request as its `demand.fulfil` audit entry, by the same user, an instant before it. A note whose
 * author has such an entry on the same demand within two seconds after it is taken to be the
 * fulfilment's (release reasons were never stored, so none are RELEASE).
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
             and "a"."created_at" < "p"."created_at" + interval '2 seconds');`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`delete from "demand_progress" where "kind" = 'RELEASE';`);
    this.addSql(`alter table "demand_progress" drop column "kind";`);
  }
}
