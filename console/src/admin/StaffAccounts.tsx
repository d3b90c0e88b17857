import { useState } from 'react';
import { Button, Card, Form, Input, Modal, Select, Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { FormError } from '../shared/FormError.js';
import { localName } from '../shared/format.js';
import { Page } from '../shared/Layout.js';
import { request } from '../shared/api.js';
import { useFieldErrors } from '../shared/errors.js';
import { useSignedIn } from '../shared/session-context.js';
import { ADD_PUBLISHER_STAFF, CREATE_STAFF_ACCOUNT, SET_ACCOUNT_STATUS } from './operations.js';
import type { AdminAccount } from './admin-types.js';
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

/**
 * Creates staff accounts (optionally acting for a publisher at once), and suspends or reactivates
 * the accounts made here, with a reason.
 */
export function StaffAccounts() {
  const { t } = useTranslation();
  const { token } = useSignedIn();
  const publishers = usePublishers(token);
  const [form] = Form.useForm();
  const role = Form.useWatch('role', form);
  const [accounts, setAccounts] = useState<AdminAccount[]>([]);
  const [busy, setBusy] = useState(false);
  const { formError: error, run } = useFieldErrors(form, { fieldHints: ['admin.fieldErrors'] });
  const [changing, setChanging] = useState<AdminAccount | null>(null);

  const create = async ({ publisherId, ...input }: NewStaff) => {
    setBusy(true);
    await run(async () => {
      const created = await request<{ createStaffAccount: { user: AdminAccount } }>(
        CREATE_STAFF_ACCOUNT,
        { input: { ...input, email: input.email || null, mobile: input.mobile || null } },
        token,
      );
      let account = created.createStaffAccount.user;
      if (publisherId) {
        const added = await request<{ addPublisherStaff: { user: AdminAccount } }>(
          ADD_PUBLISHER_STAFF,
          { input: { publisherId, userId: account.id } },
          token,
        );
        account = added.addPublisherStaff.user;
      }
      setAccounts((list) => [account, ...list]);
      form.resetFields();
    });
    setBusy(false);
  };

  const publisherOptions = (publishers.data ?? [])
    .filter((p) => !role || p.kind === KIND_OF_ROLE[role])
    .map((p) => ({ value: p.id, label: `${p.name} (${localName(p.region)})` }));

  return (
    <Page title={t('admin.accounts.title')}>
      <Card title={t('admin.accounts.create')} size="small">
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
      {accounts.length > 0 && (
        <Card title={t('admin.accounts.created')} size="small" style={{ marginTop: 16 }}>
          <Table<AdminAccount>
            rowKey="id"
            size="small"
            pagination={false}
            dataSource={accounts}
            columns={[
              { title: t('admin.accounts.displayName'), dataIndex: 'displayName' },
              { title: t('admin.accounts.login'), render: (_, a) => a.email ?? a.mobile ?? '—' },
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
        </Card>
      )}
      {changing && (
        <AccountStatusDialog
          token={token}
          account={changing}
          onClose={(updated) => {
            setChanging(null);
            if (updated) setAccounts((list) => list.map((a) => (a.id === updated.id ? updated : a)));
          }}
        />
      )}
    </Page>
  );
}

/** Suspends an active account or reactivates a suspended one, with the reason the audit trail keeps. */
function AccountStatusDialog({
  token,
  account,
  onClose,
}: {
  token: string;
  account: AdminAccount;
  onClose: (updated: AdminAccount | null) => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  const { formError: error, run } = useFieldErrors(form, { fieldHints: ['admin.fieldErrors'] });
  const status = account.status === 'ACTIVE' ? 'SUSPENDED' : 'ACTIVE';
  const submit = async ({ reason }: { reason: string }) => {
    setBusy(true);
    await run(async () => {
      const data = await request<{ setAccountStatus: { user: AdminAccount } }>(
        SET_ACCOUNT_STATUS,
        { input: { userId: account.id, status, reason } },
        token,
      );
      onClose(data.setAccountStatus.user);
    });
    setBusy(false);
  };
  return (
    <Modal
      open
      title={t(status === 'SUSPENDED' ? 'admin.accounts.suspend' : 'admin.accounts.activate', {
        name: account.displayName,
      })}
      onCancel={() => onClose(null)}
      okText={t('admin.accounts.confirm')}
      cancelText={t('admin.cancel')}
      okButtonProps={{
        danger: status === 'SUSPENDED',
        loading: busy,
        htmlType: 'submit',
        form: 'account-status',
      }}
      destroyOnHidden
    >
      <Form
        form={form}
        id="account-status"
        name="account-status"
        layout="vertical"
        onFinish={(v) => void submit(v)}
      >
        <Form.Item
          name="reason"
          label={t('admin.decision.reason')}
          rules={[{ required: true, whitespace: true, message: t('admin.decision.reasonRequired') }]}
        >
          <Input.TextArea rows={3} autoFocus />
        </Form.Item>
        <FormError text={error} />
      </Form>
    </Modal>
  );
}
