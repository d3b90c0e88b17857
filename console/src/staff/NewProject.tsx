import { useState } from 'react';
import { Button, Card, DatePicker, Form, Input, Space, TreeSelect } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { FormError } from '../shared/FormError.js';
import { localName } from '../shared/format.js';
import { RegionCascader } from '../admin/RegionCascader.js';
import { request } from '../shared/api.js';
import { useFieldErrors } from '../shared/errors.js';
import { navigate } from '../shared/router.js';
import { useSignedIn } from '../shared/session-context.js';
import { PUBLISH_PROJECT } from './operations.js';
import { projectPath, type StaffContext } from './staff-data.js';
import { YuanInput } from './YuanInput.js';

interface NewProjectValues {
  title: string;
  categoryCode: string;
  regionCode: string;
  budgetFen: number;
  applicationOpensAt: Dayjs;
  applicationClosesAt: Dayjs;
}

/**
 * A project written from scratch (government and enterprise staff have no demands to start from):
 * saved as a draft, then edited and published on its page.
 */
export function NewProject({ context }: { context: StaffContext }) {
  const { t } = useTranslation();
  const { token } = useSignedIn();
  const [form] = Form.useForm();
  const { formError, run } = useFieldErrors(form, { fieldHints: ['staff.fieldErrors'] });
  const [busy, setBusy] = useState(false);

  const create = async ({
    regionCode,
    applicationOpensAt,
    applicationClosesAt,
    ...values
  }: NewProjectValues) => {
    setBusy(true);
    await run(async () => {
      const data = await request<{ publishProject: { project: { id: string } } }>(
        PUBLISH_PROJECT,
        {
          input: {
            ...values,
            regionCodes: [regionCode],
            applicationOpensAt: applicationOpensAt.toISOString(),
            applicationClosesAt: applicationClosesAt.toISOString(),
            publish: false,
          },
        },
        token,
      );
      navigate(projectPath(data.publishProject.project.id));
    });
    setBusy(false);
  };

  const required = [{ required: true, message: t('staff.required') }];
  return (
    <Card title={t('staff.projects.new')} size="small" style={{ marginTop: 16 }}>
      <Form
        form={form}
        name="new-project"
        layout="vertical"
        initialValues={{ applicationOpensAt: dayjs(), applicationClosesAt: dayjs().add(30, 'day') }}
        onFinish={(values) => void create(values as NewProjectValues)}
      >
        <Form.Item name="title" label={t('staff.project.title')} rules={required}>
          <Input maxLength={200} />
        </Form.Item>
        <Space wrap align="start">
          <Form.Item name="categoryCode" label={t('staff.project.category')} rules={required}>
            <TreeSelect
              style={{ width: 240 }}
              treeData={context.categories.map((c) => ({
                value: c.code,
                title: localName(c),
                children: c.children.map((child) => ({ value: child.code, title: localName(child) })),
              }))}
            />
          </Form.Item>
          <Form.Item name="regionCode" label={t('staff.project.regions')} rules={required}>
            <RegionCascader />
          </Form.Item>
          <Form.Item name="budgetFen" label={t('staff.project.budgetYuan')} rules={required}>
            <YuanInput />
          </Form.Item>
        </Space>
        <Space wrap>
          <Form.Item name="applicationOpensAt" label={t('staff.project.opensAt')} rules={required}>
            <DatePicker showTime format="YYYY-MM-DD HH:mm:ss" />
          </Form.Item>
          <Form.Item name="applicationClosesAt" label={t('staff.project.closesAt')} rules={required}>
            <DatePicker showTime format="YYYY-MM-DD HH:mm:ss" />
          </Form.Item>
        </Space>
        <FormError text={formError} />
        <Button type="primary" htmlType="submit" loading={busy}>
          {t('staff.projects.createDraft')}
        </Button>
      </Form>
    </Card>
  );
}
