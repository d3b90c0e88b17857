import { useState } from 'react';
import { Alert, Button, Form, Input, Select, Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { Page } from '../shared/Layout.js';
import { ReasonDialog } from '../shared/ReasonDialog.js';
import { request } from '../shared/api.js';
import { errorText } from '../shared/errors.js';
import { formatDateTime, localName } from '../shared/format.js';
import { useSignedIn } from '../shared/session-context.js';
import { useLoaded } from '../staff/staff-data.js';
import { ADMIN_ORGANIZATIONS, SUSPEND_ORGANIZATION, VERIFY_ORGANIZATION } from './operations.js';
import type { AdminOrganization } from './admin-types.js';

const STATUSES = ['VERIFIED', 'SUSPENDED', 'PENDING'];

/** The directory as admins see it (pending and suspended too): suspend or restore, with a reason. */
export function AdminOrganizations() {
  const { t } = useTranslation();
  const { token } = useSignedIn();
  const [text, setText] = useState('');
  const [status, setStatus] = useState<string | undefined>(undefined);
  const [acting, setActing] = useState<{
    organization: AdminOrganization;
    action: 'suspend' | 'restore';
  } | null>(null);
  const list = useLoaded(async () => {
    const data = await request<{
      organizations: { totalCount: number; edges: { node: AdminOrganization }[] };
    }>(
      ADMIN_ORGANIZATIONS,
      {
        filter: {
          ...(text.trim() ? { text: text.trim() } : {}),
          ...(status ? { verificationStatus: status } : {}),
        },
      },
      token,
    );
    return data.organizations;
  }, [token, text, status]);

  return (
    <Page title={t('admin.organizations.title')}>
      <Form layout="inline" style={{ marginBottom: 16 }}>
        <Form.Item label={t('admin.organizations.search')} htmlFor="admin-organizations-search">
          <Input.Search
            id="admin-organizations-search"
            allowClear
            onSearch={setText}
            style={{ width: 260 }}
          />
        </Form.Item>
        <Form.Item label={t('admin.organizations.status')} htmlFor="admin-organizations-status">
          <Select
            id="admin-organizations-status"
            allowClear
            style={{ width: 160 }}
            value={status}
            onChange={setStatus}
            options={STATUSES.map((s) => ({ value: s, label: t(`admin.verificationStatus.${s}`) }))}
          />
        </Form.Item>
      </Form>
      {list.error != null && <Alert type="error" showIcon message={errorText(list.error, t)} />}
      <Table<AdminOrganization>
        rowKey="id"
        loading={!list.data && list.error == null}
        dataSource={list.data?.edges.map((e) => e.node) ?? []}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        columns={[
          { title: t('admin.org.name'), dataIndex: 'name' },
          { title: t('admin.org.creditCode'), render: (_, o) => <code>{o.creditCode}</code> },
          { title: t('admin.org.homeRegion'), render: (_, o) => localName(o.homeRegion) },
          {
            title: t('admin.organizations.status'),
            render: (_, o) => (
              <Tag data-testid="verification-status">
                {t(`admin.verificationStatus.${o.verificationStatus}`)}
              </Tag>
            ),
          },
          {
            title: t('admin.organizations.lastDecision'),
            render: (_, o) =>
              o.verification.decidedAt
                ? `${formatDateTime(o.verification.decidedAt)} ${o.verification.reason ?? ''}`
                : '—',
          },
          {
            title: t('admin.organizations.actions'),
            render: (_, o) =>
              o.verificationStatus === 'SUSPENDED' ? (
                <Button size="small" onClick={() => setActing({ organization: o, action: 'restore' })}>
                  {t('admin.organizations.restore', { name: o.name })}
                </Button>
              ) : (
                <Button size="small" danger onClick={() => setActing({ organization: o, action: 'suspend' })}>
                  {t('admin.organizations.suspend', { name: o.name })}
                </Button>
              ),
          },
        ]}
      />
      {acting && (
        <ReasonDialog
          name="reason-dialog"
          title={t(`admin.organizations.${acting.action}Title`, { name: acting.organization.name })}
          confirmText={t(`admin.organizations.${acting.action}Confirm`)}
          danger={acting.action === 'suspend'}
          fieldHints={['admin.fieldErrors']}
          onCancel={() => setActing(null)}
          onSubmit={async (reason) => {
            // Restoring is verifying again: the hub records the reason, who and when.
            await request(
              acting.action === 'suspend' ? SUSPEND_ORGANIZATION : VERIFY_ORGANIZATION,
              { input: { organizationId: acting.organization.id, reason } },
              token,
            );
            setActing(null);
            list.reload();
          }}
        />
      )}
    </Page>
  );
}
