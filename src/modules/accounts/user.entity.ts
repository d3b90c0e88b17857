import {
  Entity,
  Enum,
  Index,
  ManyToOne,
  OptionalProps,
  PrimaryKey,
  Property,
  type Ref,
} from '@mikro-orm/core';
import { BigIntType } from '@mikro-orm/core';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { Node } from '../../core/relay/node.js';
import { Role } from '../../core/roles.js';
import { Region } from '../regions/region.entity.js';

export enum AccountStatus {
  ACTIVE = 'ACTIVE',
  SUSPENDED = 'SUSPENDED',
}
registerEnumType(AccountStatus, { name: 'AccountStatus', description: 'Whether an account may sign in.' });

/**
 * A person who signs in. Email and mobile are personal data: only the user and platform admins see
 * them (enforced in the resolver). At least one of the two is set.
 */
@Entity({ tableName: 'app_user' })
@ObjectType('User', { implements: Node, description: 'A person with an account.' })
export class User extends Node {
  [OptionalProps]?: 'createdAt' | 'updatedAt' | 'status' | 'rightsVersion';

  @PrimaryKey({ type: new BigIntType('number'), autoincrement: true })
  id!: number;

  /** Lower-cased; unique when present. */
  @Property({ type: 'string', length: 254, nullable: true, unique: true })
  email?: string | null;

  /** Mainland mobile number, 11 digits; unique when present. */
  @Property({ type: 'string', length: 11, nullable: true, unique: true })
  mobile?: string | null;

  @Property({ type: 'string', length: 200, hidden: true, lazy: true })
  passwordHash!: string;

  @Property({ type: 'string', length: 100 })
  @Field(() => String, { description: 'The name shown to others.' })
  displayName!: string;

  /** Account roles; organization roles (ORG_ADMIN/ORG_MEMBER) come from memberships. */
  @Property({ type: 'string[]' })
  @Field(() => [Role], { description: 'Roles held by the account itself.' })
  roles!: Role[];

  /** For union and government staff: the region their unit covers (its whole subtree). */
  @ManyToOne(() => Region, { ref: true, nullable: true, deleteRule: 'restrict' })
  @Index()
  regionScope?: Ref<Region> | null;

  @Enum({ items: () => AccountStatus, type: 'string', default: AccountStatus.ACTIVE })
  @Field(() => AccountStatus)
  status: AccountStatus = AccountStatus.ACTIVE;

  /**
   * Bumped in the same transaction as every change to what this account may do (status, roles,
   * region scope, memberships and their roles), with a `rights.user` outbox event: open
   * subscriptions re-check their rights on it (docs/SECURITY.md, "Live rights").
   */
  @Property({ type: 'integer', default: 0 })
  rightsVersion: number = 0;

  @Property({ type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' })
  @Field(() => Date)
  createdAt: Date = new Date();

  @Property({ type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  override nodeKey(): number {
    return this.id;
  }

  hasRole(role: Role): boolean {
    return this.roles.includes(role);
  }
}
