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
import { Field, Int, ObjectType } from 'type-graphql';
import { User } from '../accounts/user.entity.js';
import { Organization } from '../organizations/organization.entity.js';
import { FairnessFlagKind, FairnessFlagStep } from './fairness.enums.js';
import { Project } from './project.entity.js';

/**
 * A fairness flag (docs/domain.md, "Fairness flags"): a decision that narrows competition, with the
 * rationale its publisher wrote at the step where it was taken. Written in the decision's
 * transaction; never changed nor deleted, and public with its project.
 */
@Entity({ tableName: 'project_fairness_flag' })
@Index({ properties: ['project', 'id'] })
@ObjectType('FairnessFlag', {
  description: 'A decision that narrowed competition for a project, with its written rationale.',
})
export class ProjectFairnessFlag {
  [OptionalProps]?: 'raisedAt';

  @PrimaryKey({ type: new BigIntType('number'), autoincrement: true })
  id!: number;

  @ManyToOne(() => Project, { ref: true, deleteRule: 'cascade' })
  project!: Ref<Project>;

  @Enum({ items: () => FairnessFlagKind, type: 'string' })
  @Field(() => FairnessFlagKind)
  kind!: FairnessFlagKind;

  @Enum({ items: () => FairnessFlagStep, type: 'string' })
  @Field(() => FairnessFlagStep, { description: 'The step at which it was raised.' })
  step!: FairnessFlagStep;

  @Property({ type: 'text' })
  @Field(() => String, { description: 'Why, as the publisher wrote it at that step.' })
  rationale!: string;

  /** The organization concerned: the sole applicant, or the repeat winner. */
  @ManyToOne(() => Organization, { ref: true, nullable: true, deleteRule: 'set null', index: true })
  organization?: Ref<Organization> | null;

  /** REPEAT_WINNER: this publisher's projects the organization had won in the window before this award. */
  @Property({ type: 'integer', nullable: true })
  @Field(() => Int, {
    nullable: true,
    description:
      'REPEAT_WINNER only: the publisher’s projects the organization had already won in the window.',
  })
  priorAwards?: number | null;

  @ManyToOne(() => User, { ref: true, nullable: true, deleteRule: 'set null' })
  raisedBy?: Ref<User> | null;

  /** The decision's own time (publication, amendment or award), so exports date it as the decision. */
  @Property({ type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' })
  @Field(() => Date)
  raisedAt: Date = new Date();
}
