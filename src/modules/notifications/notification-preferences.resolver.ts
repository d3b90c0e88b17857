import {
  Arg,
  Authorized,
  Ctx,
  Field,
  ID,
  InputType,
  Mutation,
  ObjectType,
  Query,
  Resolver,
} from 'type-graphql';
import type { Context } from '../../core/context.js';
import {
  NotificationChannel,
  NotificationFrequency,
  NotificationPreferenceSource,
  NotificationTopic,
} from './notification.enums.js';
import {
  effectivePreferences,
  updateOrganizationDefault,
  updateOwnPreference,
} from './notification-preferences.js';
import { requireViewer } from '../../core/auth.js';

@ObjectType({ description: 'How often one topic reaches you on one channel, and why.' })
export class NotificationPreferenceSetting {
  @Field(() => NotificationTopic)
  topic!: NotificationTopic;

  @Field(() => NotificationChannel)
  channel!: NotificationChannel;

  @Field(() => NotificationFrequency, {
    description: 'As it applies now (OFF when the account has no address for the channel).',
  })
  frequency!: NotificationFrequency;

  @Field(() => NotificationPreferenceSource)
  source!: NotificationPreferenceSource;

  @Field(() => Boolean, { description: 'True when it cannot be changed (the inbox for safety topics).' })
  locked!: boolean;
}

@ObjectType({ description: "An organization's default for its members on one topic and channel." })
export class OrganizationNotificationDefaultSetting {
  @Field(() => NotificationTopic)
  topic!: NotificationTopic;

  @Field(() => NotificationChannel)
  channel!: NotificationChannel;

  @Field(() => NotificationFrequency)
  frequency!: NotificationFrequency;
}

@InputType()
export class UpdateNotificationPreferencesInput {
  @Field(() => NotificationTopic)
  topic!: NotificationTopic;

  @Field(() => NotificationChannel)
  channel!: NotificationChannel;

  @Field(() => NotificationFrequency)
  frequency!: NotificationFrequency;
}

@InputType()
export class UpdateOrganizationNotificationDefaultsInput extends UpdateNotificationPreferencesInput {
  @Field(() => ID)
  organizationId!: string;
}

@Resolver()
export class NotificationPreferencesResolver {
  @Authorized()
  @Query(() => [NotificationPreferenceSetting], {
    description: 'How often each topic reaches you on each channel.',
  })
  notificationPreferences(@Ctx() ctx: Context): Promise<NotificationPreferenceSetting[]> {
    return effectivePreferences(ctx.em, requireViewer(ctx.viewer).userId);
  }

  @Authorized()
  @Mutation(() => [NotificationPreferenceSetting], {
    description:
      'Sets how often one topic reaches you on one channel (your choice overrides your organizations’ defaults). Resolves to all your preferences.',
  })
  updateNotificationPreferences(
    @Ctx() ctx: Context,
    @Arg('input', () => UpdateNotificationPreferencesInput) input: UpdateNotificationPreferencesInput,
  ): Promise<NotificationPreferenceSetting[]> {
    return updateOwnPreference(ctx, input);
  }

  @Authorized()
  @Mutation(() => [OrganizationNotificationDefaultSetting], {
    description:
      "Its admins set the organization's default for its members on one topic and channel (a member's own choice overrides it; SMS needs each member's own consent). Resolves to all its defaults.",
  })
  updateOrganizationNotificationDefaults(
    @Ctx() ctx: Context,
    @Arg('input', () => UpdateOrganizationNotificationDefaultsInput)
    input: UpdateOrganizationNotificationDefaultsInput,
  ): Promise<OrganizationNotificationDefaultSetting[]> {
    return updateOrganizationDefault(ctx, input);
  }
}
