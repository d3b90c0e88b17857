import { Entity, Index, Property } from '@mikro-orm/core';
import { DirectoryColumns } from './directory-columns.js';

/**
 * The directory's text-search table: for each organization, a copy of the columns that the
 * directory's filters, orders and visibility rule read (`DirectoryColumns`, directory-columns.ts)
 * and its search text, uncompressed. Written only by the trigger `organization_search_sync` on `organization`, in the same statement as every insert or update of
 * those columns, so it is never stale; deleted with the organization. A text search finds, tests,
 * filters and orders its matches here — rows that keep the text inline for the trigram index's
 * recheck — and reads only the page's rows from `organization` (docs/architecture.md, "Directory
 * text search"). A query of up to three characters reads `organization_search_gram`
 * (organization-search-gram.entity.ts) instead.
 */
@Entity({ tableName: 'organization_search' })
@Index({
  name: 'organization_search_text_trgm',
  expression:
    'create index "organization_search_text_trgm" on "organization_search" using gin ("search_text" gin_trgm_ops) with (fastupdate = off)',
})
export class OrganizationSearch extends DirectoryColumns {
  /** `organization.search_text`, stored uncompressed (the table's toast_tuple_target keeps it inline). */
  @Property({ type: 'text' })
  searchText!: string;
}
