import { useState } from 'react';
import { Alert, Button, Card, Form, Input, Select, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { FormError } from '../shared/FormError.js';
import { formatDateTime, localName } from '../shared/format.js';
import { Page } from '../shared/Layout.js';
import { request } from '../shared/api.js';
import { errorText, useFieldErrors } from '../shared/errors.js';
import { ReasonDialog } from '../shared/ReasonDialog.js';
import { useSignedIn } from '../shared/session-context.js';
import {
  ADD_PUBLISHER_STAFF,
  ADMIN_ACCOUNTS,
  CREATE_STAFF_ACCOUNT,
  SET_ACCOUNT_STATUS,
} from './operations.js';
import type { AdminAccount, AdminAccountPage } from './admin-types.js';
import { useLoaded } from '../staff/staff-data.js';
import { usePublishers } from './Publishers.js';
import { RegionCascader } from './RegionCascader.js';

const STAFF_ROLES = ['UNION_STAFF', 'GOV_STAFF', 'ENTERPRISE_STAFF', 'ADMIN'];
/** The publisher kind whose staff hold each role. */
const KIND_OF_ROLE: Record<string, string> = {
  UNION_STAFF: 'UNION',
  GOV_STAFF: 'GOVERNMENT',
  ENTERPRISE_STAFF: 'ENTERPRISE',
};

interface NewStaff {
  role: string;
  displayName: string;
  email?: string;
  mobile?: string;
  password: string;
  regionScopeCode?: string;
  publisherId?: string;
}

/** What the account list is narrowed to. */
interface AccountQuery {
  text: string;
  role?: string;
  status?: string;
}

const PAGE_SIZE = 20;
const LISTED_ROLES = ['WORKER', 'ORG_ADMIN', 'ORG_MEMBER', ...STAFF_ROLES];

/**
 * Every account, newest first, searched by name, mobile or e-mail and narrowed by role and status,
 * each suspended or made active again from its row with a reason; and the form that creates staff
 * accounts (optionally acting for a publisher at once).
 */
export function StaffAccounts() {
  const { t } = useTranslation();
  const { token } = useSignedIn();
  const publishers = usePublishers(token);
  const [form] = Form.useForm();
  const role = Form.useWatch('role', form);
  const [busy, setBusy] = useState(false);
  const { formError: error, run } = useFieldErrors(form, { fieldHints: ['admin.fieldErrors'] });
  const [changing, setChanging] = useState<AdminAccount | null>(null);
  const [query, setQuery] = useState<AccountQuery>({ text: '' });
  const [more, setMore] = useState<{ busy: boolean; error: unknown }>({ busy: false, error: null });

  const page = (after: string | null) =>
    request<{ accounts: AdminAccountPage }>(
      ADMIN_ACCOUNTS,
      {
        first: PAGE_SIZE,
        after,
        filter: {
          // A blank search lists every account (the hub refuses a blank text).
          ...(query.text.trim() ? { text: query.text.trim() } : {}),
          ...(query.role ? { role: query.role } : {}),
          ...(query.status ? { status: query.status } : {}),
        },
      },
      token,
    ).then((data) => data.accounts);
  const list = useLoaded(() => page(null), [token, query]);

  const loadMore = async () => {
    if (!list.data) return;
    setMore({ busy: true, error: null });
    try {
      const next = await page(list.data.pageInfo.endCursor);
      list.setData({ ...next, edges: [...list.data.edges, ...next.edges] });
      setMore({ busy: false, error: null });
    } catch (e) {
      setMore({ busy: false, error: e });
    }
  };

  const replace = (updated: AdminAccount) =>
    list.data &&
    list.setData({
      ...list.data,
      edges: list.data.edges.map((e) => (e.node.id === updated.id ? { node: { ...e.node, ...updated } } : e)),
    });

  const create = async ({ publisherId, ...input }: NewStaff) => {
    setBusy(true);
    await run(async () => {
      const created = await request<{ createStaffAccount: { user: AdminAccount } }>(
        CREATE_STAFF_ACCOUNT,
        { input: { ...input, email: input.email || null, mobile: input.mobile || null } },
        token,
      );
      if (publisherId)
        await request(
          ADD_PUBLISHER_STAFF,
          { input: { publisherId, userId: created.createStaffAccount.user.id } },
          token,
        );
      form.resetFields();
      list.reload(); // newest first: the new account heads the list
    });
    setBusy(false);
  };

  const publisherOptions = (publishers.data ?? [])
    .filter((p) => !role || p.kind === KIND_OF_ROLE[role])
    .map((p) => ({ value: p.id, label: `${p.name} (${localName(p.region)})` }));

  return (
    <Page title={t('admin.accounts.title')}>
      <Card title={t('admin.accounts.list', { count: list.data?.totalCount ?? 0 })} size="small">
        <Form layout="inline" style={{ marginBottom: 16 }}>
          <Form.Item label={t('admin.accounts.search')} htmlFor="admin-accounts-search">
            <Input.Search
              id="admin-accounts-search"
              allowClear
              onSearch={(text) => setQuery((q) => ({ ...q, text }))}
              style={{ width: 260 }}
            />
          </Form.Item>
          <Form.Item label={t('admin.accounts.role')} htmlFor="admin-accounts-role">
            <Select
              id="admin-accounts-role"
              allowClear
              style={{ width: 180 }}
              value={query.role}
              onChange={(value?: string) => setQuery((q) => ({ ...q, role: value }))}
              options={LISTED_ROLES.map((r) => ({ value: r, label: t(`admin.role.${r}`) }))}
            />
          </Form.Item>
          <Form.Item label={t('admin.accounts.status')} htmlFor="admin-accounts-status">
            <Select
              id="admin-accounts-status"
              allowClear
              style={{ width: 140 }}
              value={query.status}
              onChange={(value?: string) => setQuery((q) => ({ ...q, status: value }))}
              options={['ACTIVE', 'SUSPENDED'].map((s) => ({
                value: s,
                label: t(`admin.accountStatus.${s}`),
              }))}
            />
          </Form.Item>
        </Form>
        {list.error != null && <Alert type="error" showIcon message={errorText(list.error, t)} />}
        <Table<AdminAccount>
          rowKey="id"
          size="small"
          pagination={false}
          loading={!list.data && list.error == null}
          dataSource={list.data?.edges.map((e) => e.node) ?? []}
          // antd's own placeholder grey fails contrast: the text in the body's colour.
          locale={{ emptyText: <Typography.Text>{t('admin.accounts.none')}</Typography.Text> }}
          columns={[
            { title: t('admin.accounts.displayName'), dataIndex: 'displayName' },
            { title: t('admin.accounts.email'), render: (_, a) => a.email ?? '—' },
            { title: t('admin.accounts.mobile'), render: (_, a) => a.mobile ?? '—' },
            {
              title: t('admin.accounts.role'),
              render: (_, a) => (a.roles ?? []).map((r) => t(`admin.role.${r}`)).join('、'),
            },
            {
              title: t('admin.accounts.regionScope'),
              render: (_, a) => (a.regionScope ? localName(a.regionScope) : '—'),
            },
            { title: t('admin.accounts.publisher'), render: (_, a) => a.publisher?.name ?? '—' },
            {
              title: t('admin.accounts.createdAt'),
              render: (_, a) => (a.createdAt ? formatDateTime(a.createdAt) : '—'),
            },
            {
              title: t('admin.accounts.status'),
              render: (_, a) => <Tag>{t(`admin.accountStatus.${a.status}`)}</Tag>,
            },
            {
              title: t('admin.organizations.actions'),
              render: (_, a) => (
                <Button size="small" danger={a.status === 'ACTIVE'} onClick={() => setChanging(a)}>
                  {t(a.status === 'ACTIVE' ? 'admin.accounts.suspend' : 'admin.accounts.activate', {
                    name: a.displayName,
                  })}
                </Button>
              ),
            },
          ]}
        />
        {more.error != null && <Alert type="error" showIcon message={errorText(more.error, t)} />}
        {list.data?.pageInfo.hasNextPage && (
          <Button style={{ marginTop: 12 }} loading={more.busy} onClick={() => void loadMore()}>
            {t('admin.accounts.more')}
          </Button>
        )}
      </Card>
      <Card title={t('admin.accounts.create')} size="small" style={{ marginTop: 16 }}>
        <Form<NewStaff> form={form} name="staff-account" layout="vertical" onFinish={(v) => void create(v)}>
          <Form.Item
            name="role"
            label={t('admin.accounts.role')}
            rules={[{ required: true, message: t('staff.required') }]}
          >
            <Select
              style={{ width: 220 }}
              options={STAFF_ROLES.map((r) => ({ value: r, label: t(`admin.role.${r}`) }))}
            />
          </Form.Item>
          <Form.Item
            name="displayName"
            label={t('admin.accounts.displayName')}
            rules={[{ required: true, message: t('staff.required') }]}
          >
            <Input maxLength={50} />
          </Form.Item>
          <Form.Item name="email" label={t('admin.accounts.email')}>
            <Input type="email" autoComplete="off" />
          </Form.Item>
          <Form.Item name="mobile" label={t('admin.accounts.mobile')}>
            <Input inputMode="numeric" autoComplete="off" />
          </Form.Item>
          <Form.Item
            name="password"
            label={t('admin.accounts.password')}
            rules={[{ required: true, message: t('staff.required') }]}
          >
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          <Form.Item name="regionScopeCode" label={t('admin.accounts.regionScope')}>
            <RegionCascader />
          </Form.Item>
          <Form.Item name="publisherId" label={t('admin.accounts.publisher')}>
            <Select allowClear style={{ width: 320 }} options={publisherOptions} />
          </Form.Item>
          <FormError text={error} />
          <Button type="primary" htmlType="submit" loading={busy}>
            {t('admin.accounts.submit')}
          </Button>
        </Form>
      </Card>
      {changing && (
        <ReasonDialog
          name="account-status"
          title={t(changing.status === 'ACTIVE' ? 'admin.accounts.suspend' : 'admin.accounts.activate', {
            name: changing.displayName,
          })}
          confirmText={t('admin.accounts.confirm')}
          danger={changing.status === 'ACTIVE'}
          fieldHints={['admin.fieldErrors']}
          onCancel={() => setChanging(null)}
          onSubmit={async (reason) => {
            const data = await request<{ setAccountStatus: { user: AdminAccount } }>(
              SET_ACCOUNT_STATUS,
              {
                input: {
                  userId: changing.id,
                  status: changing.status === 'ACTIVE' ? 'SUSPENDED' : 'ACTIVE',
                  reason,
                },
              },
              token,
            );
            setChanging(null);
            replace(data.setAccountStatus.user);
          }}
        />
      )}
    </Page>
  );
}
