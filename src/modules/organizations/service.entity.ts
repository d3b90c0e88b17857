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
import { Node } from '../../core/relay/node.js';
import { TargetGroup } from '../categories/target-group.js';
import { Organization } from './organization.entity.js';
import { ServiceFee, ServiceMode, ServiceStatus } from './organization.enums.js';

/**
 * A service an organization offers (modelled on Open Referral HSDS's `service`). Named
 * `ServiceOffering` in code so it is never confused with the application's service classes;
 * the GraphQL type is `Service`.
 */
@Entity({ tableName: 'service' })
@Index({ properties: ['categoryCodes'], type: 'gin' })
// supplyDemandGap's capacity per cell filters services by both overlaps (a BitmapAnd with the above).
@Index({ properties: ['regionCodes'], type: 'gin' })
@ObjectType('Service', { implements: Node, description: 'A service an organization offers (HSDS-style).' })
export class ServiceOffering extends Node {
  [OptionalProps]?: 'createdAt' | 'updatedAt' | 'status' | 'openDataId';

  @PrimaryKey({ type: new BigIntType('number'), autoincrement: true })
  id!: number;

  /** Its id in the open data (HSDS): given by the database on insert, never changed (opendata/open-ids.ts). */
  @Property({ type: 'uuid', defaultRaw: 'gen_random_uuid()', unique: true })
  openDataId!: string;

  @ManyToOne(() => Organization, { ref: true, deleteRule: 'cascade' })
  @Index()
  organization!: Ref<Organization>;

  @Property({ type: 'string', length: 200 })
  @Field(() => String)
  name!: string;

  @Property({ type: 'text', default: '' })
  @Field(() => String)
  description: string = '';

  @Property({ type: 'string[]' })
  categoryCodes!: string[];

  @Property({ type: 'string[]' })
  regionCodes!: string[];

  @Property({ type: 'string[]' })
  @Field(() => [TargetGroup])
  targetGroups!: TargetGroup[];

  @Enum({ items: () => ServiceMode, type: 'string' })
  @Field(() => ServiceMode)
  mode!: ServiceMode;

  @Enum({ items: () => ServiceFee, type: 'string' })
  @Field(() => ServiceFee)
  fee!: ServiceFee;

  @Property({ type: 'integer', nullable: true })
  @Field(() => Int, { nullable: true, description: 'How many workers it can serve a month.' })
  monthlyCapacity?: number | null;

  @Enum({ items: () => ServiceStatus, type: 'string', default: ServiceStatus.ACTIVE })
  @Field(() => ServiceStatus)
  status: ServiceStatus = ServiceStatus.ACTIVE;

  @Property({ type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' })
  @Field(() => Date)
  createdAt: Date = new Date();

  @Property({ type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  override nodeKey(): number {
    return this.id;
  }

  /** The class is named apart from the app's service classes; clients know the type as `Service`. */
  override nodeTypeName(): string {
    return 'Service';
  }
}
