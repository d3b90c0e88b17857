import {
  ArrayType,
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
import { Field, ID, ObjectType } from 'type-graphql';
import { Node } from '../../core/relay/node.js';
import { User } from '../accounts/user.entity.js';
import { Organization } from '../organizations/organization.entity.js';
import { NotificationChannel, NotificationTopic } from './notification.enums.js';
import type { TemplateParams } from './notification-templates.js';

/**
 * One thing to hear about, made by the notification worker from one outbox event (`eventSeq`), for
 * one person (`user`: a personal notification) or for the members of one organization (`organization`:
 * an audience notification, stored once however many members it has; `adminsOnly` narrows it to the
 * organization's admins, `excludedUserIds` leaves members out). A member reads an audience
 * notification while she is a member, from the moment she joined (notification.service.ts).
 * `(eventSeq, user)` and `(eventSeq, organization)` are unique, so a retried fan-out inserts nothing
 * twice. `params` are the template's values as they were when it was made, so its text does not
 * change later; the text itself is rendered when read, in the reader's language. Read state is per
 * reader (NotificationReadState, NotificationRead). Its GraphQL fields are in notification.resolver.ts.
 */
@Entity({ tableName: 'notification' })
@Unique({ properties: ['eventSeq', 'user'] })
@Unique({ properties: ['eventSeq', 'organization'] })
@Index({ properties: ['user', 'id'] })
@Index({
  name: 'notification_audience_index',
  expression:
    'create index "notification_audience_index" on "notification" ("organization_id", "id") where "organization_id" is not null',
})
@Index({
  name: 'notification_audience_created_index',
  expression:
    'create index "notification_audience_created_index" on "notification" ("organization_id", "created_at", "id") where "organization_id" is not null',
})
@ObjectType({ implements: Node, description: 'Something you should hear about: in your inbox for good.' })
export class Notification extends Node {
  [OptionalProps]?: 'createdAt' | 'user' | 'organization' | 'adminsOnly' | 'excludedUserIds' | 'readAt';

  @PrimaryKey({ type: new BigIntType('number'), autoincrement: true })
  id!: number;

  /** Its one recipient, for a personal notification. */
  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade', nullable: true })
  user?: Ref<User> | null;

  /** The organization whose members it is for, for an audience notification. */
  @ManyToOne(() => Organization, { ref: true, deleteRule: 'cascade', nullable: true })
  organization?: Ref<Organization> | null;

  /** An audience notification for the organization's admins only. */
  @Property({ type: 'boolean', default: false })
  adminsOnly: boolean = false;

  /**
   * The members an audience notification is not for, fixed when it is made: the submitter of a
   * demand (of her own demand), and those who had turned its topic's inbox off.
   */
  @Property({ type: new ArrayType<number>((id) => Number(id)), columnType: 'bigint[]', defaultRaw: `'{}'` })
  excludedUserIds: number[] = [];

  /** The outbox event it comes from. */
  @Property({ type: new BigIntType('number') })
  eventSeq!: number;

  @Enum({ items: () => NotificationTopic, type: 'string' })
  @Field(() => NotificationTopic)
  topic!: NotificationTopic;

  /** The global id of what it is about (a demand, project, application or organization). */
  @Property({ type: 'string', length: 100 })
  @Field(() => ID, {
    description: 'What it is about (a Demand, Project, ProjectApplication, Organization or Webhook).',
  })
  subjectId!: string;

  @Property({ type: 'json' })
  params!: TemplateParams;

  /** When the reader it was loaded for read it (notification.service.ts); not a column. */
  @Property({ type: 'Date', persist: false, nullable: true })
  @Field(() => Date, { nullable: true, description: 'When you marked it read; null while unread.' })
  readAt?: Date | null;

  @Property({ type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' })
  @Field(() => Date)
  createdAt: Date = new Date();

  override nodeKey(): number {
    return this.id;
  }
}

/**
 * How far a person has read her inbox at once ("mark all read"): every notification of hers with an
 * id up to `readUpTo` is read, as of `readAt`. One row per person, whatever her organizations' sizes.
 */
@Entity({ tableName: 'notification_read_state' })
export class NotificationReadState {
  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade', primary: true })
  user!: Ref<User>;

  @Property({ type: new BigIntType('number') })
  readUpTo!: number;

  @Property({ type: 'Date', columnType: 'timestamptz' })
  readAt!: Date;
}

/** One notification a person marked read by id, above her `readUpTo` (mark-all removes these). */
@Entity({ tableName: 'notification_read' })
export class NotificationRead {
  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade', primary: true })
  user!: Ref<User>;

  @ManyToOne(() => Notification, { ref: true, deleteRule: 'cascade', primary: true })
  notification!: Ref<Notification>;

  @Property({ type: 'Date', columnType: 'timestamptz' })
  readAt!: Date;
}

/**
 * One notification to send one person at once on one channel (e-mail, SMS): made by the fan-out
 * for each recipient whose preference for its topic on that channel is INSTANT, and sent in id order
 * by that channel's worker (notification-channel-worker.ts). Unique per notification, person and
 * channel, so a retried fan-out queues nothing twice.
 */
@Entity({ tableName: 'notification_delivery' })
@Unique({ properties: ['notification', 'user', 'channel'] })
@Index({ properties: ['channel', 'id'] })
export class NotificationDelivery {
  @PrimaryKey({ type: new BigIntType('number'), autoincrement: true })
  id!: number;

  @ManyToOne(() => Notification, { ref: true, deleteRule: 'cascade' })
  notification!: Ref<Notification>;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Enum({ items: () => NotificationChannel, type: 'string' })
  channel!: NotificationChannel;
}

/**
 * How far a notification job has read the outbox (`name` = the job). The row is locked
 * `FOR UPDATE SKIP LOCKED` by the process doing that job, so processes take turns and a restart
 * resumes where the last committed batch ended.
 */
@Entity({ tableName: 'notification_position' })
export class NotificationPosition {
  @PrimaryKey({ type: 'string', length: 32 })
  name!: string;

  @Property({ type: new BigIntType('number') })
  lastEventSeq!: number;
}
