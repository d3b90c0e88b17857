import { Migration } from '@mikro-orm/migrations';

/**
 * The columns `organization_search` copies from `organization`, under the same names: what the
 * directory's filters, orders and visibility rule read, and the search text. `rating_score` is
 * generated from `rating_sum` and `rating_count`, so an update of those two changes it.
 */
const COPIED = [
  'verification_status',
  'home_region_code',
  'sponsor_id',
  'hub_id',
  'is_hub',
  'provider_kind',
  'founding_type',
  'grade',
  'rating_score',
  'created_at',
  'name',
  'search_text',
  'region_codes',
  'category_codes',
  'target_groups',
];
const TRIGGERING = [...COPIED.filter((c) => c !== 'rating_score'), 'rating_sum', 'rating_count'];
const quoted = (columns: string[]) => columns.map((c) => `"${c}"`).join(', ');

/**
 * Each column's value for the copy. `|| ''` makes a new, uncompressed text: an organization row may
 * hold its search text pglz-compressed inline, and a compressed value is copied as it is, which would
 * have every search decompress it again.
 */
const copiedValue = (row: string, column: string) =>
  column === 'search_text' ? `${row}."search_text" || ''` : `${row}."${column}"`;

/**
 * Directory text search reads a narrow copy of each organization (docs/architecture.md, "Directory
 * text search"): `organization_search`, kept by a trigger in the same statement as every insert or
 * update of the copied columns, deleted with its organization. Its rows hold the search text
 * uncompressed (toast_tuple_target at its maximum: a row is compressed only past about 8 kB), so a
 * trigram recheck reads it in place; the organization rows were about 2 kB, many with the text
 * compressed, and the recheck decompressed it for every match.
 *
 * One- and two-character queries are found through a GIN index over `directory_text_grams`
 * (every character of the text and every two adjacent ones), computed by PostgreSQL from the text
 * itself: `organization.search_grams`, the Han grams the application computed and stored (about
 * 850 bytes a row), is dropped with its index. The functions that forced the GIN indexes of
 * `organization` against a stale planner estimate go too: on the narrow table the only other plan
 * is a sequential scan, which the planner takes only for a text most rows match.
 *
 * The indexes are built after the copy is filled, so their metapage counts are current.
 * The GIN indexes defer nothing to a pending list (fastupdate off): texts are written rarely, and a
 * search would read the whole list until VACUUM merged it.
 */
export class Migration20261207010000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`drop function if exists "directory_gram_matches"(text);`);
    this.addSql(`drop function if exists "directory_text_matches"(text);`);
    this.addSql(`drop index "organization_search_grams_gin";`);
    this.addSql(`drop index "organization_search_text_trgm";`);
    this.addSql(`alter table "organization" drop column "search_grams";`);

    // Immutable: its value depends on the text alone, so an index may hold it.
    this.addSql(`create function "directory_text_grams"("text" text) returns text[]
  language plpgsql immutable strict parallel safe as $$
declare
  characters text[] := regexp_split_to_array("text", '');
  grams text[] := characters;
begin
  for i in 1 .. cardinality(characters) - 1 loop
    grams := grams || (characters[i] || characters[i + 1]);
  end loop;
  return grams;
end $$;`);

    this.addSql(
      `create table "organization_search" ("id" bigint not null, "verification_status" text not null, "home_region_code" varchar(12) not null, "sponsor_id" bigint null, "hub_id" bigint null, "is_hub" boolean not null, "provider_kind" text not null, "founding_type" text not null, "grade" text not null, "rating_score" int not null, "created_at" timestamptz not null, "name" varchar(200) not null, "search_text" text not null, "region_codes" text[] not null, "category_codes" text[] not null, "target_groups" text[] not null, constraint "organization_search_pkey" primary key ("id")) with (toast_tuple_target = 8160);`,
    );
    this.addSql(
      `alter table "organization_search" add constraint "organization_search_id_foreign" foreign key ("id") references "organization" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(`create function "organization_search_sync"() returns trigger language plpgsql as $$
begin
  insert into "organization_search" ("id", ${quoted(COPIED)})
  values (new."id", ${COPIED.map((c) => copiedValue('new', c)).join(', ')})
  on conflict ("id") do update set ${COPIED.map((c) => `"${c}" = excluded."${c}"`).join(', ')};
  return null;
end $$;`);
    this.addSql(
      `create trigger "organization_search_sync" after insert or update of ${quoted(TRIGGERING)} on "organization" for each row execute function "organization_search_sync"();`,
    );

    this.addSql(
      `insert into "organization_search" ("id", ${quoted(COPIED)}) select o."id", ${COPIED.map((c) => copiedValue('o', c)).join(', ')} from "organization" o order by o."id";`,
    );
    this.addSql(
      `create index "organization_search_text_trgm" on "organization_search" using gin ("search_text" gin_trgm_ops) with (fastupdate = off);`,
    );
    this.addSql(
      `create index "organization_search_grams_gin" on "organization_search" using gin (directory_text_grams("search_text")) with (fastupdate = off);`,
    );
    // No statistics for the text or its grams: the planner would only use them to price a text match
    // (its histogram is about 100 whole search texts, read and decompressed at every plan: 0.2–0.4 ms
    // of each search's CPU), and without them it estimates a match as rare and takes the index,
    // which is the plan a search wants. ANALYZE then skips them too.
    this.addSql(`alter table "organization_search" alter column "search_text" set statistics 0;`);
    this.addSql(`alter index "organization_search_grams_gin" alter column 1 set statistics 0;`);
    this.addSql(`analyze "organization_search";`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger "organization_search_sync" on "organization";`);
    this.addSql(`drop function "organization_search_sync"();`);
    this.addSql(`drop table if exists "organization_search" cascade;`);
    this.addSql(`drop function "directory_text_grams"(text);`);
    // The grams stay empty until each organization's text is written again (the application that
    // computed them is gone with this migration's predecessor code).
    this.addSql(`alter table "organization" add column "search_grams" text[] not null default '{}';`);
    this.addSql(
      `create index "organization_search_grams_gin" on "organization" using gin ("search_grams") with (fastupdate = off);`,
    );
    this.addSql(
      `create index "organization_search_text_trgm" on "organization" using gin ("search_text" gin_trgm_ops) with (fastupdate = off);`,
    );
    this.addSql(
      `create function "directory_text_matches"("pattern" text) returns setof tid
         language sql stable strict parallel safe rows 100 set enable_seqscan = off
         as $$ select o.ctid from "organization" o where o."search_text" like "pattern" $$;`,
    );
    this.addSql(
      `create function "directory_gram_matches"("gram" text) returns setof tid
         language sql stable strict parallel safe rows 100 set enable_seqscan = off
         as $$ select o.ctid from "organization" o where o."search_grams" @> array["gram"] $$;`,
    );
  }
}
