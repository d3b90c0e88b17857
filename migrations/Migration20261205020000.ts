import { Migration } from '@mikro-orm/migrations';

/**
 * The directory's text matches, read through their GIN indexes whatever the planner's statistics say
 * (docs/architecture.md, "Directory text search"): each function plans its one statement with
 * sequential scans off, and returns the matching rows' tuple ids, which the search statement reads
 * by a TID scan (same statement, same snapshot: each id is the row version that snapshot sees). A GIN index's cost comes from counters in its metapage that only VACUUM (or
 * an index build) brings up to date, so after a bulk load the planner priced the index far too high
 * and tested every row's text instead, ten times the work. The gram function has no LIKE: a query
 * of one or two Chinese characters is in the text exactly when it is one of its grams, and a LIKE
 * beside it would let the function's cached generic plan pick the trigram index, which has no
 * trigram to look up for it and so returns every row.
 *
 * The two text indexes also stop deferring inserts to a GIN pending list: every search reads that
 * whole list (up to 4 MB each) until VACUUM merges it, while organizations' texts are written rarely.
 */
export class Migration20261205020000 extends Migration {
  override async up(): Promise<void> {
    for (const index of ['organization_search_text_trgm', 'organization_search_grams_gin']) {
      this.addSql(`alter index "${index}" set (fastupdate = off);`);
      this.addSql(`select gin_clean_pending_list('"${index}"'::regclass);`);
    }
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

  override async down(): Promise<void> {
    for (const index of ['organization_search_text_trgm', 'organization_search_grams_gin'])
      this.addSql(`alter index "${index}" reset (fastupdate);`);
    this.addSql(`drop function if exists "directory_gram_matches"(text);`);
    this.addSql(`drop function if exists "directory_text_matches"(text);`);
  }
}
