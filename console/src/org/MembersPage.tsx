import { useCallback, useEffect, useState } from 'react';
import { Alert, Button, Form, Input, Popconfirm, Select, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { FormError } from '../shared/FormError.js';
import { Page } from '../shared/Layout.js';
import { request } from '../shared/api.js';
import type { Acting } from './acting.js';
import { ORG_ERRORS, SECTION_TITLE_STYLE } from './text.js';
import { ADD_MEMBER, ORGANIZATION_MEMBERS, REMOVE_MEMBER, SET_MEMBER_ROLE } from './operations.js';
import { applyApiErrors, errorText } from '../shared/errors.js';
import { formatDateTime } from '../shared/format.js';

/** A member as the screen shows her. */
export interface OrganizationMember {
  role: string;
  createdAt: string;
  user: { id: string; displayName: string };
}

const ROLES = ['ORG_ADMIN', 'ORG_MEMBER'];

/** The organization's members and their roles; its admins change roles, add and remove members. */
export function MembersPage({ acting }: { acting: Acting }) {
  const { t } = useTranslation();
  const [members, setMembers] = useState<OrganizationMember[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [addError, setAddError] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const [form] = Form.useForm();
  const { token } = acting.session;
  const organizationId = acting.organization.id;

  const load = useCallback(async () => {
    try {
      const data = await request<{ organization: { members: OrganizationMember[] | null } | null }>(
        ORGANIZATION_MEMBERS,
        { organizationId },
        token,
      );
      setMembers(data.organization?.members ?? []);
    } catch (e) {
      setError(errorText(e, t));
    }
  }, [organizationId, token]);
  useEffect(() => void load(), [load]);

  const change = async (operation: string, input: Record<string, unknown>) => {
    setError(null);
    try {
      await request(operation, { input: { organizationId, ...input } }, token);
      await load();
    } catch (e) {
      setError(errorText(e, t));
    }
  };

  const add = async (values: { login: string; role: string }) => {
    setAdding(true);
    setAddError(null);
    try {
      await request(
        ADD_MEMBER,
        { input: { organizationId, login: values.login.trim(), role: values.role } },
        token,
      );
      form.resetFields();
      await load();
    } catch (e) {
      setAddError(applyApiErrors(form, e, t, ORG_ERRORS));
    } finally {
      setAdding(false);
    }
  };

  return (
    <Page title={t('org.members.title')}>
      {error && <Alert type="error" showIcon title={error} />}
      <Table<OrganizationMember>
        rowKey={(m) => m.user.id}
        loading={!members}
        dataSource={members ?? []}
        pagination={false}
        scroll={{ x: 'max-content' }}
        columns={[
          { title: t('org.members.name'), render: (_, m) => m.user.displayName },
          {
            title: t('org.members.role'),
            render: (_, m) =>
              acting.isAdmin ? (
                <Select
                  aria-label={t('org.members.roleOf', { name: m.user.displayName })}
                  value={m.role}
                  onChange={(role) => void change(SET_MEMBER_ROLE, { userId: m.user.id, role })}
                  options={ROLES.map((r) => ({ value: r, label: t(`org.memberRole.${r}`) }))}
                  style={{ minWidth: 140 }}
                />
              ) : (
                <Tag>{t(`org.memberRole.${m.role}`)}</Tag>
              ),
          },
          { title: t('org.members.since'), render: (_, m) => formatDateTime(m.createdAt) },
          ...(acting.isAdmin
            ? [
                {
                  title: t('org.actions'),
                  key: 'actions',
                  render: (_: unknown, m: OrganizationMember) => (
                    <Popconfirm
                      title={t('org.members.removeConfirm', { name: m.user.displayName })}
                      okText={t('org.remove')}
                      cancelText={t('common.cancel')}
                      onConfirm={() => change(REMOVE_MEMBER, { userId: m.user.id })}
                    >
                      <Button
                        size="small"
                        danger
                        aria-label={t('org.members.removeNamed', { name: m.user.displayName })}
                      >
                        {t('org.remove')}
                      </Button>
                    </Popconfirm>
                  ),
                },
              ]
            : []),
        ]}
      />
      {acting.isAdmin && (
        <>
          <Typography.Title level={2} style={SECTION_TITLE_STYLE}>
            {t('org.members.addTitle')}
          </Typography.Title>
          <Form
            form={form}
            layout="inline"
            initialValues={{ role: 'ORG_MEMBER' }}
            onFinish={(v) => void add(v)}
            className="org-member-add"
          >
            <Form.Item
              name="login"
              label={t('org.members.login')}
              rules={[{ required: true, message: t('org.required') }]}
            >
              <Input autoComplete="off" />
            </Form.Item>
            <Form.Item name="role" label={t('org.members.role')}>
              <Select
                options={ROLES.map((r) => ({ value: r, label: t(`org.memberRole.${r}`) }))}
                style={{ minWidth: 140 }}
              />
            </Form.Item>
            <Form.Item>
              <Button type="primary" htmlType="submit" loading={adding}>
                {t('org.members.add')}
              </Button>
            </Form.Item>
          </Form>
          <FormError text={addError} />
        </>
      )}
    </Page>
  );
}
