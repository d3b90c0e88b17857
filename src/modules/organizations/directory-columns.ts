import { OneToOne, Property, type Ref } from '@mikro-orm/core';
import { Organization } from './organization.entity.js';
import type {
  EvaluationGrade,
  FoundingType,
  ProviderKind,
  VerificationStatus,
} from './organization.enums.js';

/**
 * The columns of `organization` that the directory's filters, orders and visibility rule read, as
 * the two text-search tables copy them (organization-search.entity.ts,
 * organization-search-gram.entity.ts): same names as on `organization`, so the directory's SQL
 * applies to either table unchanged. Declared once here, so the two copies cannot drift apart; the
 * trigger `organization_search_sync` fills both from the same row (docs/architecture.md, "Directory
 * text search").
 */
export abstract class DirectoryColumns {
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

  @Property({ type: 'string[]' })
  regionCodes!: string[];

  @Property({ type: 'string[]' })
  categoryCodes!: string[];

  @Property({ type: 'string[]' })
  targetGroups!: string[];
}
