import { useCallback, useEffect, useState } from 'react';
import { Alert, Button, Descriptions, Form, Select, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { FormError } from '../shared/FormError.js';
import { Page } from '../shared/Layout.js';
import { request } from '../shared/api.js';
import type { Acting } from './acting.js';
import { ORG_ERRORS } from './text.js';
import { HUBS, REQUEST_HUB_MEMBERSHIP } from './operations.js';
import { applyApiErrors, errorText } from '../shared/errors.js';
import { formatDateTime, localName } from '../shared/format.js';

interface Hub {
  id: string;
  name: string;
  homeRegion: { name: string; nameEn: string };
}

interface HubRequest {
  id: string;
  status: string;
  createdAt: string;
  reason: string | null;
  hub: { id: string; name: string };
}

/** Hub membership (枢纽型社会组织): the hub the organization belongs to, or a request to join one. */
export function HubPage({ acting }: { acting: Acting }) {
  const { t } = useTranslation();
  const [state, setState] = useState<{
    isHub: boolean;
    hub: { id: string; name: string } | null;
    hubs: Hub[];
  } | null>(null);
  const [sent, setSent] = useState<HubRequest | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm();

  const load = useCallback(async () => {
    try {
      const data = await request<{
        organization: { isHub: boolean; hub: { id: string; name: string } | null } | null;
        organizations: { edges: { node: Hub }[] };
      }>(HUBS, { organizationId: acting.organization.id }, acting.session.token);
      setState({
        isHub: data.organization?.isHub ?? false,
        hub: data.organization?.hub ?? null,
        hubs: data.organizations.edges.map((e) => e.node).filter((h) => h.id !== acting.organization.id),
      });
    } catch (e) {
      setError(errorText(e, t));
    }
  }, [acting]);
  useEffect(() => void load(), [load]);

  const ask = async ({ hubId }: { hubId: string }) => {
    setBusy(true);
    setError(null);
    try {
      const data = await request<{ requestHubMembership: { request: HubRequest } }>(
        REQUEST_HUB_MEMBERSHIP,
        { input: { organizationId: acting.organization.id, hubId } },
        acting.session.token,
      );
      setSent(data.requestHubMembership.request);
    } catch (e) {
      setError(applyApiErrors(form, e, t, ORG_ERRORS));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Page title={t('org.hub.title')}>
      <Typography.Paragraph>{t('org.hub.explain')}</Typography.Paragraph>
      {state && (
        <Descriptions bordered size="small" column={1}>
          <Descriptions.Item label={t('org.hub.current')}>
            {state.hub?.name ?? t('org.hub.none')}
          </Descriptions.Item>
          {state.isHub && <Descriptions.Item label={t('org.hub.isHub')}>{t('org.yes')}</Descriptions.Item>}
        </Descriptions>
      )}
      {sent && (
        <Alert
          type="success"
          showIcon
          className="org-hub-request"
          title={t('org.hub.requested', { hub: sent.hub.name, status: t(`org.hubStatus.${sent.status}`) })}
          description={formatDateTime(sent.createdAt)}
        />
      )}
      {acting.isAdmin && state && !state.hub && (
        <Form form={form} layout="inline" onFinish={(v) => void ask(v)} style={{ marginTop: 16 }}>
          <Form.Item
            name="hubId"
            label={t('org.hub.choose')}
            rules={[{ required: true, message: t('org.required') }]}
          >
            <Select
              style={{ minWidth: 260 }}
              options={state.hubs.map((h) => ({
                value: h.id,
                label: `${h.name}（${localName(h.homeRegion)}）`,
              }))}
              notFoundContent={t('org.hub.noHubs')}
            />
          </Form.Item>
          <Form.Item>
            <Button type="primary" htmlType="submit" loading={busy}>
              {t('org.hub.request')}
            </Button>
          </Form.Item>
        </Form>
      )}
      <FormError text={error} />
    </Page>
  );
}
