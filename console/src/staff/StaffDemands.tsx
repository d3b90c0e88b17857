import { useState } from 'react';
import { Alert, Button, Form, Select, Table, Tag, TreeSelect, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Page } from '../shared/Layout.js';
import { request } from '../shared/api.js';
import { errorText, useFieldErrors } from '../shared/errors.js';
import { formatDateTime, localName } from '../shared/format.js';
import { navigate } from '../shared/router.js';
import { useSignedIn } from '../shared/session-context.js';
import { CREATE_PROJECT_FROM_DEMANDS, STAFF_DEMANDS } from './operations.js';
import { projectPath, useLoaded, useStaffContext } from './staff-data.js';
import type { DemandCard } from '../shared/fragments.js';

const STATUSES = [
  'OPEN',
  'CLAIMED',
  'IN_SERVICE',
  'FULFILLED',
  'EXPIRED',
  'WITHDRAWN',
  'CLOSED',
  'CLOSED_DUPLICATE',
];

interface Filters {
  status?: string;
  categoryCode?: string;
  regionCode?: string;
}

/**
 * Worker demands in the staff member's region scope, filtered by status, category and region;
 * OPEN ones of one category can be selected and turned into a draft project (职工点单、工会买单).
 */
export function StaffDemands() {
  const { t } = useTranslation();
  const { token } = useSignedIn();
  const context = useStaffContext();
  const [filters, setFilters] = useState<Filters>({ status: 'OPEN' });
  const [selected, setSelected] = useState<string[]>([]);
  const [creating, setCreating] = useState(false);
  const [form] = Form.useForm();
  const { formError, run } = useFieldErrors(form, { fieldHints: ['staff.fieldErrors'] });
  const demands = useLoaded(async () => {
    const data = await request<{ demands: { totalCount: number; edges: { node: DemandCard }[] } }>(
      STAFF_DEMANDS,
      {
        first: 100,
        filter: {
          ...(filters.status ? { statuses: [filters.status] } : {}),
          ...(filters.categoryCode ? { categoryCode: filters.categoryCode } : {}),
          ...(filters.regionCode ? { regionCode: filters.regionCode } : {}),
        },
      },
      token,
    );
    return data.demands;
  }, [token, filters.status, filters.categoryCode, filters.regionCode]);

  const publisher = context.data?.viewer.publisher ?? null;
  const scope = context.data?.viewer.regionScope ?? null;

  const createProject = async () => {
    if (!publisher) return;
    setCreating(true);
    await run(async () => {
      const data = await request<{ createProjectFromDemands: { project: { id: string } } }>(
        CREATE_PROJECT_FROM_DEMANDS,
        { input: { publisherId: publisher.id, demandIds: selected } },
        token,
      );
      navigate(projectPath(data.createProjectFromDemands.project.id));
    });
    setCreating(false);
  };

  const categoryTree = (context.data?.categories ?? []).map((c) => ({
    value: c.code,
    title: localName(c),
    children: c.children.map((child) => ({ value: child.code, title: localName(child) })),
  }));
  const regionOptions = scope
    ? [scope, ...scope.children].map((r) => ({ value: r.code, label: localName(r) }))
    : [];

  return (
    <Page title={t('staff.demands.title')}>
      <Form layout="inline" aria-label={t('staff.demands.filters')} style={{ marginBottom: 16 }}>
        <Form.Item label={t('staff.demands.status')} htmlFor="staff-demands-status">
          <Select
            id="staff-demands-status"
            style={{ width: 160 }}
            allowClear
            value={filters.status}
            onChange={(status?: string) => setFilters({ ...filters, status })}
            options={STATUSES.map((s) => ({ value: s, label: t(`staff.demandStatus.${s}`) }))}
          />
        </Form.Item>
        <Form.Item label={t('staff.demands.category')} htmlFor="staff-demands-category">
          <TreeSelect
            id="staff-demands-category"
            style={{ width: 220 }}
            allowClear
            treeData={categoryTree}
            value={filters.categoryCode}
            onChange={(categoryCode?: string) => setFilters({ ...filters, categoryCode })}
          />
        </Form.Item>
        <Form.Item label={t('staff.demands.region')} htmlFor="staff-demands-region">
          <Select
            id="staff-demands-region"
            style={{ width: 180 }}
            allowClear
            value={filters.regionCode}
            onChange={(regionCode?: string) => setFilters({ ...filters, regionCode })}
            options={regionOptions}
          />
        </Form.Item>
      </Form>
      {demands.error != null && <Alert type="error" showIcon message={errorText(demands.error, t)} />}
      {context.data && !publisher && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 12 }}
          message={t('staff.demands.noPublisher')}
        />
      )}
      {formError && <Alert type="error" showIcon style={{ marginBottom: 12 }} message={formError} />}
      <Form form={form} component="div" initialValues={{ demandIds: [] }}>
        {/* The API names the selection `input.demandIds` when it refuses it (e.g. two categories). */}
        <Form.Item name="demandIds">
          <Button
            type="primary"
            disabled={selected.length === 0 || !publisher}
            loading={creating}
            onClick={() => void createProject()}
          >
            {t('staff.demands.createProject', { count: selected.length })}
          </Button>
        </Form.Item>
      </Form>
      <Table<DemandCard>
        rowKey="id"
        loading={!demands.data && demands.error == null}
        dataSource={demands.data?.edges.map((e) => e.node) ?? []}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        rowSelection={{
          selectedRowKeys: selected,
          onChange: (keys) => setSelected(keys.map(String)),
          getCheckboxProps: (row) => ({
            disabled: row.status !== 'OPEN',
            'aria-label': t('staff.demands.select', { title: row.title }),
          }),
          columnTitle: t('staff.demands.selectColumn'),
        }}
        columns={[
          { title: t('staff.demands.demandTitle'), dataIndex: 'title' },
          {
            title: t('staff.demands.status'),
            dataIndex: 'status',
            render: (status: string) => <Tag>{t(`staff.demandStatus.${status}`)}</Tag>,
          },
          { title: t('staff.demands.category'), render: (_, row) => localName(row.category) },
          { title: t('staff.demands.region'), render: (_, row) => localName(row.region) },
          {
            title: t('staff.demands.urgency'),
            dataIndex: 'urgency',
            render: (urgency: string) => t(`staff.urgency.${urgency}`),
          },
          { title: t('staff.demands.people'), dataIndex: 'peopleAffected', align: 'right' },
          {
            title: t('staff.demands.submitted'),
            dataIndex: 'createdAt',
            render: (at: string) => formatDateTime(at),
          },
          { title: t('staff.demands.claimedBy'), render: (_, row) => row.claimedBy?.name ?? '—' },
        ]}
      />
      <Typography.Paragraph>
        {t('staff.demands.total', { count: demands.data?.totalCount ?? 0 })}
      </Typography.Paragraph>
    </Page>
  );
}
