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
 * A person who signs in. At least one of email and mobile is set. Who sees what of her is decided in
 * user.policy.ts (the resolver's fields apply it): everything for herself and admins, her account
 * for union staff in scope, her name for fellow members of her organizations and wherever another
 * object names her (a demand's submitter, an audit entry's actor).
 */
@Entity({ tableName: 'app_user' })
@ObjectType('User', {
  implements: Node,
  description:
    'A person with an account. By id (`node`, `nodes`) a user is visible to herself, platform admins, union ' +
    'staff in scope (a staff account or organization member inside their region scope, or the submitter of a ' +
    'demand there) and fellow members of her organizations; to anyone else she is exactly an unknown id. ' +
    'Reached through another object (a demand, a member list, an audit entry) she shows what the viewer may ' +
    'see: each field says who sees it, and is null for others.',
})
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
  @Field(() => String, { description: 'The name shown to others: to everyone who is shown the user.' })
  displayName!: string;

  /** Account roles; organization roles (ORG_ADMIN/ORG_MEMBER) come from memberships. */
  @Property({ type: 'string[]' })
  roles!: Role[];

  /** For union and government staff: the region their unit covers (its whole subtree). */
  @ManyToOne(() => Region, { ref: true, nullable: true, deleteRule: 'restrict' })
  @Index()
  regionScope?: Ref<Region> | null;

  @Enum({ items: () => AccountStatus, type: 'string', default: AccountStatus.ACTIVE })
  status: AccountStatus = AccountStatus.ACTIVE;

  /**
   * Bumped in the same transaction as every change to what this account may do (status, roles,
   * region scope, memberships and their roles), with a `rights.user` outbox event: open
   * subscriptions re-check their rights on it (docs/SECURITY.md, "Live rights").
   */
  @Property({ type: 'integer', default: 0 })
  rightsVersion: number = 0;

  @Property({ type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' })
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
