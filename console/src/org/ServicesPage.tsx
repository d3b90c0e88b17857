import { useCallback, useEffect, useState } from 'react';
import {
  Alert,
  Button,
  Form,
  Input,
  InputNumber,
  Modal,
  Popconfirm,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useTranslation } from 'react-i18next';
import { FormError } from '../shared/FormError.js';
import { localName } from '../shared/format.js';
import { Page } from '../shared/Layout.js';
import { request } from '../shared/api.js';
import type { Acting } from './acting.js';
import { ORG_ERRORS } from './text.js';
import { ADD_SERVICE, ORGANIZATION_SERVICES, REMOVE_SERVICE, UPDATE_SERVICE } from './operations.js';
import { applyApiErrors, errorText } from '../shared/errors.js';
import { CategoryPicker, RegionPicker, TargetGroupPicker, usePickerChoices } from './pickers.js';
import type { Named } from '../shared/fragments.js';

/** A service as the screen shows it. */
export interface OrganizationService {
  id: string;
  name: string;
  description: string;
  status: string;
  mode: string;
  fee: string;
  monthlyCapacity: number | null;
  targetGroups: string[];
  categories: Named[];
  regions: Named[];
}

interface ServiceForm {
  name: string;
  description: string;
  categoryCodes: string[];
  regionCodes: string[];
  targetGroups: string[];
  mode: string;
  fee: string;
  monthlyCapacity: number | null;
  status: string;
}

const MODES = ['ON_SITE', 'ONLINE', 'BOTH'];
const FEES = ['FREE', 'SUBSIDISED', 'PAID'];
const STATUSES = ['ACTIVE', 'PAUSED', 'RETIRED'];

/** The organization's services: category, regions served, target groups, capacity; its admins add, edit and remove them. */
export function ServicesPage({ acting }: { acting: Acting }) {
  const { t } = useTranslation();
  const [services, setServices] = useState<OrganizationService[] | null>(null);
  const [homeRegion, setHomeRegion] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  /** The service being edited; `'new'` while adding one; null when the dialog is closed. */
  const [editing, setEditing] = useState<OrganizationService | 'new' | null>(null);
  const choices = usePickerChoices(acting.session.token, homeRegion);
  const names = (list: Named[]) => list.map((n) => localName(n)).join('、');

  const load = useCallback(async () => {
    try {
      const data = await request<{
        organization: { homeRegion: { code: string }; services: OrganizationService[] } | null;
      }>(ORGANIZATION_SERVICES, { organizationId: acting.organization.id }, acting.session.token);
      setServices(data.organization?.services ?? []);
      setHomeRegion(data.organization?.homeRegion.code ?? null);
    } catch (e) {
      setError(errorText(e, t));
    }
  }, [acting]);
  useEffect(() => void load(), [load]);

  const remove = async (service: OrganizationService) => {
    setError(null);
    try {
      await request(REMOVE_SERVICE, { input: { serviceId: service.id } }, acting.session.token);
      await load();
    } catch (e) {
      setError(errorText(e, t));
    }
  };

  const targetGroupName = (code: string) => {
    const group = choices?.targetGroups.find((g) => g.code === code);
    return group ? localName(group) : code;
  };

  return (
    <Page title={t('org.services.title')}>
      {acting.isAdmin && (
        <Button type="primary" onClick={() => setEditing('new')} style={{ marginBottom: 16 }}>
          {t('org.services.add')}
        </Button>
      )}
      {error && <Alert type="error" showIcon title={error} />}
      <Table<OrganizationService>
        rowKey="id"
        loading={!services}
        dataSource={services ?? []}
        pagination={false}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: <Typography.Text>{t('org.services.empty')}</Typography.Text> }}
        columns={[
          { title: t('org.services.name'), dataIndex: 'name' },
          { title: t('org.services.categories'), render: (_, s) => names(s.categories) },
          { title: t('org.services.regions'), render: (_, s) => names(s.regions) },
          {
            title: t('org.services.targetGroups'),
            render: (_, s) => s.targetGroups.map(targetGroupName).join('、') || t('org.services.allWorkers'),
          },
          {
            title: t('org.services.capacity'),
            render: (_, s) =>
              s.monthlyCapacity == null ? '—' : t('org.services.perMonth', { count: s.monthlyCapacity }),
          },
          {
            title: t('org.services.status'),
            render: (_, s) => <Tag>{t(`org.serviceStatus.${s.status}`)}</Tag>,
          },
          ...(acting.isAdmin
            ? [
                {
                  title: t('org.actions'),
                  key: 'actions',
                  render: (_: unknown, s: OrganizationService) => (
                    <Space>
                      <Button
                        size="small"
                        onClick={() => setEditing(s)}
                        aria-label={t('org.services.editNamed', { name: s.name })}
                      >
                        {t('org.edit')}
                      </Button>
                      <Popconfirm
                        title={t('org.services.removeConfirm', { name: s.name })}
                        okText={t('org.remove')}
                        cancelText={t('common.cancel')}
                        onConfirm={() => remove(s)}
                      >
                        <Button
                          size="small"
                          danger
                          aria-label={t('org.services.removeNamed', { name: s.name })}
                        >
                          {t('org.remove')}
                        </Button>
                      </Popconfirm>
                    </Space>
                  ),
                },
              ]
            : []),
        ]}
      />
      {editing && (
        <ServiceDialog
          acting={acting}
          service={editing === 'new' ? null : editing}
          choices={choices}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            void load();
          }}
        />
      )}
    </Page>
  );
}

/** Adds a service or edits one; the API's objections appear next to their fields. */
function ServiceDialog({
  acting,
  service,
  choices,
  onClose,
  onSaved,
}: {
  acting: Acting;
  service: OrganizationService | null;
  choices: ReturnType<typeof usePickerChoices>;
  onClose: () => void;
  onSaved: () => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm();
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const initial: Partial<ServiceForm> = service
    ? {
        name: service.name,
        description: service.description,
        categoryCodes: service.categories.map((c) => c.code),
        regionCodes: service.regions.map((r) => r.code),
        targetGroups: service.targetGroups,
        mode: service.mode,
        fee: service.fee,
        monthlyCapacity: service.monthlyCapacity,
        status: service.status,
      }
    : { mode: 'ON_SITE', fee: 'FREE', categoryCodes: [], regionCodes: [], targetGroups: [] };

  const save = async (values: ServiceForm) => {
    setSaving(true);
    setError(null);
    const common = {
      name: values.name,
      description: values.description ?? '',
      categoryCodes: values.categoryCodes,
      targetGroups: values.targetGroups,
      mode: values.mode,
      fee: values.fee,
      monthlyCapacity: values.monthlyCapacity ?? null,
      // None chosen: a new service serves the organization's regions.
      ...(values.regionCodes.length > 0 ? { regionCodes: values.regionCodes } : {}),
    };
    try {
      if (service)
        await request(
          UPDATE_SERVICE,
          { input: { serviceId: service.id, status: values.status, ...common } },
          acting.session.token,
        );
      else
        await request(
          ADD_SERVICE,
          { input: { organizationId: acting.organization.id, ...common } },
          acting.session.token,
        );
      onSaved();
    } catch (e) {
      setError(applyApiErrors(form, e, t, ORG_ERRORS));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      open
      title={service ? t('org.services.editTitle', { name: service.name }) : t('org.services.addTitle')}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      <Form
        form={form}
        layout="vertical"
        initialValues={initial}
        onFinish={(v) => void save(v)}
        className="org-service-form"
      >
        <Form.Item
          name="name"
          label={t('org.services.name')}
          rules={[{ required: true, message: t('org.required') }]}
        >
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item name="description" label={t('org.services.description')}>
          <Input.TextArea rows={2} />
        </Form.Item>
        <Form.Item
          name="categoryCodes"
          label={t('org.services.categories')}
          rules={[{ required: true, message: t('org.required') }]}
        >
          <CategoryPicker choices={choices} />
        </Form.Item>
        <Form.Item
          name="regionCodes"
          label={t('org.services.regions')}
          extra={t('org.services.regionsDefault')}
        >
          <RegionPicker choices={choices} known={service?.regions ?? []} />
        </Form.Item>
        <Form.Item name="targetGroups" label={t('org.services.targetGroups')}>
          <TargetGroupPicker choices={choices} />
        </Form.Item>
        <Form.Item name="mode" label={t('org.services.mode')}>
          <Select options={MODES.map((m) => ({ value: m, label: t(`org.serviceMode.${m}`) }))} />
        </Form.Item>
        <Form.Item name="fee" label={t('org.services.fee')}>
          <Select options={FEES.map((f) => ({ value: f, label: t(`org.serviceFee.${f}`) }))} />
        </Form.Item>
        <Form.Item name="monthlyCapacity" label={t('org.services.capacityLabel')}>
          <InputNumber style={{ width: '100%' }} precision={0} />
        </Form.Item>
        {service && (
          <Form.Item name="status" label={t('org.services.status')}>
            <Select options={STATUSES.map((s) => ({ value: s, label: t(`org.serviceStatus.${s}`) }))} />
          </Form.Item>
        )}
        <FormError text={error} />
      </Form>
    </Modal>
  );
}
