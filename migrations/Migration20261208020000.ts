import { Migration } from '@mikro-orm/migrations';

/** The columns both search copies hold, under `organization`'s names (Migration20261207010000). */
const FILTERED = [
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
  'region_codes',
  'category_codes',
  'target_groups',
];
/** What `organization_search` copies: those and the search text. */
const COPIED = [...FILTERED.slice(0, 11), 'search_text', ...FILTERED.slice(11)];
const quoted = (columns: string[]) => columns.map((c) => `"${c}"`).join(', ');
const assigned = (columns: string[]) => columns.map((c) => `"${c}" = excluded."${c}"`).join(', ');
/** `|| ''`: a new, uncompressed text (Migration20261207010000). */
const copiedValue = (row: string, column: string) =>
  column === 'search_text' ? `${row}."search_text" || ''` : `${row}."${column}"`;
const values = (row: string, columns: string[]) => columns.map((c) => copiedValue(row, c)).join(', ');

const UPSERT_SEARCH = `insert into "organization_search" ("id", ${quoted(COPIED)})
  values (new."id", ${values('new', COPIED)})
  on conflict ("id") do update set ${assigned(COPIED)};`;

/** The trigger function as Migration20261207010000 made it. */
const SYNC_ONE = `create or replace function "organization_search_sync"() returns trigger language plpgsql as $$
begin
  ${UPSERT_SEARCH}
  return null;
end $$;`;

/**
 * Both copies. The grams are computed and written only when the text is new or changed, so an update
 * of another column (a rating, a verification) leaves the stored grams and their index entries alone.
 */
const SYNC_BOTH = `create or replace function "organization_search_sync"() returns trigger language plpgsql as $$
begin
  ${UPSERT_SEARCH}
  if tg_op = 'INSERT' or new."search_text" is distinct from old."search_text" then
    insert into "organization_search_gram" ("id", ${quoted(FILTERED)}, "grams")
    values (new."id", ${values('new', FILTERED)}, directory_text_grams(new."search_text"))
    on conflict ("id") do update set ${assigned(FILTERED)}, "grams" = excluded."grams";
  else
    update "organization_search_gram" set (${quoted(FILTERED)}) = (${values('new', FILTERED)})
    where "id" = new."id";
  end if;
  return null;
end $$;`;

/**
 * A second, narrow search copy for the gram path (docs/architecture.md, "Directory text search"):
 * `organization_search_gram` holds what the directory's filters, orders and visibility rule read,
 * and the text's grams (every character and every two and three adjacent ones) stored out of line,
 * with their GIN index. A query of up to three characters is answered by that index exactly, so its
 * bitmap scan reads neither the text nor the grams, only these rows of about 300 bytes: about half
 * the heap pages that `organization_search`'s rows (about 800 bytes, the text inline for the trigram
 * path's recheck) took per match. The gram index moves here from `organization_search`.
 *
 * The grams are out of line because the row's target size is the minimum (128 bytes) and every
 * other column is PLAIN: the toaster compresses and moves the grams, and nothing else.
 */
export class Migration20261208020000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "organization_search_gram" ("id" bigint not null, "verification_status" text not null, "home_region_code" varchar(12) not null, "sponsor_id" bigint null, "hub_id" bigint null, "is_hub" boolean not null, "provider_kind" text not null, "founding_type" text not null, "grade" text not null, "rating_score" int not null, "created_at" timestamptz not null, "name" varchar(200) not null, "region_codes" text[] not null, "category_codes" text[] not null, "target_groups" text[] not null, "grams" text[] not null, constraint "organization_search_gram_pkey" primary key ("id")) with (toast_tuple_target = 128);`,
    );
    this.addSql(
      `alter table "organization_search_gram" add constraint "organization_search_gram_id_foreign" foreign key ("id") references "organization" ("id") on update cascade on delete cascade;`,
    );
    const plain = [
      'verification_status',
      'home_region_code',
      'provider_kind',
      'founding_type',
      'grade',
      'name',
    ]
      .concat(['region_codes', 'category_codes', 'target_groups'])
      .map((c) => `alter column "${c}" set storage plain`)
      .join(', ');
    this.addSql(`alter table "organization_search_gram" ${plain};`);
    this.addSql(SYNC_BOTH);
    this.addSql(
      `insert into "organization_search_gram" ("id", ${quoted(FILTERED)}, "grams") select o."id", ${values('o', FILTERED)}, directory_text_grams(o."search_text") from "organization" o order by o."id";`,
    );
    this.addSql(`drop index "organization_search_grams_gin";`);
    this.addSql(
      `create index "organization_search_gram_gin" on "organization_search_gram" using gin ("grams") with (fastupdate = off);`,
    );
    // No statistics for the grams, as for the text (Migration20261207010000): a match is estimated
    // rare and the index taken, and no plan reads a histogram of whole gram arrays.
    this.addSql(`alter table "organization_search_gram" alter column "grams" set statistics 0;`);
    this.addSql(`analyze "organization_search_gram";`);
  }

  override async down(): Promise<void> {
    this.addSql(SYNC_ONE);
    this.addSql(`drop table if exists "organization_search_gram" cascade;`);
    this.addSql(
      `create index "organization_search_grams_gin" on "organization_search" using gin (directory_text_grams("search_text")) with (fastupdate = off);`,
    );
    this.addSql(`alter index "organization_search_grams_gin" alter column 1 set statistics 0;`);
  }
}
