import { useCallback, useEffect, useState } from 'react';
import { Alert, Button, Descriptions, Empty, Form, Segmented, Select, Space, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { FormError } from '../shared/FormError.js';
import { Page } from '../shared/Layout.js';
import { request } from '../shared/api.js';
import type { Acting } from './acting.js';
import { ORG_ERRORS, SECTION_TITLE_STYLE } from './text.js';
import {
  DECIDE_HUB_MEMBERSHIP,
  HUB_MEMBERSHIP_REQUESTS,
  HUBS,
  REQUEST_HUB_MEMBERSHIP,
} from './operations.js';
import { applyApiErrors, errorText } from '../shared/errors.js';
import { SponsoredGroups } from './SponsoredGroups.js';
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
      {acting.isAdmin && state?.isHub && <IncomingRequests acting={acting} />}
      {acting.isAdmin && state?.isHub && <SponsoredGroups acting={acting} />}
    </Page>
  );
}

interface IncomingRequest {
  id: string;
  status: string;
  createdAt: string;
  reason: string | null;
  organization: { id: string; name: string };
}

const REQUEST_FILTERS = ['REQUESTED', 'ACCEPTED', 'REJECTED', 'ALL'] as const;
type RequestFilter = (typeof REQUEST_FILTERS)[number];

/** For a hub's admins: the organizations asking to join it, accepted or declined here. */
function IncomingRequests({ acting }: { acting: Acting }) {
  const { t } = useTranslation();
  const [filter, setFilter] = useState<RequestFilter>('REQUESTED');
  const [requests, setRequests] = useState<IncomingRequest[] | null>(null);
  const [notice, setNotice] = useState<{ type: 'success' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const data = await request<{
        organization: { hubMembershipRequests: { edges: { node: IncomingRequest }[] } | null } | null;
      }>(
        HUB_MEMBERSHIP_REQUESTS,
        { organizationId: acting.organization.id, status: filter === 'ALL' ? null : filter },
        acting.session.token,
      );
      setRequests(data.organization?.hubMembershipRequests?.edges.map((e) => e.node) ?? []);
    } catch (e) {
      setNotice({ type: 'error', text: errorText(e, t) });
    }
  }, [acting, filter]);
  useEffect(() => void load(), [load]);

  const decide = async (incoming: IncomingRequest, accept: boolean) => {
    setBusy(incoming.id);
    const organization = incoming.organization.name;
    try {
      await request(
        DECIDE_HUB_MEMBERSHIP,
        { input: { requestId: incoming.id, accept } },
        acting.session.token,
      );
      setNotice({
        type: 'success',
        text: t(accept ? 'org.hub.accepted' : 'org.hub.declined', { organization }),
      });
    } catch (e) {
      setNotice({ type: 'error', text: errorText(e, t, { codes: { CONFLICT: 'org.hub.alreadyDecided' } }) });
    } finally {
      setBusy(null);
      await load();
    }
  };

  return (
    <section aria-labelledby="org-hub-incoming" className="org-hub-incoming">
      <Typography.Title level={2} id="org-hub-incoming" style={SECTION_TITLE_STYLE}>
        {t('org.hub.incoming')}
      </Typography.Title>
      <Segmented<RequestFilter>
        aria-label={t('org.hub.statusFilter')}
        value={filter}
        onChange={setFilter}
        options={REQUEST_FILTERS.map((f) => ({
          value: f,
          label: f === 'ALL' ? t('org.hub.allStatuses') : t(`org.hubStatus.${f}`),
        }))}
      />
      {notice && <Alert type={notice.type} showIcon title={notice.text} style={{ marginTop: 12 }} />}
      {requests && requests.length === 0 ? (
        <Empty description={t('org.hub.noRequests')} />
      ) : (
        <Table<IncomingRequest>
          rowKey="id"
          size="small"
          style={{ marginTop: 12 }}
          loading={requests === null}
          dataSource={requests ?? []}
          pagination={false}
          columns={[
            {
              title: t('org.hub.organization'),
              key: 'organization',
              render: (_, r) => r.organization.name,
            },
            {
              title: t('org.hub.requestedAt'),
              key: 'createdAt',
              render: (_, r) => formatDateTime(r.createdAt),
            },
            { title: t('org.hub.status'), key: 'status', render: (_, r) => t(`org.hubStatus.${r.status}`) },
            {
              title: t('org.hub.actions'),
              key: 'actions',
              render: (_, r) =>
                r.status === 'REQUESTED' && (
                  <Space>
                    <Button
                      type="primary"
                      size="small"
                      loading={busy === r.id}
                      aria-label={t('org.hub.acceptRequest', { organization: r.organization.name })}
                      onClick={() => void decide(r, true)}
                    >
                      {t('org.hub.accept')}
                    </Button>
                    <Button
                      size="small"
                      disabled={busy === r.id}
                      aria-label={t('org.hub.declineRequest', { organization: r.organization.name })}
                      onClick={() => void decide(r, false)}
                    >
                      {t('org.hub.decline')}
                    </Button>
                  </Space>
                ),
            },
          ]}
        />
      )}
    </section>
  );
}
