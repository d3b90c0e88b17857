import {
  BigIntType,
  Entity,
  Index,
  ManyToOne,
  OptionalProps,
  PrimaryKey,
  Property,
  type Ref,
} from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { Node } from '../../core/relay/node.js';
import { User } from '../accounts/user.entity.js';
import { Organization } from '../organizations/organization.entity.js';
import { Project, ProjectAmendment } from './project.entity.js';

/**
 * A clarification question (澄清) an eligible organization asked about a tender, and the publisher's
 * answer. Once answered it is public and attributed to no one: who asked (`organization`,
 * `askedBy`) and who answered are kept for the audit trail only and never shown
 * (docs/domain.md, "Clarifications and complaints").
 */
@Entity({ tableName: 'project_question' })
@Index({ properties: ['project', 'id'] })
@ObjectType({
  implements: Node,
  description:
    'A clarification question about a tender and, once answered, the answer: public then, and attributed to no one.',
})
export class ProjectQuestion extends Node {
  [OptionalProps]?: 'createdAt' | 'changesTerms';

  @PrimaryKey({ type: new BigIntType('number'), autoincrement: true })
  id!: number;

  @ManyToOne(() => Project, { ref: true, deleteRule: 'cascade' })
  project!: Ref<Project>;

  /** The asking organization: never shown (the asker is not public). */
  @ManyToOne(() => Organization, { ref: true, deleteRule: 'cascade', index: true })
  organization!: Ref<Organization>;

  @ManyToOne(() => User, { ref: true, nullable: true, deleteRule: 'set null' })
  askedBy?: Ref<User> | null;

  @Property({ type: 'text' })
  @Field(() => String)
  question!: string;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: "The publisher's answer; null until answered." })
  answer?: string | null;

  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true })
  @Field(() => Date, { nullable: true })
  answeredAt?: Date | null;

  @ManyToOne(() => User, { ref: true, nullable: true, deleteRule: 'set null' })
  answeredBy?: Ref<User> | null;

  /** Whether the answer changes the tender's terms (then it is also an amendment). */
  @Property({ type: 'boolean', default: false })
  @Field(() => Boolean, { description: 'Whether the answer changes the terms (then it is an amendment).' })
  changesTerms: boolean = false;

  /** The amendment an answer that changes the terms was recorded as. */
  @ManyToOne(() => ProjectAmendment, { ref: true, nullable: true, deleteRule: 'set null' })
  amendment?: Ref<ProjectAmendment> | null;

  @Property({ type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' })
  @Field(() => Date, { description: 'When it was asked.' })
  createdAt: Date = new Date();

  override nodeKey(): number {
    return this.id;
  }
}
