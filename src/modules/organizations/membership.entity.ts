import {
  BigIntType,
  Entity,
  Enum,
  ManyToOne,
  OptionalProps,
  PrimaryKey,
  Property,
  Unique,
  type Ref,
} from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { User } from '../accounts/user.entity.js';
import { Node } from '../../core/relay/node.js';
import { Organization } from './organization.entity.js';
import { HubMembershipStatus, MemberRole } from './organization.enums.js';

/** A user's membership of an organization: gives ORG_ADMIN or ORG_MEMBER for that organization. */
@Entity({ tableName: 'organization_member' })
@Unique({ properties: ['organization', 'user'] })
@ObjectType({ description: 'A user who acts for an organization.' })
export class OrganizationMember {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: new BigIntType('number'), autoincrement: true })
  id!: number;

  @ManyToOne(() => Organization, { ref: true, deleteRule: 'cascade' })
  organization!: Ref<Organization>;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade', index: true })
  user!: Ref<User>;

  @Enum({ items: () => MemberRole, type: 'string' })
  @Field(() => MemberRole)
  role!: MemberRole;

  @Property({ type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' })
  @Field(() => Date)
  createdAt: Date = new Date();
}

/** A request by an organization to join a hub, and the hub's decision. */
@Entity({ tableName: 'hub_membership_request' })
@ObjectType({
  implements: Node,
  description: "An organization's request to join a hub, and the hub's decision.",
})
export class HubMembershipRequest extends Node {
  [OptionalProps]?: 'createdAt' | 'status';

  @PrimaryKey({ type: new BigIntType('number'), autoincrement: true })
  id!: number;

  @ManyToOne(() => Organization, { ref: true, deleteRule: 'cascade', index: true })
  organization!: Ref<Organization>;

  @ManyToOne(() => Organization, { ref: true, deleteRule: 'cascade', index: true })
  hub!: Ref<Organization>;

  @Enum({ items: () => HubMembershipStatus, type: 'string', default: HubMembershipStatus.REQUESTED })
  @Field(() => HubMembershipStatus)
  status: HubMembershipStatus = HubMembershipStatus.REQUESTED;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: "The hub's reason for its decision." })
  reason?: string | null;

  @ManyToOne(() => User, { ref: true, nullable: true, deleteRule: 'set null' })
  decidedBy?: Ref<User> | null;

  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true })
  @Field(() => Date, { nullable: true })
  decidedAt?: Date | null;

  @Property({ type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' })
  @Field(() => Date)
  createdAt: Date = new Date();

  override nodeKey(): number {
    return this.id;
  }
}
