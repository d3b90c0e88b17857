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
import { Role } from '../../core/roles.js';
import { User } from '../accounts/user.entity.js';
import { Region } from '../regions/region.entity.js';
import { PublisherKind } from './project.enums.js';

/** The staff role a publisher's staff must hold: a union's staff are UNION_STAFF, and so on. */
export const STAFF_ROLE_OF_KIND: Readonly<Record<PublisherKind, Role>> = {
  [PublisherKind.UNION]: Role.UNION_STAFF,
  [PublisherKind.GOVERNMENT]: Role.GOV_STAFF,
  [PublisherKind.ENTERPRISE]: Role.ENTERPRISE_STAFF,
};

/**
 * A body that buys services: a union unit (e.g. 济南市总工会), a government department or an
 * enterprise, located in a region. Its staff act for it.
 */
@Entity({ tableName: 'publisher' })
@ObjectType({
  implements: Node,
  description: 'A union unit, government department or enterprise that buys services.',
})
export class Publisher extends Node {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: new BigIntType('number'), autoincrement: true })
  id!: number;

  @Enum({ items: () => PublisherKind, type: 'string' })
  @Field(() => PublisherKind)
  kind!: PublisherKind;

  @Property({ type: 'string', length: 200 })
  @Field(() => String, { description: 'Full name, e.g. 济南市总工会.' })
  name!: string;

  @ManyToOne(() => Region, { ref: true, deleteRule: 'restrict', index: true })
  region!: Ref<Region>;

  @Property({ type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' })
  @Field(() => Date)
  createdAt: Date = new Date();

  override nodeKey(): number {
    return this.id;
  }
}

/**
 * A staff user acting for a publisher. A user acts for one publisher at most (unique `user`), so a
 * staff member never has to say which one they mean.
 */
@Entity({ tableName: 'publisher_staff' })
export class PublisherStaff {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: new BigIntType('number'), autoincrement: true })
  id!: number;

  @ManyToOne(() => Publisher, { ref: true, deleteRule: 'cascade' })
  @Index()
  publisher!: Ref<Publisher>;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade', unique: true })
  user!: Ref<User>;

  @Property({ type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
