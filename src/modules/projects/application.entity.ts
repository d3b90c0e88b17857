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
  type Ref,
} from '@mikro-orm/core';
import { Field, Int, ObjectType } from 'type-graphql';
import { Node } from '../../core/relay/node.js';
import { User } from '../accounts/user.entity.js';
import { Organization } from '../organizations/organization.entity.js';
import { Project } from './project.entity.js';
import { ApplicationStatus } from './project.enums.js';

/** The score of an application on one award criterion, 0 to 100. */
@ObjectType({ description: "An application's score on one of the project's award criteria." })
export class CriterionScore {
  @Field(() => String, { description: 'The name of the criterion.' }) criterion!: string;
  @Field(() => Int, { description: '0 to 100.' }) score!: number;
  @Field(() => String, { nullable: true }) comment?: string | null;
}

/**
 * An organization's application (申报) to a project. At most one live application (SUBMITTED,
 * SHORTLISTED or AWARDED) per organization and project: a partial unique index, so two concurrent
 * submissions cannot both succeed.
 */
@Check({ name: 'project_application_requested_fen_positive', expression: 'requested_fen > 0' })
@Check({ name: 'project_application_awarded_fen_positive', expression: 'awarded_fen > 0' })
@Entity({ tableName: 'project_application' })
@Index({ properties: ['project', 'id'] })
@Index({ properties: ['organization', 'id'] })
@Index({
  name: 'project_application_live_unique',
  expression:
    `create unique index "project_application_live_unique" on "project_application" ("project_id", "organization_id") ` +
    `where "status" in ('SUBMITTED', 'SHORTLISTED', 'AWARDED')`,
})
@ObjectType({ implements: Node, description: "An organization's application (申报) to a project." })
export class ProjectApplication extends Node {
  [OptionalProps]?: 'createdAt' | 'updatedAt' | 'status';

  @PrimaryKey({ type: new BigIntType('number'), autoincrement: true })
  id!: number;

  @ManyToOne(() => Project, { ref: true, deleteRule: 'cascade' })
  project!: Ref<Project>;

  @ManyToOne(() => Organization, { ref: true, deleteRule: 'cascade' })
  organization!: Ref<Organization>;

  @Property({ type: 'text' })
  @Field(() => String, { description: 'What the organization proposes to do.' })
  proposal!: string;

  @Property({ type: new BigIntType('number') })
  requestedFen!: number;

  @Enum({ items: () => ApplicationStatus, type: 'string', default: ApplicationStatus.SUBMITTED })
  @Field(() => ApplicationStatus)
  status: ApplicationStatus = ApplicationStatus.SUBMITTED;

  /** Set when awarded. */
  @Property({ type: new BigIntType('number'), nullable: true })
  awardedFen?: number | null;

  /**
   * The `seq` of the APPLICATION_DECIDED outbox event that announced the decision (award or
   * rejection): how a pushed event, keyed by the organization, finds its application. Unique.
   */
  @Property({ type: new BigIntType('number'), nullable: true, unique: true })
  decidedSeq?: number | null;

  @ManyToOne(() => User, { ref: true, nullable: true, deleteRule: 'set null' })
  submittedBy?: Ref<User> | null;

  /** The publisher's scores, one per criterion (`scoreApplication`); null until scored. */
  @Property({ type: 'json', nullable: true })
  scores?: CriterionScore[] | null;

  /** Σ score × weight over the criteria: the weighted score in hundredths (0 to 10,000), exact. */
  @Property({ type: 'integer', nullable: true })
  weightedScoreCenti?: number | null;

  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true })
  scoredAt?: Date | null;

  @Property({ type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' })
  @Field(() => Date)
  createdAt: Date = new Date();

  @Property({ type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  @Field(() => Date)
  updatedAt: Date = new Date();

  override nodeKey(): number {
    return this.id;
  }
}
