/**
 * Who wants which topic on which channel, how often. A person's own choice wins; without one, the
 * defaults of her organizations (the most frequent of them, so that no organization silences what
 * another one wants its members to hear); without those, the hub's defaults:
 *
 * - in the app: every topic, instantly;
 * - e-mail: a daily digest of new matching demands for organization admins; instantly, a worker's
 *   own demand's updates, a claim about to lapse and a disabled webhook, when the account has an
 *   address; nothing else;
 * - SMS: nothing, until she asks for it (consent), and only for her own demand's updates.
 *
 * Safety: her own demand's progress and her organization's verification decision (it may be
 * suspended) cannot leave her inbox; e-mail needs an address and SMS a mobile on the account.
 *
 * @module
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { ref } from '@mikro-orm/core';
import type { Actor } from '../../core/context.js';
import { requireViewer } from '../../core/auth.js';
import { BadUserInputError } from '../../core/errors.js';
import { User } from '../accounts/user.entity.js';
import { recordAudit } from '../audit/audit.js';
import { requireManaged } from '../organizations/organization.policy.js';
import {
  NotificationChannel,
  NotificationFrequency,
  NotificationPreferenceSource,
  NotificationTopic,
} from './notification.enums.js';
import { OrganizationNotificationDefault } from './notification-preference.entity.js';

/** Topics that always reach the inbox: they concern her safety or her rights. */
export const ALWAYS_IN_APP: ReadonlySet<NotificationTopic> = new Set([
  NotificationTopic.OWN_DEMAND_UPDATED,
  NotificationTopic.VERIFICATION_DECIDED,
]);

/** The one topic text messages may carry: a worker's own demand's updates. */
const SMS_TOPICS: ReadonlySet<NotificationTopic> = new Set([NotificationTopic.OWN_DEMAND_UPDATED]);

/** Topics e-mailed at once by default. */
const INSTANT_EMAIL_TOPICS: ReadonlySet<NotificationTopic> = new Set([
  NotificationTopic.OWN_DEMAND_UPDATED,
  NotificationTopic.CLAIM_LAPSING,
  NotificationTopic.WEBHOOK_DISABLED,
]);

const TOPICS = Object.values(NotificationTopic);
const CHANNELS = Object.values(NotificationChannel);

/** More frequent first: the order in which organization defaults win over each other. */
const FREQUENCY_RANK: Record<NotificationFrequency, number> = {
  [NotificationFrequency.INSTANT]: 2,
  [NotificationFrequency.DAILY_DIGEST]: 1,
  [NotificationFrequency.OFF]: 0,
};

export interface EffectivePreference {
  topic: NotificationTopic;
  channel: NotificationChannel;
  frequency: NotificationFrequency;
  source: NotificationPreferenceSource;
  /** True when it cannot be changed (the inbox for safety topics). */
  locked: boolean;
}

export interface PreferenceChoice {
  topic: NotificationTopic;
  channel: NotificationChannel;
  frequency: NotificationFrequency;
}

/** What a user's preferences depend on, read in one go for many users. */
interface PreferenceFacts {
  hasEmail: boolean;
  hasMobile: boolean;
  isOrganizationAdmin: boolean;
  own: Map<string, NotificationFrequency>;
  organization: Map<string, NotificationFrequency>;
}

const keyOf = (topic: NotificationTopic, channel: NotificationChannel) => `${topic}/${channel}`;

async function preferenceFacts(
  em: EntityManager,
  userIds: readonly number[],
): Promise<Map<number, PreferenceFacts>> {
  const facts = new Map<number, PreferenceFacts>();
  if (userIds.length === 0) return facts;
  const ids = `{${userIds.join(',')}}`;
  // One statement after another: the notification rounds call this inside their transaction, whose
  // one connection would only queue statements sent together (node-postgres deprecates that).
  const users = await em.execute<
    { id: string; has_email: boolean; has_mobile: boolean; is_admin: boolean }[]
  >(
    `select u."id", u."email" is not null as "has_email", u."mobile" is not null as "has_mobile",
              exists (select 1 from "organization_member" m
                       where m."user_id" = u."id" and m."role" = 'ORG_ADMIN') as "is_admin"
         from "app_user" u where u."id" = any(?::bigint[])`,
    [ids],
  );
  const own = await em.execute<
    {
      user_id: string;
      topic: NotificationTopic;
      channel: NotificationChannel;
      frequency: NotificationFrequency;
    }[]
  >(
    `select "user_id", "topic", "channel", "frequency" from "notification_preference"
        where "user_id" = any(?::bigint[])`,
    [ids],
  );
  const defaults = await em.execute<
    {
      user_id: string;
      topic: NotificationTopic;
      channel: NotificationChannel;
      frequency: NotificationFrequency;
    }[]
  >(
    `select m."user_id", d."topic", d."channel", d."frequency"
         from "organization_notification_default" d
         join "organization_member" m on m."organization_id" = d."organization_id"
        where m."user_id" = any(?::bigint[])`,
    [ids],
  );
  for (const row of users)
    facts.set(Number(row.id), {
      hasEmail: row.has_email,
      hasMobile: row.has_mobile,
      isOrganizationAdmin: row.is_admin,
      own: new Map(),
      organization: new Map(),
    });
  for (const row of own)
    facts.get(Number(row.user_id))?.own.set(keyOf(row.topic, row.channel), row.frequency);
  for (const row of defaults) {
    const map = facts.get(Number(row.user_id))?.organization;
    const key = keyOf(row.topic, row.channel);
    const current = map?.get(key);
    if (map && (current === undefined || FREQUENCY_RANK[row.frequency] > FREQUENCY_RANK[current]))
      map.set(key, row.frequency);
  }
  return facts;
}

function hubDefault(facts: PreferenceFacts, topic: NotificationTopic, channel: NotificationChannel) {
  switch (channel) {
    case NotificationChannel.IN_APP:
      return NotificationFrequency.INSTANT;
    case NotificationChannel.EMAIL:
      if (topic === NotificationTopic.DEMAND_MATCHED && facts.isOrganizationAdmin)
        return NotificationFrequency.DAILY_DIGEST;
      // What someone must act on soon, or loses: her own demand, a claim, a dead endpoint.
      if (INSTANT_EMAIL_TOPICS.has(topic)) return NotificationFrequency.INSTANT;
      return NotificationFrequency.OFF;
    case NotificationChannel.SMS:
      return NotificationFrequency.OFF;
  }
}

function resolve(
  facts: PreferenceFacts,
  topic: NotificationTopic,
  channel: NotificationChannel,
): EffectivePreference {
  const base = { topic, channel, locked: false };
  if (channel === NotificationChannel.IN_APP && ALWAYS_IN_APP.has(topic))
    return {
      ...base,
      frequency: NotificationFrequency.INSTANT,
      source: NotificationPreferenceSource.DEFAULT,
      locked: true,
    };
  // Nowhere to deliver to: off whatever was chosen.
  const unreachable =
    (channel === NotificationChannel.EMAIL && !facts.hasEmail) ||
    (channel === NotificationChannel.SMS && (!facts.hasMobile || !SMS_TOPICS.has(topic)));
  const key = keyOf(topic, channel);
  const own = facts.own.get(key);
  const organization = facts.organization.get(key);
  const [frequency, source] =
    own !== undefined
      ? [own, NotificationPreferenceSource.OWN]
      : organization !== undefined
        ? [organization, NotificationPreferenceSource.ORGANIZATION]
        : [hubDefault(facts, topic, channel), NotificationPreferenceSource.DEFAULT];
  return { ...base, frequency: unreachable ? NotificationFrequency.OFF : frequency, source };
}

/** Every topic × channel of one user, as it applies now. */
export async function effectivePreferences(
  em: EntityManager,
  userId: number,
): Promise<EffectivePreference[]> {
  const facts = (await preferenceFacts(em, [userId])).get(userId);
  if (!facts) return [];
  return TOPICS.flatMap((topic) => CHANNELS.map((channel) => resolve(facts, topic, channel)));
}

/** How often `topic` reaches each of these users on `channel` (absent: no such user). */
export async function frequenciesFor(
  em: EntityManager,
  userIds: readonly number[],
  topic: NotificationTopic,
  channel: NotificationChannel,
): Promise<Map<number, NotificationFrequency>> {
  const facts = await preferenceFacts(em, userIds);
  return new Map([...facts].map(([userId, f]) => [userId, resolve(f, topic, channel).frequency]));
}

/**
 * Who among the current members of these organizations (`adminsOnly`: their admins) gets `topic` on
 * `channel` at `frequency`, by organization. Most members of a large organization keep the defaults,
 * so unless the hub's default may be `frequency`, only those with a reason to differ (their own
 * choice of it, a default of it set by one of their organizations) are read and resolved.
 */
export async function membersChoosing(
  em: EntityManager,
  organizationIds: readonly number[],
  adminsOnly: boolean,
  choice: PreferenceChoice,
): Promise<Map<number, number[]>> {
  const { topic, channel, frequency } = choice;
  const byOrganization = new Map<number, number[]>();
  if (organizationIds.length === 0) return byOrganization;
  const base = { hasEmail: true, hasMobile: true, own: new Map(), organization: new Map() };
  const hubMayChoose = [true, false].some(
    (isOrganizationAdmin) =>
      resolve({ ...base, isOrganizationAdmin }, topic, channel).frequency === frequency,
  );
  const members = `{${organizationIds.join(',')}}`;
  const role = adminsOnly ? `and m."role" = 'ORG_ADMIN'` : '';
  const rows = hubMayChoose
    ? await em.execute<{ organization_id: string; user_id: string }[]>(
        `select m."organization_id", m."user_id" from "organization_member" m
           join "app_user" u on u."id" = m."user_id"
          where m."organization_id" = any(?::bigint[]) and u."status" = 'ACTIVE' ${role}
          order by m."organization_id", m."user_id"`,
        [members],
      )
    : // Driven from the few with a reason to differ (materialized: read first, usually empty), never
      // from the organization's many members.
      await em.execute<{ organization_id: string; user_id: string }[]>(
        `with "candidate" as materialized (
           select p."user_id" from "notification_preference" p
            where p."topic" = ? and p."channel" = ? and p."frequency" = ?
           union
           select o."user_id" from "organization_notification_default" d
             join "organization_member" o on o."organization_id" = d."organization_id"
            where d."topic" = ? and d."channel" = ? and d."frequency" = ?)
         select m."organization_id", m."user_id" from "candidate" c
           join "organization_member" m on m."user_id" = c."user_id" and m."organization_id" = any(?::bigint[])
           join "app_user" u on u."id" = m."user_id"
          where u."status" = 'ACTIVE' ${role}
          order by m."organization_id", m."user_id"`,
        [topic, channel, frequency, topic, channel, frequency, members],
      );
  if (rows.length === 0) return byOrganization;
  const userIds = [...new Set(rows.map((r) => Number(r.user_id)))];
  const frequencies = await frequenciesFor(em, userIds, topic, channel);
  for (const row of rows) {
    const userId = Number(row.user_id);
    if (frequencies.get(userId) !== frequency) continue;
    const organizationId = Number(row.organization_id);
    byOrganization.set(organizationId, [...(byOrganization.get(organizationId) ?? []), userId]);
  }
  return byOrganization;
}

/** The rules every choice (her own or an organization's default) must follow. */
function checkChoice(choice: PreferenceChoice): void {
  const { topic, channel, frequency } = choice;
  if (channel === NotificationChannel.IN_APP) {
    if (frequency === NotificationFrequency.DAILY_DIGEST)
      throw BadUserInputError.field('input.frequency', 'the inbox is instant or off; digests are by e-mail');
    if (frequency === NotificationFrequency.OFF && ALWAYS_IN_APP.has(topic))
      throw BadUserInputError.field('input.frequency', `${topic} always reaches the inbox`);
  }
  if (channel === NotificationChannel.SMS) {
    if (!SMS_TOPICS.has(topic))
      throw BadUserInputError.field('input.channel', 'text messages only carry updates of your own demands');
    if (frequency === NotificationFrequency.DAILY_DIGEST)
      throw BadUserInputError.field('input.frequency', 'text messages are instant or off');
  }
}

/** Records the viewer's own choice for one topic on one channel; resolves to all of hers. */
export async function updateOwnPreference(
  ctx: Actor,
  choice: PreferenceChoice,
): Promise<EffectivePreference[]> {
  const viewer = requireViewer(ctx.viewer);
  checkChoice(choice);
  const user = await ctx.em.findOneOrFail(User, viewer.userId, { fields: ['email', 'mobile'] });
  if (choice.frequency !== NotificationFrequency.OFF) {
    if (choice.channel === NotificationChannel.EMAIL && !user.email)
      throw BadUserInputError.field('input.channel', 'your account has no e-mail address');
    if (choice.channel === NotificationChannel.SMS && !user.mobile)
      throw BadUserInputError.field('input.channel', 'your account has no mobile number');
  }
  await ctx.em.transactional(async (em) => {
    await upsertChoice(em, 'notification_preference', 'user_id', viewer.userId, choice);
    recordAudit({ ...ctx, em }, 'updateNotificationPreferences', user, { ...choice });
    await em.flush();
  });
  return effectivePreferences(ctx.em, viewer.userId);
}

/** Turns one topic's e-mail off for a user: what her unsubscribe link does (unsubscribe.ts). */
export async function turnEmailOff(
  em: EntityManager,
  userId: number,
  topic: NotificationTopic,
): Promise<void> {
  await upsertChoice(em, 'notification_preference', 'user_id', userId, {
    topic,
    channel: NotificationChannel.EMAIL,
    frequency: NotificationFrequency.OFF,
  });
}

/**
 * An organization's admins set a default for its members (their own choices still win). Text
 * messages need each person's own consent, so an organization cannot default them on.
 */
export async function updateOrganizationDefault(
  ctx: Actor,
  input: PreferenceChoice & { organizationId: string },
): Promise<OrganizationNotificationDefault[]> {
  const org = await requireManaged(ctx, input.organizationId, 'input.organizationId');
  checkChoice(input);
  if (input.channel === NotificationChannel.SMS)
    throw BadUserInputError.field('input.channel', 'text messages need each person’s own consent');
  await ctx.em.transactional(async (em) => {
    await upsertChoice(em, 'organization_notification_default', 'organization_id', org.id, input);
    recordAudit({ ...ctx, em }, 'updateOrganizationNotificationDefaults', org, {
      topic: input.topic,
      channel: input.channel,
      frequency: input.frequency,
    });
    await em.flush();
  });
  return ctx.em.find(
    OrganizationNotificationDefault,
    { organization: ref(org) },
    { orderBy: { topic: 'asc', channel: 'asc' } },
  );
}

/** One statement, so two concurrent changes of the same choice cannot collide on the unique key. */
async function upsertChoice(
  em: EntityManager,
  table: 'notification_preference' | 'organization_notification_default',
  ownerColumn: 'user_id' | 'organization_id',
  ownerId: number,
  choice: PreferenceChoice,
): Promise<void> {
  await em.execute(
    `insert into "${table}" ("${ownerColumn}", "topic", "channel", "frequency", "updated_at")
     values (?, ?, ?, ?, now())
     on conflict ("${ownerColumn}", "topic", "channel")
     do update set "frequency" = excluded."frequency", "updated_at" = now()`,
    [ownerId, choice.topic, choice.channel, choice.frequency],
  );
}
