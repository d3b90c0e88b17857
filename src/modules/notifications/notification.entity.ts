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
import { Field, ID, ObjectType } from 'type-graphql';
import { Node } from '../../core/relay/node.js';
import { User } from '../accounts/user.entity.js';
import { NotificationTopic } from './notification.enums.js';
import type { TemplateParams } from './notification-templates.js';

/**
 * One thing one person should hear about: made by the notification worker from one outbox event
 * (`eventSeq`), at most once per recipient (`(eventSeq, user)` is unique, so a retried fan-out
 * inserts nothing twice). `params` are the template's values as they were when it was made, so its
 * text does not change later; the text itself is rendered when read, in the reader's language.
 * Its GraphQL fields are in notification.resolver.ts.
 */
@Entity({ tableName: 'notification' })
@Unique({ properties: ['eventSeq', 'user'] })
@Index({ properties: ['user', 'id'] })
@Index({
  name: 'notification_unread_index',
  expression:
    'create index "notification_unread_index" on "notification" ("user_id", "id") where "read_at" is null',
})
@ObjectType({ implements: Node, description: 'Something you should hear about: in your inbox for good.' })
export class Notification extends Node {
  [OptionalProps]?: 'createdAt' | 'readAt' | 'announcedSeq';

  @PrimaryKey({ type: new BigIntType('number'), autoincrement: true })
  id!: number;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

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

  /** The seq of the `notification.created` event that pushed it to open subscriptions. */
  @Property({ type: new BigIntType('number'), nullable: true, index: true })
  announcedSeq?: number | null;

  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true })
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
