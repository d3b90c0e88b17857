import { useState } from 'react';
import { Alert, Button, Form, Input, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { FormError } from '../shared/FormError.js';
import { Page } from '../shared/Layout.js';
import { request } from '../shared/api.js';
import { useFieldErrors } from '../shared/errors.js';
import { useSession, useSignedIn } from '../shared/session-context.js';
import { useLoaded } from '../staff/staff-data.js';
import { RegionCascader } from '../admin/RegionCascader.js';
import { CategoryPicker, usePickerChoices } from './pickers.js';
import { REGISTER_ORGANIZATION, SPONSOR_HUBS } from './operations.js';

/** The kinds of provider, each with its own verification rule (docs/domain.md, "Providers"). */
const PROVIDER_KINDS = ['SOCIAL_ORGANIZATION', 'CARING_ENTERPRISE', 'PUBLIC_INSTITUTION', 'COMMUNITY_GROUP'];
const LEGAL_FORMS = ['SOCIAL_GROUP', 'SOCIAL_SERVICE_AGENCY', 'FOUNDATION', 'OTHER'];
const FOUNDING_TYPES = ['UNION_FOUNDED', 'UNION_INCUBATED', 'INDEPENDENT'];

interface Registration {
  providerKind: string;
  name: string;
  creditCode?: string;
  kind?: string;
  sponsorOrganizationId?: string;
  foundingType: string;
  homeRegionCode: string;
  categoryCodes: string[];
}

/**
 * Registers a provider of any kind: a credit code for the coded kinds (a social organization also
 * says its legal form), a sponsoring verified hub for a community group. The registrant becomes its
 * admin and it waits for verification.
 */
export function RegisterPage() {
  const { t } = useTranslation();
  const { token } = useSignedIn();
  const { refreshViewer } = useSession();
  const [form] = Form.useForm();
  const providerKind = Form.useWatch('providerKind', form);
  const homeRegionCode = Form.useWatch('homeRegionCode', form) ?? null;
  const choices = usePickerChoices(token, homeRegionCode ?? '370000');
  const hubs = useLoaded(async () => {
    const data = await request<{ organizations: { edges: { node: { id: string; name: string } }[] } }>(
      SPONSOR_HUBS,
      {},
      token,
    );
    return data.organizations.edges.map((e) => e.node);
  }, [token]);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const { formError, run } = useFieldErrors(form, { fieldHints: ['org.registerErrors'] });
  const required = [{ required: true, message: t('org.register.required') }];
  const community = providerKind === 'COMMUNITY_GROUP';

  const submit = async ({ creditCode, kind, sponsorOrganizationId, ...rest }: Registration) => {
    setBusy(true);
    setDone(null);
    const input = {
      ...rest,
      creditCode: community ? null : creditCode,
      kind: providerKind === 'SOCIAL_ORGANIZATION' ? kind : null,
      sponsorOrganizationId: community ? sponsorOrganizationId : null,
    };
    const ok = await run(() => request(REGISTER_ORGANIZATION, { input }, token));
    setBusy(false);
    if (!ok) return;
    setDone(rest.name);
    form.resetFields();
    await refreshViewer(); // she is now an organization's admin
  };

  return (
    <Page title={t('org.register.title')}>
      {done && <Alert type="success" showIcon title={t('org.register.done', { name: done })} />}
      <Form<Registration>
        form={form}
        name="register-organization"
        layout="vertical"
        style={{ maxWidth: 560 }}
        initialValues={{ providerKind: 'SOCIAL_ORGANIZATION', foundingType: 'INDEPENDENT' }}
        onFinish={(v) => void submit(v)}
      >
        <Form.Item name="providerKind" label={t('org.register.providerKind')} rules={required}>
          <Select options={PROVIDER_KINDS.map((k) => ({ value: k, label: t(`org.providerKind.${k}`) }))} />
        </Form.Item>
        <Form.Item name="name" label={t('org.register.name')} rules={required}>
          <Input maxLength={200} />
        </Form.Item>
        {community ? (
          <Form.Item
            name="sponsorOrganizationId"
            label={t('org.register.sponsor')}
            extra={t('org.register.sponsorHint')}
            rules={required}
          >
            <Select
              loading={!hubs.data}
              showSearch={{ optionFilterProp: 'label' }}
              options={(hubs.data ?? []).map((h) => ({ value: h.id, label: h.name }))}
            />
          </Form.Item>
        ) : (
          <Form.Item
            name="creditCode"
            label={t('org.register.creditCode')}
            extra={t('org.register.creditCodeHint')}
            rules={required}
          >
            <Input maxLength={64} />
          </Form.Item>
        )}
        {providerKind === 'SOCIAL_ORGANIZATION' && (
          <Form.Item name="kind" label={t('org.register.kind')} rules={required}>
            <Select options={LEGAL_FORMS.map((k) => ({ value: k, label: t(`admin.kind.${k}`) }))} />
          </Form.Item>
        )}
        <Form.Item name="foundingType" label={t('org.register.foundingType')} rules={required}>
          <Select options={FOUNDING_TYPES.map((f) => ({ value: f, label: t(`org.foundingType.${f}`) }))} />
        </Form.Item>
        <Form.Item name="homeRegionCode" label={t('org.register.homeRegion')} rules={required}>
          <RegionCascader />
        </Form.Item>
        <Form.Item name="categoryCodes" label={t('org.register.categories')} rules={required}>
          <CategoryPicker choices={choices} />
        </Form.Item>
        <FormError text={formError} />
        <Button type="primary" htmlType="submit" loading={busy}>
          {t('org.register.submit')}
        </Button>
      </Form>
    </Page>
  );
}
