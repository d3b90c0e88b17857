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
import { GraphQLJSONObject } from 'graphql-scalars';
import { Node } from '../../core/relay/node.js';
import { User } from '../accounts/user.entity.js';
import { TargetGroup } from '../categories/target-group.js';
import { ServiceCategory } from '../categories/service-category.entity.js';
import { Organization } from '../organizations/organization.entity.js';
import { EvaluationGrade, FoundingType, ProviderKind } from '../organizations/organization.enums.js';
import { Publisher } from './publisher.entity.js';
import { ProcurementMethod, ProjectStatus } from './project.enums.js';
import { canTransition } from './project-lifecycle.js';

/** A tender document: a title and a link (OCDS `documents`). */
@ObjectType({ description: 'A document of a project: its title and where to read it.' })
export class ProjectDocument {
  @Field(() => String) title!: string;
  @Field(() => String, { description: 'An http(s) URL.' }) url!: string;
}

/**
 * One award criterion (评分标准) declared at publication: the score of each application on it counts
 * `weight` percent of the weighted total (docs/domain.md, "Award criteria").
 */
@ObjectType({ description: 'An award criterion and its weight, declared with the tender (public).' })
export class AwardCriterion {
  @Field(() => String, { description: 'Unique within the project, e.g. 服务方案.' }) name!: string;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => Int, { description: 'Percent of the weighted score; the weights sum to 100.' })
  weight!: number;
}

/** What a plan announced (采购意向), kept when it is later published as a tender. */
export interface ProjectPlanRecord {
  budgetFen: number;
  applicationOpensAt: string;
  applicationClosesAt: string;
  announcedAt: string;
}

/**
 * A purchase-of-service project (购买服务项目). Category and region ancestry are copied into code
 * arrays (`categoryPath`, `regionPaths`) so "in this subtree" filters are indexed array containment
 * tests, as for organizations and demands. Money is integer fen.
 */
@Check({ name: 'project_budget_fen_positive', expression: 'budget_fen > 0' })
@Check({ name: 'project_period_order', expression: 'application_closes_at > application_opens_at' })
@Check({
  name: 'project_evaluation_score_range',
  expression: '(evaluation_score >= 1) AND (evaluation_score <= 5)',
})
@Entity({ tableName: 'project' })
@Index({ properties: ['categoryPath'], type: 'gin' })
@Index({ properties: ['regionPaths'], type: 'gin' })
// The sweep that moves PUBLISHED projects whose period closed to EVALUATING reads exactly this.
@Index({ properties: ['status', 'applicationClosesAt'] })
@Index({ properties: ['publisher', 'id'] })
@ObjectType({ implements: Node, description: 'A purchase-of-service project (购买服务项目).' })
export class Project extends Node {
  [OptionalProps]?:
    | 'createdAt'
    | 'updatedAt'
    | 'status'
    | 'verifiedOnly'
    | 'minGrade'
    | 'allowedFoundingTypes'
    | 'allowedProviderKinds'
    | 'mustServeRegions'
    | 'documents'
    | 'description'
    | 'criteria';

  @PrimaryKey({ type: new BigIntType('number'), autoincrement: true })
  id!: number;

  @ManyToOne(() => Publisher, { ref: true, deleteRule: 'restrict' })
  publisher!: Ref<Publisher>;

  @Property({ type: 'string', length: 200 })
  @Field(() => String)
  title!: string;

  @Property({ type: 'text', default: '' })
  @Field(() => String)
  description: string = '';

  @ManyToOne(() => ServiceCategory, { ref: true, deleteRule: 'restrict' })
  category!: Ref<ServiceCategory>;

  /** The category's codes from the top level down to itself. */
  @Property({ type: 'string[]' })
  categoryPath!: string[];

  /** The regions the service is for (GB/T 2260 codes). */
  @Property({ type: 'string[]' })
  regionCodes!: string[];

  /** Every region code on the paths of `regionCodes` (their ancestors and themselves). */
  @Property({ type: 'string[]' })
  regionPaths!: string[];

  @Property({ type: 'string[]' })
  @Field(() => [TargetGroup])
  targetGroups!: TargetGroup[];

  @Property({ type: new BigIntType('number') })
  budgetFen!: number;

  @Enum({ items: () => ProcurementMethod, type: 'string' })
  @Field(() => ProcurementMethod)
  procurementMethod!: ProcurementMethod;

  @Property({ type: 'boolean', default: true })
  verifiedOnly: boolean = true;

  @Enum({ items: () => EvaluationGrade, type: 'string', default: EvaluationGrade.NONE })
  minGrade: EvaluationGrade = EvaluationGrade.NONE;

  /** Empty: every founding type may apply. */
  @Property({ type: 'string[]', default: '{}' })
  allowedFoundingTypes: FoundingType[] = [];

  @Property({ type: 'boolean', default: true })
  mustServeRegions: boolean = true;

  /** Empty: every kind of provider may apply (the default, docs/domain.md "Providers"). */
  @Property({ type: 'string[]', default: '{}' })
  allowedProviderKinds: ProviderKind[] = [];

  @Property({ type: 'Date', columnType: 'timestamptz' })
  @Field(() => Date, { description: 'When applications open.' })
  applicationOpensAt!: Date;

  @Property({ type: 'Date', columnType: 'timestamptz' })
  @Field(() => Date, { description: 'When applications close (exclusive); evaluation starts then.' })
  applicationClosesAt!: Date;

  @Property({ type: 'json', default: '[]' })
  @Field(() => [ProjectDocument])
  documents: ProjectDocument[] = [];

  /** As stored; clients see it by the clock (`projectStatusAt`, the `status` field resolver). */
  @Enum({ items: () => ProjectStatus, type: 'string', default: ProjectStatus.DRAFT })
  status: ProjectStatus = ProjectStatus.DRAFT;

  /** Why it was cancelled or ended unsuccessful. */
  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Why it was cancelled or ended unsuccessful.' })
  statusReason?: string | null;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'What was delivered, reported on completion.' })
  outcome?: string | null;

  /** The publisher's evaluation of the delivery, 1–5. */
  @Property({ type: 'smallint', nullable: true })
  @Field(() => Int, { nullable: true, description: "The publisher's evaluation of the delivery, 1 to 5." })
  evaluationScore?: number | null;

  @ManyToOne(() => User, { ref: true, nullable: true, deleteRule: 'set null' })
  createdBy?: Ref<User> | null;

  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true })
  @Field(() => Date, { nullable: true })
  publishedAt?: Date | null;

  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true })
  @Field(() => Date, { nullable: true })
  awardedAt?: Date | null;

  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true })
  @Field(() => Date, { nullable: true })
  startedAt?: Date | null;

  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true })
  @Field(() => Date, {
    nullable: true,
    description: 'When it completed, was cancelled or ended unsuccessful.',
  })
  closedAt?: Date | null;

  @Property({ type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' })
  @Field(() => Date)
  createdAt: Date = new Date();

  @Property({ type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  @Field(() => Date)
  updatedAt: Date = new Date();

  /** The award criteria declared with the tender; empty: none declared. */
  @Property({ type: 'json', default: '[]' })
  @Field(() => [AwardCriterion], { description: 'The award criteria and their weights (empty: none).' })
  criteria: AwardCriterion[] = [];

  /** What `planProject` announced; null for a project never announced as a plan. */
  @Property({ type: 'json', nullable: true })
  plan?: ProjectPlanRecord | null;

  /** Why the winners won, against the criteria; required at the award when there are criteria. */
  @Property({ type: 'text', nullable: true })
  awardJustification?: string | null;

  override nodeKey(): number {
    return this.id;
  }

  /** Whether the lifecycle allows moving to `to` from where the project is now. */
  mayBecome(to: ProjectStatus): boolean {
    return canTransition(this.status, to);
  }
}

/** An organization invited to a SELECTIVE or DIRECT project. */
@Entity({ tableName: 'project_invitation' })
@Unique({ properties: ['project', 'organization'] })
export class ProjectInvitation {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: new BigIntType('number'), autoincrement: true })
  id!: number;

  @ManyToOne(() => Project, { ref: true, deleteRule: 'cascade' })
  project!: Ref<Project>;

  @ManyToOne(() => Organization, { ref: true, deleteRule: 'cascade', index: true })
  organization!: Ref<Organization>;

  @Property({ type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}

/**
 * A change to a project after publication, with its rationale: kept for ever and public, so nobody
 * can quietly move a deadline or a budget once organizations have read the tender.
 */
@Entity({ tableName: 'project_amendment' })
@Index({ properties: ['project', 'id'] })
@ObjectType({ implements: Node, description: 'A published change to a project, with its rationale.' })
export class ProjectAmendment extends Node {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: new BigIntType('number'), autoincrement: true })
  id!: number;

  @ManyToOne(() => Project, { ref: true, deleteRule: 'cascade' })
  project!: Ref<Project>;

  @Property({ type: 'text' })
  @Field(() => String, { description: 'Why the project was changed.' })
  rationale!: string;

  /** Field → { from, to }, in API terms (money in fen, dates ISO). */
  @Property({ type: 'json' })
  @Field(() => GraphQLJSONObject, { description: 'What changed: field name → { from, to }.' })
  changes!: Record<string, { from: unknown; to: unknown }>;

  @ManyToOne(() => User, { ref: true, nullable: true, deleteRule: 'set null' })
  amendedBy?: Ref<User> | null;

  @Property({ type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' })
  @Field(() => Date)
  createdAt: Date = new Date();

  override nodeKey(): number {
    return this.id;
  }
}
