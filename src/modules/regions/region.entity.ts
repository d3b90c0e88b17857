import {
  Collection,
  Entity,
  PrimaryKeyProp,
  Enum,
  Index,
  ManyToOne,
  OneToMany,
  PrimaryKey,
  Property,
  type Ref,
} from '@mikro-orm/core';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { Node } from '../../core/relay/node.js';

/** Levels of China's administrative divisions that the platform uses (GB/T 2260). */
export enum RegionLevel {
  PROVINCE = 'PROVINCE',
  CITY = 'CITY',
  DISTRICT = 'DISTRICT',
}
registerEnumType(RegionLevel, {
  name: 'RegionLevel',
  description: 'Province (省), prefecture-level city (市) or district/county (区/县/县级市).',
});

/**
 * An administrative division, keyed by its GB/T 2260 code. `path` holds the codes from the province
 * down to this region, so "in this region's subtree" is an indexed array containment test.
 */
@Entity({ tableName: 'region' })
@Index({ properties: ['path'], type: 'gin' })
@ObjectType({ implements: Node, description: 'An administrative division (GB/T 2260).' })
export class Region extends Node {
  [PrimaryKeyProp]?: 'code';

  @PrimaryKey({ type: 'string', length: 12 })
  @Field(() => String, { description: 'GB/T 2260 code, e.g. 370100 for Jinan.' })
  code!: string;

  @Property({ type: 'string', length: 100 })
  @Field(() => String, { description: 'Chinese name, e.g. 济南市.' })
  name!: string;

  @Property({ type: 'string', length: 100 })
  @Field(() => String, { description: 'English name, e.g. Jinan.' })
  nameEn!: string;

  @Enum({ items: () => RegionLevel, type: 'string' })
  @Field(() => RegionLevel)
  level!: RegionLevel;

  @ManyToOne(() => Region, { ref: true, nullable: true, deleteRule: 'restrict' })
  parent?: Ref<Region> | null;

  @OneToMany(() => Region, (r) => r.parent, { orderBy: { code: 'asc' } })
  children = new Collection<Region>(this);

  /** Codes from the root down to and including this region. */
  @Property({ type: 'string[]' })
  path!: string[];

  override nodeKey(): string {
    return this.code;
  }
}

/** The level a GB/T 2260 code denotes: xx0000 a province, xxxx00 a city, anything else a district. */
export function levelOfCode(code: string): RegionLevel {
  if (code.endsWith('0000')) return RegionLevel.PROVINCE;
  if (code.endsWith('00')) return RegionLevel.CITY;
  return RegionLevel.DISTRICT;
}
