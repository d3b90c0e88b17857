import { Entity, Index, Property } from '@mikro-orm/core';
import { DirectoryColumns } from './directory-columns.js';

/**
 * The directory's gram search table: for each organization, the columns that the directory's
 * filters, orders and visibility rule read (`DirectoryColumns`, directory-columns.ts) and the grams of its
 * search text (`directory_text_grams`: every character, every two and three adjacent ones), stored
 * out of line. Written only by the trigger `organization_search_sync` on `organization`, in the same
 * statement as `organization_search`, so it is never stale; deleted with the organization. A query
 * of one to three characters is found here through the GIN index of the grams, exactly: the bitmap
 * scan reads these rows of about 300 bytes and neither the text nor the grams
 * (docs/architecture.md, "Directory text search").
 */
@Entity({ tableName: 'organization_search_gram' })
@Index({
  name: 'organization_search_gram_gin',
  expression:
    'create index "organization_search_gram_gin" on "organization_search_gram" using gin ("grams") with (fastupdate = off)',
})
export class OrganizationSearchGram extends DirectoryColumns {
  /** `directory_text_grams(search_text)`, out of line (the table's toast_tuple_target is 128). */
  @Property({ type: 'string[]' })
  grams!: string[];
}
