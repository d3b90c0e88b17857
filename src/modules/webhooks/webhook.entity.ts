import {
  BigIntType,
  Entity,
  Enum,
  Index,
  ManyToOne,
  OptionalProps,
  PrimaryKey,
  Property,
  Unique,
  type Ref,
} from '@mikro-orm/core';
import { Field, Int, ObjectType } from 'type-graphql';
import { Node } from '../../core/relay/node.js';
import { User } from '../accounts/user.entity.js';
import { Organization } from '../organizations/organization.entity.js';
import { DeliveryStatus, WebhookTopic } from './webhook.enums.js';

/**
 * An organization's webhook endpoint. Its secret signs every delivery and is shown once, when the
 * endpoint is registered; it is never a GraphQL field. `lastEventSeq` is the last outbox seq the delivery
 * worker has looked at for it: events after it are still to be fanned out.
 */
@Entity({ tableName: 'webhook_endpoint' })
@Index({ properties: ['organization', 'id'] })
@ObjectType({
  implements: Node,
  description: 'A webhook endpoint an organization registered: where and what the hub POSTs.',
})
export class Webhook extends Node {
  [OptionalProps]?: 'enabled' | 'consecutiveFailures' | 'createdAt' | 'disabledAt' | 'disabledReason';

  @PrimaryKey({ type: new BigIntType('number'), autoincrement: true })
  id!: number;

  @ManyToOne(() => Organization, { ref: true, deleteRule: 'cascade' })
  organization!: Ref<Organization>;

  @Property({ type: 'string', length: 2000 })
  @Field(() => String, { description: 'Where deliveries are POSTed (https).' })
  url!: string;

  @Property({ type: 'string[]' })
  @Field(() => [WebhookTopic], { description: 'What the endpoint is told about.' })
  topics!: WebhookTopic[];

  /** The HMAC key; needed in clear to sign, so it is kept as is and never leaves through the API. */
  @Property({ type: 'string', length: 100, hidden: true })
  secret!: string;

  @Property({ type: 'boolean', default: true })
  @Field(() => Boolean, { description: 'False once disabled after repeated failures (see disabledReason).' })
  enabled: boolean = true;

  @Property({ type: 'integer', default: 0 })
  @Field(() => Int, { description: 'Failed delivery attempts in a row; reset by any success.' })
  consecutiveFailures: number = 0;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Why the hub disabled it; null while enabled.' })
  disabledReason?: string | null;

  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true })
  @Field(() => Date, { nullable: true, description: 'When the hub disabled it.' })
  disabledAt?: Date | null;

  /** The last outbox seq looked at for this endpoint (the head at registration, then advancing). */
  @Property({ type: new BigIntType('number') })
  lastEventSeq!: number;

  @ManyToOne(() => User, { ref: true, nullable: true, deleteRule: 'set null' })
  createdBy?: Ref<User> | null;

  @Property({ type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' })
  @Field(() => Date)
  createdAt: Date = new Date();

  override nodeKey(): number {
    return this.id;
  }
}

/**
 * One event to deliver to one endpoint. The body is built once, when the event is fanned out, so every
 * retry sends the same bytes; `(endpoint, eventSeq)` is unique, so an event is queued at most once per
 * endpoint. `nextAttemptAt` doubles as the lease of a process sending it: claiming a delivery pushes it
 * past the send timeout, so a process that dies mid-send leaves it due again, never lost.
 */
@Entity({ tableName: 'webhook_delivery' })
@Unique({ properties: ['endpoint', 'eventSeq'] })
@Index({
  name: 'webhook_delivery_due_index',
  expression:
    'create index "webhook_delivery_due_index" on "webhook_delivery" ("next_attempt_at", "id") where "status" = \'PENDING\'',
})
@ObjectType({ description: 'One event sent (or to be sent) to a webhook endpoint.' })
export class WebhookDelivery {
  [OptionalProps]?: 'attempts' | 'status' | 'createdAt' | 'deliveredAt' | 'lastStatusCode' | 'lastError';

  @PrimaryKey({ type: new BigIntType('number'), autoincrement: true })
  id!: number;

  @ManyToOne(() => Webhook, { ref: true, deleteRule: 'cascade' })
  endpoint!: Ref<Webhook>;

  @Property({ type: new BigIntType('number') })
  @Field(() => String, { description: 'The event id (its outbox seq): the payload `id`, for deduplication.' })
  eventSeq!: number;

  @Property({ type: 'string', length: 64 })
  topic!: string;

  /** The exact JSON body POSTed. */
  @Property({ type: 'text' })
  payload!: string;

  @Enum({ items: () => DeliveryStatus, type: 'string', default: DeliveryStatus.PENDING })
  @Field(() => DeliveryStatus)
  status: DeliveryStatus = DeliveryStatus.PENDING;

  @Property({ type: 'integer', default: 0 })
  @Field(() => Int, { description: 'Attempts made so far.' })
  attempts: number = 0;

  @Property({ type: 'Date', columnType: 'timestamptz' })
  @Field(() => Date, { description: 'When it is due (again) while PENDING.' })
  nextAttemptAt!: Date;

  @Property({ type: 'integer', nullable: true })
  @Field(() => Int, { nullable: true, description: 'HTTP status of the last attempt; null if none came.' })
  lastStatusCode?: number | null;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, {
    nullable: true,
    description:
      'Why the last attempt failed: `HTTP <status>` (any non-2xx, redirects included: they are not ' +
      'followed), `connection failed`, `timeout` or `address not allowed`.',
  })
  lastError?: string | null;

  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true })
  @Field(() => Date, { nullable: true })
  deliveredAt?: Date | null;

  @Property({ type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' })
  @Field(() => Date)
  createdAt: Date = new Date();
}

/** One HTTP attempt of a delivery: the log an organization reads when its endpoint misbehaves. */
@Entity({ tableName: 'webhook_delivery_attempt' })
@Index({ properties: ['delivery', 'id'] })
export class WebhookDeliveryAttempt {
  [OptionalProps]?: 'createdAt' | 'statusCode' | 'error';

  @PrimaryKey({ type: new BigIntType('number'), autoincrement: true })
  id!: number;

  @ManyToOne(() => WebhookDelivery, { ref: true, deleteRule: 'cascade' })
  delivery!: Ref<WebhookDelivery>;

  /** 1 for the first attempt. */
  @Property({ type: 'integer' })
  attempt!: number;

  @Property({ type: 'integer', nullable: true })
  statusCode?: number | null;

  @Property({ type: 'integer' })
  durationMs!: number;

  @Property({ type: 'text', nullable: true })
  error?: string | null;

  @Property({ type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
