import { Migration } from '@mikro-orm/migrations';

/**
 * `directory_text_grams` returning every run of one to `longest` adjacent characters of the text:
 * 2 is the function as Migration20261207010000 made it, 3 the one this migration makes.
 */
const gramsFunction = (
  longest: 2 | 3,
) => `create or replace function "directory_text_grams"("text" text) returns text[]
  language plpgsql immutable strict parallel safe as $$
declare
  characters text[] := regexp_split_to_array("text", '');
  grams text[] := characters;
begin
  for i in 1 .. cardinality(characters) - 1 loop
    grams := grams || (characters[i] || characters[i + 1]);
  end loop;${
    longest === 3
      ? `
  for i in 1 .. cardinality(characters) - 2 loop
    grams := grams || (characters[i] || characters[i + 1] || characters[i + 2]);
  end loop;`
      : ''
  }
  return grams;
end $$;`;

/** Rebuilds the gram index from the function now defined (an index keeps the values it computed). */
const REBUILD = [
  `drop index "organization_search_grams_gin";`,
  `create index "organization_search_grams_gin" on "organization_search" using gin (directory_text_grams("search_text")) with (fastupdate = off);`,
  `alter index "organization_search_grams_gin" alter column 1 set statistics 0;`,
];

/**
 * The gram index holds every three adjacent characters of the search text as well, so a query of
 * three characters (济南市, 养老院, "law") is answered by it exactly, as one or two characters were
 * (docs/architecture.md, "Directory text search"): the bitmap scan reads no search text, where the
 * trigram index's candidates each had their text rechecked with LIKE. Four characters or more still
 * go through the trigram index.
 */
export class Migration20261208010000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(gramsFunction(3));
    for (const sql of REBUILD) this.addSql(sql);
  }

  override async down(): Promise<void> {
    this.addSql(gramsFunction(2));
    for (const sql of REBUILD) this.addSql(sql);
  }
}
