import {
  BigIntType,
  Check,
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
import { Field, ObjectType } from 'type-graphql';
import { Node } from '../../core/relay/node.js';
import { User } from '../accounts/user.entity.js';
import { Demand } from '../demands/demand.entity.js';
import { Organization } from '../organizations/organization.entity.js';
import { ProjectApplication } from './application.entity.js';
import { Project, ProjectDocument } from './project.entity.js';
import { MilestoneStatus } from './project-contract.enums.js';

/**
 * The contract a project's publisher signs with the awarded organization (OCDS `contracts`): its
 * value (at most the award), its period, its documents (titles and links, never fetched) and its
 * milestones. One per project; signing it starts delivery (docs/domain.md, "After the award").
 * Public, as the award is: amounts and dates, no person.
 */
@Check({ name: 'project_contract_value_fen_positive', expression: 'value_fen > 0' })
@Check({ name: 'project_contract_period_order', expression: 'period_end > period_start' })
@Entity({ tableName: 'project_contract' })
@ObjectType({ implements: Node, description: 'The contract signed for an awarded project (OCDS contract).' })
export class ProjectContract extends Node {
  [OptionalProps]?: 'createdAt' | 'documents' | 'signedAt';

  @PrimaryKey({ type: new BigIntType('number'), autoincrement: true })
  id!: number;

  @ManyToOne(() => Project, { ref: true, deleteRule: 'cascade', unique: true })
  project!: Ref<Project>;

  /** The awarded application the contract is signed on. */
  @ManyToOne(() => ProjectApplication, { ref: true, deleteRule: 'restrict', index: true })
  application!: Ref<ProjectApplication>;

  /** The supplier: the awarded application's organization, kept here for the membership checks. */
  @ManyToOne(() => Organization, { ref: true, deleteRule: 'restrict', index: true })
  organization!: Ref<Organization>;

  @Property({ type: new BigIntType('number') })
  valueFen!: number;

  @Property({ type: 'Date', columnType: 'timestamptz' })
  periodStart!: Date;

  @Property({ type: 'Date', columnType: 'timestamptz' })
  periodEnd!: Date;

  @Property({ type: 'json', default: '[]' })
  @Field(() => [ProjectDocument], { description: 'The contract documents: titles and links.' })
  documents: ProjectDocument[] = [];

  @Property({ type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' })
  @Field(() => Date, { description: 'When it was signed (and delivery started).' })
  signedAt: Date = new Date();

  @ManyToOne(() => User, { ref: true, nullable: true, deleteRule: 'set null' })
  signedBy?: Ref<User> | null;

  @Property({ type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  override nodeKey(): number {
    return this.id;
  }
}

/**
 * A milestone of a contract: deliverables due by a date, and the payment that falls due when the
 * publisher accepts it. Its status changes are conditional UPDATEs (project-contracts.service.ts).
 */
@Check({ name: 'contract_milestone_payment_fen_non_negative', expression: 'payment_fen >= 0' })
@Entity({ tableName: 'contract_milestone' })
@Unique({ properties: ['contract', 'position'] })
@ObjectType({ implements: Node, description: 'A milestone of a project contract, with its payment.' })
export class ContractMilestone extends Node {
  [OptionalProps]?: 'status' | 'createdAt';

  @PrimaryKey({ type: new BigIntType('number'), autoincrement: true })
  id!: number;

  @ManyToOne(() => ProjectContract, { ref: true, deleteRule: 'cascade' })
  contract!: Ref<ProjectContract>;

  /** Its place in the contract's list, from 0. */
  @Property({ type: 'smallint' })
  position!: number;

  @Property({ type: 'string', length: 200 })
  @Field(() => String)
  title!: string;

  @Property({ type: 'text' })
  @Field(() => String, { description: 'What the organization delivers for it.' })
  deliverables!: string;

  @Property({ type: 'Date', columnType: 'timestamptz' })
  @Field(() => Date)
  dueAt!: Date;

  @Property({ type: new BigIntType('number') })
  paymentFen!: number;

  @Enum({ items: () => MilestoneStatus, type: 'string', default: MilestoneStatus.PENDING })
  @Field(() => MilestoneStatus)
  status: MilestoneStatus = MilestoneStatus.PENDING;

  /** The organization's latest report (public: what was delivered, no person). */
  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: "The organization's latest report of it." })
  report?: string | null;

  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true })
  @Field(() => Date, { nullable: true })
  reportedAt?: Date | null;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Why the publisher last returned it.' })
  returnReason?: string | null;

  /** When the publisher last accepted or returned it. */
  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true })
  @Field(() => Date, { nullable: true, description: 'When the publisher last accepted or returned it.' })
  decidedAt?: Date | null;

  @Property({ type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  override nodeKey(): number {
    return this.id;
  }
}

/**
 * A payment made under a contract (OCDS `implementation.transactions`): against an accepted milestone,
 * or against the contract as a whole (an advance). Their sum never exceeds the contract value, nor a
 * milestone's the milestone's payment (checked under the contract row's lock).
 */
@Check({ name: 'contract_payment_amount_fen_positive', expression: 'amount_fen > 0' })
@Entity({ tableName: 'contract_payment' })
@Index({ properties: ['contract', 'id'] })
@ObjectType({ description: 'A payment made under a project contract.' })
export class ContractPayment {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: new BigIntType('number'), autoincrement: true })
  id!: number;

  @ManyToOne(() => ProjectContract, { ref: true, deleteRule: 'cascade' })
  contract!: Ref<ProjectContract>;

  @ManyToOne(() => ContractMilestone, { ref: true, nullable: true, deleteRule: 'cascade', index: true })
  milestone?: Ref<ContractMilestone> | null;

  @Property({ type: new BigIntType('number') })
  amountFen!: number;

  @Property({ type: 'Date', columnType: 'timestamptz' })
  @Field(() => Date, { description: 'When the money was paid.' })
  paidAt!: Date;

  @ManyToOne(() => User, { ref: true, nullable: true, deleteRule: 'set null' })
  recordedBy?: Ref<User> | null;

  @Property({ type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}

/**
 * A worker's word on whether a project served the demand she submitted, and her 1–5 rating of it.
 * One per linked demand: a second answer replaces the first (she may be served after saying she
 * was not). Never public one by one: the project shows counts, and the mean rating from 5 ratings on.
 */
@Check({ name: 'project_outcome_rating_range', expression: '(rating >= 1) AND (rating <= 5)' })
@Entity({ tableName: 'project_outcome_confirmation' })
@Unique({ properties: ['project', 'demand'] })
export class ProjectOutcomeConfirmation {
  [OptionalProps]?: 'createdAt' | 'updatedAt';

  @PrimaryKey({ type: new BigIntType('number'), autoincrement: true })
  id!: number;

  @ManyToOne(() => Project, { ref: true, deleteRule: 'cascade' })
  project!: Ref<Project>;

  @ManyToOne(() => Demand, { ref: true, deleteRule: 'cascade', index: true })
  demand!: Ref<Demand>;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  worker!: Ref<User>;

  @Property({ type: 'boolean' })
  served!: boolean;

  @Property({ type: 'smallint', nullable: true })
  rating?: number | null;

  @Property({ type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
