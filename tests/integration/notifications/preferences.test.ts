import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import { MemberRole } from '../../../src/modules/organizations/organization.enums.js';
import { User } from '../../../src/modules/accounts/user.entity.js';
import { submitDemand } from '../webhooks/helpers.js';
import { inbox, NOTIFY_ENV } from './helpers.js';
import { NotificationTopic } from '../../../src/modules/notifications/notification.enums.js';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp(NOTIFY_ENV);
});

afterAll(async () => {
  await t?.stop();
});

interface Setting {
  topic: string;
  channel: string;
  frequency: string;
  source: string;
  locked: boolean;
}

const PREFERENCES = `{ notificationPreferences { topic channel frequency source locked } }`;
const UPDATE = `mutation($input: UpdateNotificationPreferencesInput!) {
  updateNotificationPreferences(input: $input) { topic channel frequency source locked }
}`;
const UPDATE_ORG = `mutation($input: UpdateOrganizationNotificationDefaultsInput!) {
  updateOrganizationNotificationDefaults(input: $input) { topic channel frequency }
}`;

async function preferences(token: string): Promise<Map<string, Setting>> {
  const data = await t.data<{ notificationPreferences: Setting[] }>(PREFERENCES, {}, token);
  return new Map(data.notificationPreferences.map((s) => [`${s.topic}/${s.channel}`, s]));
}

/** A verified organization serving LIFE in Jinan: the demands submitted by `submitDemand` concern it. */
const servingOrg = () => t.seed.organization({ categoryCodes: ['LIFE'], regionCodes: ['370100'] });

describe('notification preferences', () => {
  it('has the hub defaults: inbox for all, digest of matches for admins, own updates, lapsing claims and disabled webhooks by e-mail', async () => {
    const org = await servingOrg();
    const member = await t.seed.organizationMember(org.organization.id);
    const admin = await preferences(org.token);
    // Every topic on every channel (in the app, e-mail, SMS).
    expect(admin.size).toBe(Object.values(NotificationTopic).length * 3);
    for (const setting of admin.values())
      if (setting.channel === 'IN_APP') expect(setting.frequency).toBe('INSTANT');
    expect(admin.get('DEMAND_MATCHED/EMAIL')).toMatchObject({ frequency: 'DAILY_DIGEST', source: 'DEFAULT' });
    expect(admin.get('OWN_DEMAND_UPDATED/EMAIL')).toMatchObject({ frequency: 'INSTANT' });
    expect(admin.get('PROJECT_ELIGIBLE/EMAIL')).toMatchObject({ frequency: 'OFF' });
    // What must be acted on soon is e-mailed at once: a claim about to lapse, a disabled webhook.
    expect(admin.get('CLAIM_LAPSING/EMAIL')).toMatchObject({ frequency: 'INSTANT', source: 'DEFAULT' });
    expect(admin.get('WEBHOOK_DISABLED/EMAIL')).toMatchObject({ frequency: 'INSTANT', source: 'DEFAULT' });
    expect(admin.get('APPLICATION_PERIOD_CLOSED/EMAIL')).toMatchObject({ frequency: 'OFF' });
    expect(admin.get('OWN_DEMAND_UPDATED/SMS')).toMatchObject({ frequency: 'OFF' });
    expect(admin.get('OWN_DEMAND_UPDATED/IN_APP')).toMatchObject({ locked: true });
    expect(admin.get('DEMAND_MATCHED/IN_APP')).toMatchObject({ locked: false });
    // A plain member gets no digest by default.
    expect((await preferences(member.token)).get('DEMAND_MATCHED/EMAIL')).toMatchObject({ frequency: 'OFF' });

    // Without an address there is no e-mail.
    const noEmail = await t.seed.worker();
    await t.orm.em.fork().nativeUpdate(User, { id: noEmail.user.id }, { email: null });
    expect((await preferences(noEmail.token)).get('OWN_DEMAND_UPDATED/EMAIL')).toMatchObject({
      frequency: 'OFF',
    });
  });

  it('turns a topic’s inbox off, for her only', async () => {
    const org = await servingOrg();
    const colleague = await t.seed.organizationMember(org.organization.id);
    const updated = await t.data<{ updateNotificationPreferences: Setting[] }>(
      UPDATE,
      { input: { topic: 'DEMAND_MATCHED', channel: 'IN_APP', frequency: 'OFF' } },
      colleague.token,
    );
    expect(updated.updateNotificationPreferences).toContainEqual({
      topic: 'DEMAND_MATCHED',
      channel: 'IN_APP',
      frequency: 'OFF',
      source: 'OWN',
      locked: false,
    });
    const worker = await t.seed.worker();
    const demandId = await submitDemand(t, worker.token);
    expect((await inbox(t, org.token)).items.map((i) => i.subjectId)).toEqual([demandId]);
    expect((await inbox(t, colleague.token)).items).toEqual([]);

    // And back on.
    await t.data(
      UPDATE,
      { input: { topic: 'DEMAND_MATCHED', channel: 'IN_APP', frequency: 'INSTANT' } },
      colleague.token,
    );
    const next = await submitDemand(t, worker.token);
    expect((await inbox(t, colleague.token)).items.map((i) => i.subjectId)).toEqual([next]);
  });

  it('refuses what would be unsafe or undeliverable, naming the field', async () => {
    const worker = await t.seed.worker();
    const refusals: [object, string][] = [
      [{ topic: 'OWN_DEMAND_UPDATED', channel: 'IN_APP', frequency: 'OFF' }, 'input.frequency'],
      [{ topic: 'VERIFICATION_DECIDED', channel: 'IN_APP', frequency: 'OFF' }, 'input.frequency'],
      [{ topic: 'DEMAND_MATCHED', channel: 'IN_APP', frequency: 'DAILY_DIGEST' }, 'input.frequency'],
      [{ topic: 'DEMAND_MATCHED', channel: 'SMS', frequency: 'INSTANT' }, 'input.channel'],
      [{ topic: 'OWN_DEMAND_UPDATED', channel: 'SMS', frequency: 'DAILY_DIGEST' }, 'input.frequency'],
      // The seeded worker has no mobile number.
      [{ topic: 'OWN_DEMAND_UPDATED', channel: 'SMS', frequency: 'INSTANT' }, 'input.channel'],
    ];
    for (const [input, field] of refusals) {
      const { body } = await t.gql(UPDATE, { input }, worker.token);
      expect(body.errors?.[0]?.extensions, JSON.stringify(input)).toMatchObject({
        code: 'BAD_USER_INPUT',
        fields: [{ path: field }],
      });
    }
    // Consent given with a mobile on the account.
    await t.orm.em
      .fork()
      .nativeUpdate(
        User,
        { id: worker.user.id },
        { mobile: `139${String(worker.user.id).padStart(8, '0')}` },
      );
    const consented = await t.data<{ updateNotificationPreferences: Setting[] }>(
      UPDATE,
      { input: { topic: 'OWN_DEMAND_UPDATED', channel: 'SMS', frequency: 'INSTANT' } },
      worker.token,
    );
    expect(consented.updateNotificationPreferences).toContainEqual(
      expect.objectContaining({
        topic: 'OWN_DEMAND_UPDATED',
        channel: 'SMS',
        frequency: 'INSTANT',
        source: 'OWN',
      }),
    );
    const anonymous = await t.gql(PREFERENCES, {});
    expect(anonymous.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('lets an organization’s admins set its members’ defaults, which a member’s own choice overrides', async () => {
    const org = await servingOrg();
    const member = await t.seed.organizationMember(org.organization.id);
    const outsider = await servingOrg();
    const organizationId = org.organization.globalId();
    const input = { organizationId, topic: 'DEMAND_MATCHED', channel: 'EMAIL', frequency: 'INSTANT' };

    const forbidden = await t.gql(UPDATE_ORG, { input }, member.token);
    expect(forbidden.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const foreign = await t.gql(UPDATE_ORG, { input }, outsider.token);
    expect(foreign.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const sms = await t.gql(
      UPDATE_ORG,
      { input: { ...input, topic: 'OWN_DEMAND_UPDATED', channel: 'SMS' } },
      org.token,
    );
    expect(sms.body.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [{ path: 'input.channel' }],
    });

    const set = await t.data<{ updateOrganizationNotificationDefaults: object[] }>(
      UPDATE_ORG,
      { input },
      org.token,
    );
    expect(set.updateOrganizationNotificationDefaults).toEqual([
      { topic: 'DEMAND_MATCHED', channel: 'EMAIL', frequency: 'INSTANT' },
    ]);
    expect((await preferences(member.token)).get('DEMAND_MATCHED/EMAIL')).toMatchObject({
      frequency: 'INSTANT',
      source: 'ORGANIZATION',
    });
    // Not for the members of another organization.
    expect((await preferences(outsider.token)).get('DEMAND_MATCHED/EMAIL')).toMatchObject({
      source: 'DEFAULT',
    });

    await t.data(
      UPDATE,
      { input: { topic: 'DEMAND_MATCHED', channel: 'EMAIL', frequency: 'OFF' } },
      member.token,
    );
    expect((await preferences(member.token)).get('DEMAND_MATCHED/EMAIL')).toMatchObject({
      frequency: 'OFF',
      source: 'OWN',
    });

    // An organization's inbox default applies to the fan-out too.
    await t.data(UPDATE_ORG, { input: { ...input, channel: 'IN_APP', frequency: 'OFF' } }, org.token);
    const admin2 = await t.seed.organizationMember(org.organization.id, MemberRole.ORG_ADMIN);
    await t.data(
      UPDATE,
      { input: { topic: 'DEMAND_MATCHED', channel: 'IN_APP', frequency: 'INSTANT' } },
      admin2.token,
    );
    const worker = await t.seed.worker();
    const demandId = await submitDemand(t, worker.token);
    expect((await inbox(t, member.token)).items).toEqual([]);
    expect((await inbox(t, admin2.token)).items.map((i) => i.subjectId)).toEqual([demandId]);
  });
});
