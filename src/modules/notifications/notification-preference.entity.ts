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
import { User } from '../accounts/user.entity.js';
import { Organization } from '../organizations/organization.entity.js';
import { NotificationChannel, NotificationFrequency, NotificationTopic } from './notification.enums.js';

/**
 * A person's own choice for one topic on one channel; it overrides every default. Also indexed by
 * choice: the fan-out asks who chose a topic's INSTANT e-mail or turned its inbox off (few) among an
 * organization's members (many).
 */
@Entity({ tableName: 'notification_preference' })
@Unique({ properties: ['user', 'topic', 'channel'] })
@Index({ properties: ['topic', 'channel', 'frequency', 'user'] })
export class NotificationPreference {
  [OptionalProps]?: 'updatedAt';

  @PrimaryKey({ type: new BigIntType('number'), autoincrement: true })
  id!: number;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Enum({ items: () => NotificationTopic, type: 'string' })
  topic!: NotificationTopic;

  @Enum({ items: () => NotificationChannel, type: 'string' })
  channel!: NotificationChannel;

  @Enum({ items: () => NotificationFrequency, type: 'string' })
  frequency!: NotificationFrequency;

  @Property({ type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' })
  updatedAt: Date = new Date();
}

/** An organization's default for its members, for one topic on one channel. */
@Entity({ tableName: 'organization_notification_default' })
@Unique({ properties: ['organization', 'topic', 'channel'] })
export class OrganizationNotificationDefault {
  [OptionalProps]?: 'updatedAt';

  @PrimaryKey({ type: new BigIntType('number'), autoincrement: true })
  id!: number;

  @ManyToOne(() => Organization, { ref: true, deleteRule: 'cascade' })
  organization!: Ref<Organization>;

  @Enum({ items: () => NotificationTopic, type: 'string' })
  topic!: NotificationTopic;

  @Enum({ items: () => NotificationChannel, type: 'string' })
  channel!: NotificationChannel;

  @Enum({ items: () => NotificationFrequency, type: 'string' })
  frequency!: NotificationFrequency;

  @Property({ type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' })
  updatedAt: Date = new Date();
}
