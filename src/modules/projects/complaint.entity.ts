import {
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
import { Field, ObjectType } from 'type-graphql';
import { Node } from '../../core/relay/node.js';
import { User } from '../accounts/user.entity.js';
import { Organization } from '../organizations/organization.entity.js';
import { ProjectApplication } from './application.entity.js';
import { Project } from './project.entity.js';
import { ComplaintOutcome } from './project.enums.js';

/**
 * A complaint (质疑/投诉) an applicant filed against a project's award within the complaint period,
 * the publisher's response and the ruling of an admin or a designated reviewer. Its outcome is public
 * without personal data: the GraphQL fields (complaint.resolver.ts) show the texts with phone
 * numbers hidden and never who filed, responded, reviewed or ruled (docs/domain.md, "Clarifications
 * and complaints").
 */
@Entity({ tableName: 'project_complaint' })
@Index({ properties: ['project', 'id'] })
@ObjectType({
  implements: Node,
  description:
    'A complaint (质疑/投诉) against a project’s award, the publisher’s response and the ruling: public, without personal data.',
})
export class ProjectComplaint extends Node {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: new BigIntType('number'), autoincrement: true })
  id!: number;

  @ManyToOne(() => Project, { ref: true, deleteRule: 'cascade' })
  project!: Ref<Project>;

  /** The complaining organization (an applicant): never shown publicly. */
  @ManyToOne(() => Organization, { ref: true, deleteRule: 'cascade', index: true })
  organization!: Ref<Organization>;

  /** The application it concerns, when the complainant named one. */
  @ManyToOne(() => ProjectApplication, { ref: true, nullable: true, deleteRule: 'set null' })
  application?: Ref<ProjectApplication> | null;

  @ManyToOne(() => User, { ref: true, nullable: true, deleteRule: 'set null' })
  filedBy?: Ref<User> | null;

  @Property({ type: 'text' })
  grounds!: string;

  @Property({ type: 'text', nullable: true })
  response?: string | null;

  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true })
  @Field(() => Date, { nullable: true, description: 'When the publisher responded.' })
  respondedAt?: Date | null;

  @ManyToOne(() => User, { ref: true, nullable: true, deleteRule: 'set null' })
  respondedBy?: Ref<User> | null;

  /** The reviewer an admin designated to rule (besides admins), if any. */
  @ManyToOne(() => User, { ref: true, nullable: true, deleteRule: 'set null' })
  reviewer?: Ref<User> | null;

  /** Null while the complaint is open. */
  @Enum({ items: () => ComplaintOutcome, type: 'string', nullable: true })
  @Field(() => ComplaintOutcome, {
    nullable: true,
    description: 'The ruling; null while the complaint is open.',
  })
  outcome?: ComplaintOutcome | null;

  @Property({ type: 'text', nullable: true })
  reasoning?: string | null;

  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true })
  @Field(() => Date, { nullable: true })
  ruledAt?: Date | null;

  @ManyToOne(() => User, { ref: true, nullable: true, deleteRule: 'set null' })
  ruledBy?: Ref<User> | null;

  /** When it was filed. */
  @Property({ type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' })
  @Field(() => Date, { name: 'filedAt', description: 'When it was filed.' })
  createdAt: Date = new Date();

  override nodeKey(): number {
    return this.id;
  }
}
