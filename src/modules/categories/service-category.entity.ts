import {
  Collection,
  Entity,
  OptionalProps,
  PrimaryKeyProp,
  Index,
  ManyToOne,
  OneToMany,
  PrimaryKey,
  Property,
  type Ref,
} from '@mikro-orm/core';
import { Field, Int, ObjectType } from 'type-graphql';
import { Node } from '../../core/relay/node.js';

/**
 * A node of the service taxonomy (after Beijing's purchase catalogue; docs/domain.md,
 * "Categories and target groups"). A category covers
 * its subtree: `path` lists the codes from the top level down to this one.
 */
@Entity({ tableName: 'service_category' })
@Index({ properties: ['path'], type: 'gin' })
@ObjectType({ implements: Node, description: 'A service category; a category covers its whole subtree.' })
export class ServiceCategory extends Node {
  [PrimaryKeyProp]?: 'code';
  [OptionalProps]?: 'sortOrder';

  @PrimaryKey({ type: 'string', length: 64 })
  @Field(() => String, {
    description: 'Dotted code, e.g. LIFE.CHILDCARE; a child starts with its parent code.',
  })
  code!: string;

  @Property({ type: 'string', length: 100 })
  @Field(() => String, { description: 'Chinese name.' })
  name!: string;

  @Property({ type: 'string', length: 100 })
  @Field(() => String, { description: 'English name.' })
  nameEn!: string;

  @Property({ type: 'integer', default: 0 })
  @Field(() => Int, { description: 'Position among its siblings.' })
  sortOrder: number = 0;

  @ManyToOne(() => ServiceCategory, { ref: true, nullable: true, deleteRule: 'restrict' })
  parent?: Ref<ServiceCategory> | null;

  @OneToMany(() => ServiceCategory, (c) => c.parent, { orderBy: { sortOrder: 'asc', code: 'asc' } })
  children = new Collection<ServiceCategory>(this);

  /** Codes from the top level down to and including this category. */
  @Property({ type: 'string[]' })
  path!: string[];

  override nodeKey(): string {
    return this.code;
  }
}
