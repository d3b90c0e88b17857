import { Migration } from '@mikro-orm/migrations';

/** How many organizations the back-fill of their search grams updates per statement. */
const BACKFILL_BATCH = 1000;

/** One Chinese character (Han script); a character of any other script never made a gram. */
const HAN = /^\p{Script=Han}$/u;

/**
 * The Chinese unigrams and bigrams of a search text, sorted, as the application computed them when
 * this migration was written (a later migration replaced the column with an index over every
 * character and pair): kept here so the migration still does what it did.
 */
function searchGrams(searchText: string): string[] {
  const grams = new Set<string>();
  const characters = [...searchText];
  characters.forEach((character, i) => {
    if (!HAN.test(character)) return;
    grams.add(character);
    const next = characters[i + 1];
    if (next !== undefined && HAN.test(next)) grams.add(character + next);
  });
  return [...grams].sort();
}

export class Migration20261202021000 extends Migration {
  override async up(): Promise<void> {
    await this.execute(`alter table "organization" add column "search_grams" text[] not null default '{}';`);
    // The grams are computed by the application (the same function that keeps them current), so the
    // back-fill reads every search text and writes its grams back, a batch at a time.
    for (let after = 0; ;) {
      const rows = await this.execute(
        `select "id", "search_text" from "organization" where "id" > ? order by "id" limit ${BACKFILL_BATCH}`,
        [after],
      );
      if (rows.length === 0) break;
      const batch = rows.map((row) => ({
        id: Number(row.id),
        grams: searchGrams(String(row.search_text ?? '')),
      }));
      // One JSON parameter: the query builder would spread an array parameter into a list.
      await this.execute(
        `update "organization" o set "search_grams" = array(select jsonb_array_elements_text(g.value -> 'grams'))
           from jsonb_array_elements(?::jsonb) g where o.id = (g.value ->> 'id')::bigint`,
        [JSON.stringify(batch)],
      );
      after = batch.at(-1)!.id;
    }
    await this.execute(
      `create index "organization_search_grams_gin" on "organization" using gin ("search_grams");`,
    );
    await this.execute(
      `create index "demand_open_category_region_index" on "demand" ("category_code", "region_code") where "status" = 'OPEN';`,
    );

    await this.execute(
      `create table "demand_submission_key" ("user_id" bigint not null, "key" varchar(100) not null, "input_hash" varchar(64) not null, "demand_id" bigint null, "created_at" timestamptz not null default now(), constraint "demand_submission_key_pkey" primary key ("user_id", "key"));`,
    );
    await this.execute(
      `create index "demand_submission_key_demand_id_index" on "demand_submission_key" ("demand_id");`,
    );
    await this.execute(
      `alter table "demand_submission_key" add constraint "demand_submission_key_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade on delete cascade;`,
    );
    await this.execute(
      `alter table "demand_submission_key" add constraint "demand_submission_key_demand_id_foreign" foreign key ("demand_id") references "demand" ("id") on update cascade on delete cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "demand_submission_key" cascade;`);
    this.addSql(`drop index "demand_open_category_region_index";`);
    this.addSql(`drop index "organization_search_grams_gin";`);
    this.addSql(`alter table "organization" drop column "search_grams";`);
  }
}
