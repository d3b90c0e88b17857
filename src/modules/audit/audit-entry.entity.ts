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
import { GraphQLJSONObject } from 'graphql-scalars';
import { Node } from '../../core/relay/node.js';
import { User } from '../accounts/user.entity.js';

/**
 * Who changed what, when: one row per mutation, written in the same transaction as the change (so
 * there is never a change without its entry, nor an entry for a change that rolled back). The
 * summary holds what changed, never secrets or personal contact data.
 */
@Entity({ tableName: 'audit_entry' })
@Index({ properties: ['subjectId', 'id'] })
@ObjectType({ implements: Node, description: 'One recorded change: who, which action, on what, when.' })
export class AuditEntry extends Node {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: new BigIntType('number'), autoincrement: true })
  id!: number;

  @ManyToOne(() => User, { ref: true, nullable: true, deleteRule: 'set null' })
  actor?: Ref<User> | null;

  @Property({ type: 'string[]' })
  @Field(() => [String], { description: 'Roles the actor held when acting.' })
  actorRoles!: string[];

  /** The mutation, e.g. `verifyOrganization`. */
  @Property({ type: 'string', length: 64 })
  @Field(() => String)
  action!: string;

  /** Global id of the changed object. */
  @Property({ type: 'string', length: 200 })
  @Field(() => String, { description: 'Global id of the object changed.' })
  subjectId!: string;

  @Property({ type: 'string', length: 64 })
  @Field(() => String)
  subjectType!: string;

  @Property({ type: 'json' })
  @Field(() => GraphQLJSONObject, { description: 'What changed (no secrets, no personal data).' })
  summary!: Record<string, unknown>;

  @Property({ type: 'string', length: 64, nullable: true })
  @Field(() => String, { nullable: true })
  requestId?: string | null;

  @Property({ type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' })
  @Field(() => Date)
  createdAt: Date = new Date();

  override nodeKey(): number {
    return this.id;
  }
}
