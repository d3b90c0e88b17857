import {
  Check,
  BigIntType,
  Entity,
  Enum,
  Index,
  ManyToOne,
  OptionalProps,
  PrimaryKey,
  Property,
  Unique,
  type Ref,
} from '@mikro-orm/core';
import { Field, Int, ObjectType } from 'type-graphql';
import { Node } from '../../core/relay/node.js';
import { ConflictError } from '../../core/errors.js';
import { User } from '../accounts/user.entity.js';
import { ServiceCategory } from '../categories/service-category.entity.js';
import { TargetGroup } from '../categories/target-group.js';
import { Region } from '../regions/region.entity.js';
import { Organization } from '../organizations/organization.entity.js';
import { DemandProgressKind, DemandSource, DemandStatus, DemandUrgency } from './demand.enums.js';
import { canTransition } from './demand-lifecycle.js';

/**
 * A worker's need (职工需求). Category and region paths are copied onto the row (codes root → self) so
 * "in this subtree" and "this organization can serve it" are indexed array tests on one table, with
 * no join to the taxonomies. `contact` is personal data: never a plain field (see the resolver).
 */
@Check({ name: 'demand_people_affected_check', expression: 'people_affected >= 1' })
@Check({ name: 'demand_rating_check', expression: '(rating >= 1) AND (rating <= 5)' })
@Entity({ tableName: 'demand' })
@Index({
  name: 'demand_status_created_at_id_index',
  expression:
    'create index "demand_status_created_at_id_index" on "demand" ("status", "created_at" desc, "id" desc)',
})
@Index({
  name: 'demand_created_at_id_index',
  expression: 'create index "demand_created_at_id_index" on "demand" ("created_at" desc, "id" desc)',
})
@Index({ properties: ['categoryPath'], type: 'gin' })
@Index({ properties: ['regionPath'], type: 'gin' })
@Index({ properties: ['targetGroups'], type: 'gin' })
@Index({ properties: ['submittedBy', 'createdAt'] })
@Index({ properties: ['claimedBy', 'status'] })
@Index({
  name: 'demand_title_trgm',
  expression: 'create index "demand_title_trgm" on "demand" using gin ("title" gin_trgm_ops)',
})
// The sweep's two scans touch only the rows they may change.
@Index({
  name: 'demand_open_expires_at_index',
  expression:
    'create index "demand_open_expires_at_index" on "demand" ("expires_at") where "status" = \'OPEN\'',
})
// The open demands a worker is shown as "looks the same" when submitting one (same category and
// region); created_at lets a report find the middle demand of a cell's day (docs/architecture.md,
// "Report rollups") from the same index.
@Index({
  name: 'demand_open_category_region_index',
  expression:
    'create index "demand_open_category_region_index" on "demand" ("category_code", "region_code", "created_at") where "status" = \'OPEN\'',
})
// The feed's subtree filters over OPEN demands only (docs/architecture.md, "Read path"): the
// full-history path indexes above grow with every demand ever submitted, this one with the OPEN ones.
@Index({
  name: 'demand_open_paths_gin',
  expression:
    'create index "demand_open_paths_gin" on "demand" using gin ("category_path", "region_path") where "status" = \'OPEN\'',
})
@Index({
  name: 'demand_claimed_last_progress_index',
  expression:
    'create index "demand_claimed_last_progress_index" on "demand" ("last_progress_at") where "status" in (\'CLAIMED\', \'IN_SERVICE\')',
})
@ObjectType({
  implements: Node,
  description:
    'A worker demand (职工需求): what workers ask organizations for. Seen (by `demand`, `node`, `demands`) by its ' +
    'submitter; by workers and members of verified organizations while OPEN; by members of the organization ' +
    'claiming it; by workers who endorsed it, whatever its status (as `demandUpdated` follows them); by union staff ' +
    'whose region scope covers it; and by admins. Never anonymously. `contact` and an anonymous `submittedBy` say ' +
    'who else sees them.',
})
export class Demand extends Node {
  [OptionalProps]?:
    'createdAt' | 'updatedAt' | 'status' | 'endorsementCount' | 'anonymous' | 'contactConsent' | 'urgency';

  @PrimaryKey({ type: new BigIntType('number'), autoincrement: true })
  id!: number;

  @Property({ type: 'string', length: 200 })
  @Field(() => String)
  title!: string;

  @Property({ type: 'text' })
  @Field(() => String)
  description!: string;

  @ManyToOne(() => ServiceCategory, { ref: true, deleteRule: 'restrict' })
  category!: Ref<ServiceCategory>;

  /** The category's path (codes top → self), copied at submission. */
  @Property({ type: 'string[]' })
  categoryPath!: string[];

  @ManyToOne(() => Region, { ref: true, deleteRule: 'restrict' })
  region!: Ref<Region>;

  /** The region's path (province → city → district), copied at submission. */
  @Property({ type: 'string[]' })
  regionPath!: string[];

  @Property({ type: 'string[]' })
  @Field(() => [TargetGroup], { description: 'Groups of workers concerned; empty means all workers.' })
  targetGroups!: TargetGroup[];

  @Enum({ items: () => DemandUrgency, type: 'string', default: DemandUrgency.NORMAL })
  @Field(() => DemandUrgency)
  urgency: DemandUrgency = DemandUrgency.NORMAL;

  @Property({ type: 'integer' })
  @Field(() => Int, { description: 'Workers concerned: the submitter’s estimate plus one per endorsement.' })
  peopleAffected!: number;

  @Property({ type: 'integer', default: 0 })
  @Field(() => Int, { description: 'How many other workers said "me too".' })
  endorsementCount: number = 0;

  @Enum({ items: () => DemandSource, type: 'string' })
  @Field(() => DemandSource)
  source!: DemandSource;

  @ManyToOne(() => User, { ref: true, deleteRule: 'restrict' })
  submittedBy!: Ref<User>;

  /** Hide the submitter from everyone but union staff in scope. */
  @Property({ type: 'boolean', default: false })
  @Field(() => Boolean, {
    description: 'Whether the submitter is hidden from organizations and other workers.',
  })
  anonymous: boolean = false;

  /** Private contact; shown only to the claiming organization, and only with consent. */
  @Property({ type: 'string', length: 200, nullable: true })
  contact?: string | null;

  @Property({ type: 'boolean', default: false })
  @Field(() => Boolean, { description: 'Whether the worker lets the claiming organization see the contact.' })
  contactConsent: boolean = false;

  @Enum({ items: () => DemandStatus, type: 'string', default: DemandStatus.OPEN })
  @Field(() => DemandStatus)
  status: DemandStatus = DemandStatus.OPEN;

  @ManyToOne(() => Demand, { ref: true, nullable: true, deleteRule: 'set null', index: true })
  duplicateOf?: Ref<Demand> | null;

  @ManyToOne(() => Organization, { ref: true, nullable: true, deleteRule: 'set null' })
  claimedBy?: Ref<Organization> | null;

  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true })
  @Field(() => Date, { nullable: true })
  claimedAt?: Date | null;

  /** Last claim or progress report; a claim lapses when this is too old. */
  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true })
  @Field(() => Date, { nullable: true })
  lastProgressAt?: Date | null;

  /**
   * The `lastProgressAt` of the claim period whose coming lapse the sweep last warned of: a period is
   * warned of once, and new progress starts a new one.
   */
  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true })
  lapseWarnedProgressAt?: Date | null;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Why union moderation closed it.' })
  closeReason?: string | null;

  @Property({ type: 'smallint', nullable: true })
  @Field(() => Int, { nullable: true, description: 'The submitter’s rating of the service, 1–5.' })
  rating?: number | null;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  ratingComment?: string | null;

  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true })
  @Field(() => Date, { nullable: true })
  ratedAt?: Date | null;

  /** An OPEN demand not claimed by then becomes EXPIRED. */
  @Property({ type: 'Date', columnType: 'timestamptz' })
  @Field(() => Date)
  expiresAt!: Date;

  @Property({ type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' })
  @Field(() => Date)
  createdAt: Date = new Date();

  @Property({ type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  @Field(() => Date)
  updatedAt: Date = new Date();

  override nodeKey(): number {
    return this.id;
  }

  /**
   * Moves to `next` if the transition table allows it; otherwise CONFLICT naming the current status
   * (in the message and `extensions.currentStatus`), so a client can refresh and explain.
   */
  transitionTo(next: DemandStatus): void {
    if (!canTransition(this.status, next)) throw illegalTransition(this.status, next);
    this.status = next;
  }
}

/** The CONFLICT for a move the state machine does not allow from `current`. */
export function illegalTransition(current: DemandStatus, attempted: DemandStatus | string): ConflictError {
  return new ConflictError(`The demand is ${current}; it cannot become ${attempted} from there.`, {
    currentStatus: current,
  });
}

/** One worker's "me too" on a demand; unique per (demand, worker). */
@Entity({ tableName: 'demand_endorsement' })
@Unique({ properties: ['demand', 'worker'] })
export class DemandEndorsement {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: new BigIntType('number'), autoincrement: true })
  id!: number;

  @ManyToOne(() => Demand, { ref: true, deleteRule: 'cascade' })
  demand!: Ref<Demand>;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade', index: true })
  worker!: Ref<User>;

  @Property({ type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}

/**
 * A note by the organization serving a demand: a progress report, its fulfilment note or the reason
 * it gave the demand back. Who reads them: `Demand.progressNotes` (demand.policy.ts, `seesNote`).
 */
@Entity({ tableName: 'demand_progress' })
@Index({ properties: ['demand', 'createdAt'] })
@ObjectType('DemandProgressNote', {
  description:
    'A note by an organization serving a demand: a progress report, the note given with its fulfilment, or the reason it released the demand.',
})
export class DemandProgress {
  [OptionalProps]?: 'createdAt' | 'kind';

  @PrimaryKey({ type: new BigIntType('number'), autoincrement: true })
  id!: number;

  @ManyToOne(() => Demand, { ref: true, deleteRule: 'cascade' })
  demand!: Ref<Demand>;

  @ManyToOne(() => Organization, { ref: true, deleteRule: 'cascade', index: true })
  organization!: Ref<Organization>;

  @ManyToOne(() => User, { ref: true, nullable: true, deleteRule: 'set null' })
  author?: Ref<User> | null;

  @Property({ type: 'text' })
  @Field(() => String)
  note!: string;

  @Enum({ items: () => DemandProgressKind, type: 'string', default: DemandProgressKind.PROGRESS })
  @Field(() => DemandProgressKind)
  kind: DemandProgressKind = DemandProgressKind.PROGRESS;

  @Property({ type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' })
  @Field(() => Date)
  createdAt: Date = new Date();
}
