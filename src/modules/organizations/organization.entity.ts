import {
  BigIntType,
  Check,
  Collection,
  Entity,
  Enum,
  Index,
  ManyToOne,
  OneToMany,
  OptionalProps,
  PrimaryKey,
  Property,
  type Ref,
} from '@mikro-orm/core';
import { Field, Float, Int, ObjectType } from 'type-graphql';
import { Node } from '../../core/relay/node.js';
import { declareFieldReads } from '../../core/graphql/field-reads.js';
import { TargetGroup } from '../categories/target-group.js';
import { Region } from '../regions/region.entity.js';
import { User } from '../accounts/user.entity.js';
import {
  EvaluationGrade,
  FoundingType,
  OrganizationKind,
  ProviderKind,
  VerificationStatus,
} from './organization.enums.js';
import { ServiceOffering } from './service.entity.js';
import { OrganizationMember } from './membership.entity.js';
import type { CreditCodeFindings } from './credit-code.js';

/**
 * A social organization (社会组织). What it can serve is kept as code arrays — categories, regions
 * served, target groups — so "can this organization serve that demand" is an indexed array overlap
 * with the demand's ancestor paths: a category covers its subtree, a city serves its districts.
 */
@Entity({ tableName: 'organization' })
// A community group has no credit code and a sponsor; every other kind a code and no sponsor.
@Check({
  name: 'organization_kind_code_sponsor_check',
  expression:
    `("provider_kind" = 'COMMUNITY_GROUP') = ("credit_code" is null) and ` +
    `("provider_kind" = 'COMMUNITY_GROUP') = ("sponsor_id" is not null)`,
})
@Index({ properties: ['categoryCodes'], type: 'gin' })
@Index({ properties: ['regionCodes'], type: 'gin' })
@Index({ properties: ['targetGroups'], type: 'gin' })
@Index({ properties: ['verificationStatus', 'name', 'id'] })
@ObjectType({
  implements: Node,
  description:
    'An organization in the directory: a provider of any kind (`providerKind`), most of them social organizations (社会组织). Everyone (anonymous included) sees VERIFIED ones; a PENDING ' +
    'or SUSPENDED one only its own members, union staff whose region scope covers its home region, and admins — ' +
    'to anyone else it is exactly an unknown id, as an argument too. Its public fields are the same for all who ' +
    'see it; `members` and retired `services` say who else sees them.',
})
export class Organization extends Node {
  [OptionalProps]?:
    | 'createdAt'
    | 'updatedAt'
    | 'verificationStatus'
    | 'isHub'
    | 'grade'
    | 'ratingSum'
    | 'ratingCount'
    | 'searchText'
    | 'ratingScore'
    | 'rightsVersion'
    | 'openDataId'
    | 'providerKind';

  @PrimaryKey({ type: new BigIntType('number'), autoincrement: true })
  id!: number;

  /** Its id in the open data (HSDS): given by the database on insert, never changed (opendata/open-ids.ts). */
  @Property({ type: 'uuid', defaultRaw: 'gen_random_uuid()', unique: true })
  openDataId!: string;

  @Property({ type: 'string', length: 200 })
  @Field(() => String)
  name!: string;

  /** 统一社会信用代码, normalised (upper case); unique; null for a community group, which has none. */
  @Property({ type: 'string', length: 18, unique: true, nullable: true })
  @Field(() => String, {
    nullable: true,
    description: 'Unified social credit code (统一社会信用代码); null for a COMMUNITY_GROUP, which has none.',
  })
  creditCode!: string | null;

  /** The social organization's legal form; null for the other provider kinds. */
  @Enum({ items: () => OrganizationKind, type: 'string', nullable: true })
  @Field(() => OrganizationKind, {
    nullable: true,
    description:
      "A social organization's legal form (the code's second character); null for other provider kinds.",
  })
  kind!: OrganizationKind | null;

  @Enum({ items: () => ProviderKind, type: 'string', default: ProviderKind.SOCIAL_ORGANIZATION })
  @Index()
  @Field(() => ProviderKind, {
    description: 'What kind of provider it is, each with its own verification rule.',
  })
  providerKind: ProviderKind = ProviderKind.SOCIAL_ORGANIZATION;

  /**
   * The verified hub that sponsors a community group (备案) and whose admins verify it; null for
   * every other kind. Read through `Organization.sponsor`, which checks who may see it.
   */
  @ManyToOne(() => Organization, { ref: true, nullable: true, deleteRule: 'restrict' })
  @Index()
  sponsor?: Ref<Organization> | null;

  @Enum({ items: () => FoundingType, type: 'string' })
  @Field(() => FoundingType, {
    description: 'How it was founded: union-founded, union-incubated or independent.',
  })
  foundingType!: FoundingType;

  @ManyToOne(() => Region, { ref: true, deleteRule: 'restrict' })
  @Index()
  homeRegion!: Ref<Region>;

  /** Region codes it serves; each covers its whole subtree. */
  @Property({ type: 'string[]' })
  regionCodes!: string[];

  /** Service category codes it offers; each covers its whole subtree. */
  @Property({ type: 'string[]' })
  categoryCodes!: string[];

  @Property({ type: 'string[]' })
  @Field(() => [TargetGroup])
  targetGroups!: TargetGroup[];

  @Property({ type: 'text', default: '' })
  @Field(() => String)
  description: string = '';

  @Property({ type: 'string', length: 200, nullable: true })
  @Field(() => String, {
    nullable: true,
    description: 'Public contact (phone or email the organization publishes).',
  })
  publicContact?: string | null;

  @Property({ type: 'string', length: 300, nullable: true })
  @Field(() => String, { nullable: true })
  website?: string | null;

  /** 一组织一品牌: the featured programme. */
  @Property({ type: 'string', length: 200, nullable: true })
  brandName?: string | null;

  @Property({ type: 'text', nullable: true })
  brandDescription?: string | null;

  @Property({ type: 'date', nullable: true })
  brandSince?: string | null;

  @Enum({ items: () => EvaluationGrade, type: 'string', default: EvaluationGrade.NONE })
  @Field(() => EvaluationGrade)
  grade: EvaluationGrade = EvaluationGrade.NONE;

  @Property({ type: 'date', nullable: true })
  gradeValidUntil?: string | null;

  @Enum({ items: () => VerificationStatus, type: 'string', default: VerificationStatus.PENDING })
  @Field(() => VerificationStatus)
  verificationStatus: VerificationStatus = VerificationStatus.PENDING;

  /** Why it was verified or suspended, as the deciding staff wrote it. */
  @Property({ type: 'text', nullable: true })
  verificationReason?: string | null;

  @ManyToOne(() => User, { ref: true, nullable: true, deleteRule: 'set null' })
  verificationDecidedBy?: Ref<User> | null;

  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true })
  verificationDecidedAt?: Date | null;

  /**
   * What its credit code said about itself (credit-code.ts `creditCodeFindings`) when it registered or
   * last changed its profile; null for organizations registered before the hub stored it.
   */
  @Property({ type: 'json', nullable: true })
  creditCodeCheck?: CreditCodeFindings | null;

  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true })
  creditCodeCheckedAt?: Date | null;

  /** 枢纽型社会组织: a hub may have member organizations. */
  @Property({ type: 'boolean', default: false })
  @Field(() => Boolean, { description: 'Whether this is a hub organization (枢纽型社会组织).' })
  isHub: boolean = false;

  /** The hub this organization is an accepted member of. */
  @ManyToOne(() => Organization, { ref: true, nullable: true, deleteRule: 'set null' })
  @Index()
  hub?: Ref<Organization> | null;

  /**
   * Bumped in the same transaction as every change to what its members may do through it
   * (verification, suspension, hub status), with a `rights.organization` outbox event: open
   * subscriptions of its members re-check their rights on it (docs/SECURITY.md, "Live rights").
   */
  @Property({ type: 'integer', default: 0 })
  rightsVersion: number = 0;

  /** Ratings by workers after fulfilled demands: sum and count, so the average is exact. */
  @Property({ type: 'integer', default: 0 })
  ratingSum: number = 0;

  @Property({ type: 'integer', default: 0 })
  @Field(() => Int, { description: 'How many ratings workers gave after service.' })
  ratingCount: number = 0;

  /**
   * Average rating × 100 (0 before any rating), kept by PostgreSQL from sum and count so that
   * "order by rating" is an exact, non-null integer key for keyset pagination.
   */
  @Property({
    type: 'integer',
    generated: '(case when rating_count = 0 then 0 else (rating_sum * 100) / rating_count end) stored',
  })
  ratingScore!: number;

  /**
   * Name, description, brand and service texts in one column, kept by the service layer
   * (`setSearchText`); the trigger `organization_search_sync` copies it into
   * `organization_search` (organization-search.entity.ts) and its grams into
   * `organization_search_gram` (organization-search-gram.entity.ts), where directory search reads them.
   */
  @Property({ type: 'text', default: '', lazy: true })
  searchText: string = '';

  @OneToMany(() => ServiceOffering, (s) => s.organization, { orderBy: { id: 'asc' } })
  services = new Collection<ServiceOffering>(this);

  /** Its members (users); read through the organization resolver, which checks who may see them. */
  @OneToMany(() => OrganizationMember, (m) => m.organization, { orderBy: { id: 'asc' } })
  members = new Collection<OrganizationMember>(this);

  /** Accepted member organizations when this is a hub. */
  @OneToMany(() => Organization, (o) => o.hub, { orderBy: { name: 'asc', id: 'asc' } })
  memberOrganizations = new Collection<Organization>(this);

  @Property({ type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' })
  @Field(() => Date)
  createdAt: Date = new Date();

  @Property({ type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  @Field(() => Date)
  updatedAt: Date = new Date();

  override nodeKey(): number {
    return this.id;
  }

  /** Average rating 1–5, or null before the first rating. */
  @Field(() => Float, { nullable: true, description: 'Average worker rating (1–5); null before any rating.' })
  rating(): number | null {
    return this.ratingCount === 0 ? null : Math.round((this.ratingSum / this.ratingCount) * 100) / 100;
  }
}

// What the `rating` field reads, for the read paths that load selected columns only.
declareFieldReads(Organization, 'rating', ['ratingSum', 'ratingCount']);
