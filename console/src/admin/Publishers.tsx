import { useState } from 'react';
import { Alert, Button, Card, Form, Input, Select, Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { FormError } from '../shared/FormError.js';
import { localName } from '../shared/format.js';
import { Page } from '../shared/Layout.js';
import { request } from '../shared/api.js';
import { errorText, useFieldErrors } from '../shared/errors.js';
import { useSignedIn } from '../shared/session-context.js';
import { useLoaded } from '../staff/staff-data.js';
import type { Named } from '../shared/fragments.js';
import { CREATE_PUBLISHER, PUBLISHERS } from './operations.js';
import { RegionCascader } from './RegionCascader.js';

export interface PublisherRow {
  id: string;
  name: string;
  kind: string;
  region: Named;
}

export const PUBLISHER_KINDS = ['UNION', 'GOVERNMENT', 'ENTERPRISE'];

/** Loads every publisher (there are few: one per union unit, department or enterprise that buys). */
export function usePublishers(token: string) {
  return useLoaded(async () => {
    const data = await request<{ publishers: { edges: { node: PublisherRow }[] } }>(PUBLISHERS, {}, token);
    return data.publishers.edges.map((e) => e.node);
  }, [token]);
}

interface NewPublisher {
  kind: string;
  name: string;
  regionCode: string;
}

/** The bodies that buy services, and a form to register one. */
export function Publishers() {
  const { t } = useTranslation();
  const { token } = useSignedIn();
  const publishers = usePublishers(token);
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  const { formError: error, run } = useFieldErrors(form, { fieldHints: ['admin.fieldErrors'] });

  const create = async (input: NewPublisher) => {
    setBusy(true);
    await run(async () => {
      await request(CREATE_PUBLISHER, { input }, token);
      form.resetFields();
      publishers.reload();
    });
    setBusy(false);
  };

  return (
    <Page title={t('admin.publishers.title')}>
      {publishers.error != null && <Alert type="error" showIcon message={errorText(publishers.error, t)} />}
      <Table<PublisherRow>
        rowKey="id"
        size="small"
        loading={!publishers.data && publishers.error == null}
        dataSource={publishers.data ?? []}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        columns={[
          { title: t('admin.publishers.name'), dataIndex: 'name' },
          {
            title: t('admin.publishers.kind'),
            render: (_, p) => <Tag>{t(`admin.publisherKind.${p.kind}`)}</Tag>,
          },
          { title: t('admin.publishers.region'), render: (_, p) => localName(p.region) },
        ]}
      />
      <Card title={t('admin.publishers.create')} size="small" style={{ marginTop: 16 }}>
        <Form<NewPublisher> form={form} name="publisher" layout="vertical" onFinish={(v) => void create(v)}>
          <Form.Item
            name="kind"
            label={t('admin.publishers.kind')}
            rules={[{ required: true, message: t('staff.required') }]}
          >
            <Select
              style={{ width: 200 }}
              options={PUBLISHER_KINDS.map((k) => ({ value: k, label: t(`admin.publisherKind.${k}`) }))}
            />
          </Form.Item>
          <Form.Item
            name="name"
            label={t('admin.publishers.name')}
            rules={[{ required: true, message: t('staff.required') }]}
          >
            <Input maxLength={200} />
          </Form.Item>
          <Form.Item
            name="regionCode"
            label={t('admin.publishers.region')}
            rules={[{ required: true, message: t('staff.required') }]}
          >
            <RegionCascader />
          </Form.Item>
          <FormError text={error} />
          <Button type="primary" htmlType="submit" loading={busy}>
            {t('admin.publishers.submit')}
          </Button>
        </Form>
      </Card>
    </Page>
  );
}
