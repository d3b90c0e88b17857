import { Entity, Index, OneToOne, Property, type Ref } from '@mikro-orm/core';
import { Organization } from './organization.entity.js';
import type {
  EvaluationGrade,
  FoundingType,
  ProviderKind,
  VerificationStatus,
} from './organization.enums.js';

/**
 * The directory's text-search table: for each organization, a copy of the columns that the
 * directory's filters, orders and visibility rule read (same names as on `organization`, so their
 * SQL applies unchanged) and its search text, uncompressed. Written only by the trigger
 * `organization_search_sync` on `organization`, in the same statement as every insert or update of
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
export class OrganizationSearch {
  @OneToOne({
    entity: () => Organization,
    primary: true,
    ref: true,
    fieldName: 'id',
    deleteRule: 'cascade',
    updateRule: 'cascade',
  })
  organization!: Ref<Organization>;

  @Property({ type: 'text' })
  verificationStatus!: VerificationStatus;

  @Property({ type: 'string', length: 12 })
  homeRegionCode!: string;

  @Property({ type: 'bigint', nullable: true })
  sponsorId!: string | null;

  @Property({ type: 'bigint', nullable: true })
  hubId!: string | null;

  @Property({ type: 'boolean' })
  isHub!: boolean;

  @Property({ type: 'text' })
  providerKind!: ProviderKind;

  @Property({ type: 'text' })
  foundingType!: FoundingType;

  @Property({ type: 'text' })
  grade!: EvaluationGrade;

  @Property({ type: 'integer' })
  ratingScore!: number;

  @Property({ type: 'Date', columnType: 'timestamptz' })
  createdAt!: Date;

  @Property({ type: 'string', length: 200 })
  name!: string;

  /** `organization.search_text`, stored uncompressed (the table's toast_tuple_target keeps it inline). */
  @Property({ type: 'text' })
  searchText!: string;

  @Property({ type: 'string[]' })
  regionCodes!: string[];

  @Property({ type: 'string[]' })
  categoryCodes!: string[];

  @Property({ type: 'string[]' })
  targetGroups!: string[];
}
