import { useCallback, useEffect, useState } from 'react';
import {
  Alert,
  Button,
  Checkbox,
  Form,
  Input,
  Modal,
  Popconfirm,
  Space,
  Table,
  Tag,
  Typography,
  message,
} from 'antd';
import { useTranslation } from 'react-i18next';
import { FormError } from '../shared/FormError.js';
import { Page } from '../shared/Layout.js';
import { request } from '../shared/api.js';
import type { Acting } from './acting.js';
import { ORG_ERRORS, SECTION_TITLE_STYLE } from './text.js';
import {
  DELETE_WEBHOOK,
  ENABLE_WEBHOOK,
  PING_WEBHOOK,
  REGISTER_WEBHOOK,
  WEBHOOK_DELIVERIES,
  WEBHOOKS,
} from './operations.js';
import { applyApiErrors, errorText } from '../shared/errors.js';
import { formatDateTime } from '../shared/format.js';

/** A webhook endpoint, as the screen shows it (never its secret). */
export interface OrganizationWebhook {
  id: string;
  url: string;
  topics: string[];
  enabled: boolean;
  consecutiveFailures: number;
  disabledReason: string | null;
  createdAt: string;
}

interface Delivery {
  eventSeq: string;
  status: string;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

const TOPICS = [
  'DEMAND_PUBLISHED',
  'DEMAND_UPDATED',
  'CLAIM_LAPSING',
  'PROJECT_PUBLISHED',
  'PROJECT_AWARDED',
  'APPLICATION_DECIDED',
  'VERIFICATION_DECIDED',
];

/** The organization's webhook endpoints: register (the secret is shown once), deliveries, ping, enable, delete. */
export function WebhooksPage({ acting }: { acting: Acting }) {
  const { t } = useTranslation();
  const [webhooks, setWebhooks] = useState<OrganizationWebhook[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [registerError, setRegisterError] = useState<string | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm();
  const [notice, noticeHolder] = message.useMessage();
  const { token } = acting.session;

  const load = useCallback(async () => {
    try {
      const data = await request<{ webhooks: OrganizationWebhook[] }>(
        WEBHOOKS,
        { organizationId: acting.organization.id },
        token,
      );
      setWebhooks(data.webhooks);
    } catch (e) {
      setError(errorText(e, t));
    }
  }, [acting, token]);
  useEffect(() => void load(), [load]);

  const register = async (values: { url: string; topics: string[] }) => {
    setBusy(true);
    setRegisterError(null);
    try {
      const data = await request<{ registerWebhook: { secret: string } }>(
        REGISTER_WEBHOOK,
        { input: { organizationId: acting.organization.id, url: values.url.trim(), topics: values.topics } },
        token,
      );
      form.resetFields();
      setSecret(data.registerWebhook.secret);
      await load();
    } catch (e) {
      setRegisterError(applyApiErrors(form, e, t, ORG_ERRORS));
    } finally {
      setBusy(false);
    }
  };

  const act = async (operation: string, webhook: OrganizationWebhook) => {
    setError(null);
    try {
      const data = await request<{
        pingWebhook?: { delivered: boolean; statusCode: number | null; error: string | null };
      }>(operation, { id: webhook.id }, token);
      if (data.pingWebhook)
        void (data.pingWebhook.delivered
          ? notice.success(t('org.webhooks.pingDelivered', { status: data.pingWebhook.statusCode }))
          : notice.error(t('org.webhooks.pingFailed', { error: data.pingWebhook.error })));
      await load();
    } catch (e) {
      setError(errorText(e, t));
    }
  };

  return (
    <Page title={t('org.webhooks.title')}>
      {noticeHolder}
      <Typography.Paragraph>{t('org.webhooks.explain')}</Typography.Paragraph>
      {error && <Alert type="error" showIcon title={error} />}
      <Table<OrganizationWebhook>
        rowKey="id"
        loading={!webhooks}
        dataSource={webhooks ?? []}
        pagination={false}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: <Typography.Text>{t('org.webhooks.empty')}</Typography.Text> }}
        expandable={{
          expandedRowRender: (w) => <Deliveries token={token} webhookId={w.id} />,
          expandRowByClick: false,
        }}
        columns={[
          { title: t('org.webhooks.url'), dataIndex: 'url' },
          {
            title: t('org.webhooks.topics'),
            render: (_, w) =>
              w.topics.map((topic) => <Tag key={topic}>{t(`org.webhookTopic.${topic}`)}</Tag>),
          },
          {
            title: t('org.webhooks.state'),
            render: (_, w) =>
              w.enabled ? (
                <Tag>{t('org.webhooks.enabled')}</Tag>
              ) : (
                <Tag title={w.disabledReason ?? undefined}>{t('org.webhooks.disabled')}</Tag>
              ),
          },
          { title: t('org.webhooks.failures'), dataIndex: 'consecutiveFailures' },
          { title: t('org.webhooks.created'), render: (_, w) => formatDateTime(w.createdAt) },
          {
            title: t('org.actions'),
            key: 'actions',
            render: (_, w) => (
              <Space wrap>
                <Button
                  size="small"
                  onClick={() => void act(PING_WEBHOOK, w)}
                  aria-label={t('org.webhooks.pingUrl', { url: w.url })}
                >
                  {t('org.webhooks.ping')}
                </Button>
                {!w.enabled && (
                  <Button
                    size="small"
                    onClick={() => void act(ENABLE_WEBHOOK, w)}
                    aria-label={t('org.webhooks.enableUrl', { url: w.url })}
                  >
                    {t('org.webhooks.enable')}
                  </Button>
                )}
                <Popconfirm
                  title={t('org.webhooks.deleteConfirm', { url: w.url })}
                  okText={t('org.webhooks.delete')}
                  cancelText={t('common.cancel')}
                  onConfirm={() => act(DELETE_WEBHOOK, w)}
                >
                  <Button size="small" danger aria-label={t('org.webhooks.deleteUrl', { url: w.url })}>
                    {t('org.webhooks.delete')}
                  </Button>
                </Popconfirm>
              </Space>
            ),
          },
        ]}
      />
      <Typography.Title level={2} style={SECTION_TITLE_STYLE}>
        {t('org.webhooks.registerTitle')}
      </Typography.Title>
      <Form
        form={form}
        layout="vertical"
        initialValues={{ topics: ['DEMAND_PUBLISHED'] }}
        onFinish={(v) => void register(v)}
        style={{ maxWidth: 720 }}
        className="org-webhook-form"
      >
        <Form.Item
          name="url"
          label={t('org.webhooks.url')}
          rules={[{ required: true, message: t('org.required') }]}
        >
          <Input inputMode="url" placeholder="https://" />
        </Form.Item>
        {/* No required rule: antd would mark the checkbox group aria-required, which a group may
            not carry; the hub itself refuses an empty list, and says so under the field. */}
        <Form.Item name="topics" label={t('org.webhooks.topics')}>
          <Checkbox.Group
            role="group"
            aria-label={t('org.webhooks.topics')}
            options={TOPICS.map((topic) => ({ value: topic, label: t(`org.webhookTopic.${topic}`) }))}
          />
        </Form.Item>
        <FormError text={registerError} />
        <Button type="primary" htmlType="submit" loading={busy}>
          {t('org.webhooks.register')}
        </Button>
      </Form>
      <Modal
        open={secret !== null}
        title={t('org.webhooks.secretTitle')}
        onOk={() => setSecret(null)}
        onCancel={() => setSecret(null)}
        okText={t('org.webhooks.secretStored')}
        cancelButtonProps={{ style: { display: 'none' } }}
        closable={false}
        maskClosable={false}
      >
        <Typography.Paragraph>{t('org.webhooks.secretOnce')}</Typography.Paragraph>
        <Typography.Paragraph copyable={{ text: secret ?? '' }} code data-testid="webhook-secret">
          {secret}
        </Typography.Paragraph>
      </Modal>
    </Page>
  );
}

/** The latest deliveries of one endpoint, newest first. */
function Deliveries({ token, webhookId }: { token: string; webhookId: string }) {
  const { t } = useTranslation();
  const [deliveries, setDeliveries] = useState<Delivery[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    request<{ webhookDeliveries: Delivery[] }>(WEBHOOK_DELIVERIES, { webhookId }, token)
      .then((data) => setDeliveries(data.webhookDeliveries))
      .catch((e: unknown) => setError(errorText(e, t)));
  }, [token, webhookId]);
  if (error) return <Alert type="error" showIcon title={error} />;
  return (
    <Table<Delivery>
      size="small"
      rowKey="eventSeq"
      loading={!deliveries}
      dataSource={deliveries ?? []}
      pagination={false}
      scroll={{ x: 'max-content' }}
      locale={{ emptyText: <Typography.Text>{t('org.webhooks.noDeliveries')}</Typography.Text> }}
      columns={[
        { title: t('org.webhooks.event'), dataIndex: 'eventSeq' },
        { title: t('org.webhooks.deliveryStatus'), render: (_, d) => t(`org.deliveryStatus.${d.status}`) },
        { title: t('org.webhooks.attempts'), dataIndex: 'attempts' },
        { title: t('org.webhooks.lastAnswer'), render: (_, d) => d.lastError ?? d.lastStatusCode ?? '—' },
        { title: t('org.webhooks.created'), render: (_, d) => formatDateTime(d.createdAt) },
        { title: t('org.webhooks.delivered'), render: (_, d) => formatDateTime(d.deliveredAt) },
      ]}
    />
  );
}
