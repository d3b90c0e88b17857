import { useState } from 'react';
import { Alert, Button, Card, DatePicker, Descriptions, Form, Input, Select, Space, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { FormError } from '../shared/FormError.js';
import { Page } from '../shared/Layout.js';
import { request } from '../shared/api.js';
import { errorText, useFieldErrors } from '../shared/errors.js';
import { formatBytes, formatDateTime, localName } from '../shared/format.js';
import { useSignedIn } from '../shared/session-context.js';
import { useLoaded } from '../staff/staff-data.js';
import { downloadDocument } from '../shared/documents.js';
import { SUSPEND_ORGANIZATION, VERIFICATION_QUEUE, VERIFY_ORGANIZATION } from './operations.js';
import { GRADES, type OrganizationDocumentData, type PendingOrganizationData } from './admin-types.js';
import { CreditCodeCheck } from './CreditCodeCheck.js';

/** Organizations waiting for verification, oldest registrations last, each with its decision form. */
export function VerificationQueue() {
  const { t } = useTranslation();
  const { token } = useSignedIn();
  const queue = useLoaded(async () => {
    const data = await request<{
      organizations: { totalCount: number; edges: { node: PendingOrganizationData }[] };
    }>(VERIFICATION_QUEUE, {}, token);
    return data.organizations;
  }, [token]);

  return (
    <Page title={t('admin.queue.title', { count: queue.data?.totalCount ?? 0 })}>
      {queue.error != null && <Alert type="error" showIcon message={errorText(queue.error, t)} />}
      {queue.data?.edges.length === 0 && (
        <Typography.Paragraph>{t('admin.queue.empty')}</Typography.Paragraph>
      )}
      <Space direction="vertical" style={{ width: '100%' }}>
        {queue.data?.edges.map(({ node }) => (
          <PendingOrganization key={node.id} token={token} organization={node} onDecided={queue.reload} />
        ))}
      </Space>
    </Page>
  );
}

interface DecisionValues {
  grade?: string;
  gradeValidUntil?: Dayjs | null;
  reason?: string;
}

/** One pending organization: what it registered, the credit-code check, its documents, the decision. */
function PendingOrganization({
  token,
  organization: org,
  onDecided,
}: {
  token: string;
  organization: PendingOrganizationData;
  onDecided: () => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm();
  const [busy, setBusy] = useState<'verify' | 'suspend' | null>(null);
  const { formError: error, run } = useFieldErrors(form, { fieldHints: ['admin.fieldErrors'] });

  const decide = async (decision: 'verify' | 'suspend') => {
    let values: DecisionValues;
    try {
      values = await form.validateFields();
    } catch {
      return;
    }
    setBusy(decision);
    await run(async () => {
      if (decision === 'verify')
        await request(
          VERIFY_ORGANIZATION,
          {
            input: {
              organizationId: org.id,
              grade: values.grade,
              gradeValidUntil: values.gradeValidUntil?.format('YYYY-MM-DD') ?? null,
              reason: values.reason,
            },
          },
          token,
        );
      else
        await request(
          SUSPEND_ORGANIZATION,
          { input: { organizationId: org.id, reason: values.reason ?? '' } },
          token,
        );
      onDecided();
    });
    setBusy(null);
  };

  const formName = `decision-${org.id.replace(/[^A-Za-z0-9]/g, '')}`;
  return (
    <Card title={org.name} size="small" data-testid="pending-organization">
      <Descriptions size="small" bordered column={2}>
        <Descriptions.Item label={t('admin.org.creditCode')}>
          <code>{org.creditCode}</code>
        </Descriptions.Item>
        <Descriptions.Item label={t('admin.org.creditCodeCheck')}>
          <CreditCodeCheck
            check={org.creditCodeCheck}
            homeRegionCode={org.homeRegion.code}
            providerKind={org.providerKind}
          />
        </Descriptions.Item>
        <Descriptions.Item label={t('org.register.providerKind')}>
          {t(`org.providerKind.${org.providerKind}`)}
        </Descriptions.Item>
        <Descriptions.Item label={t('admin.org.kind')}>
          {org.kind ? t(`admin.kind.${org.kind}`) : '—'}
        </Descriptions.Item>
        <Descriptions.Item label={t('admin.org.foundingType')}>
          {t(`staff.foundingType.${org.foundingType}`)}
        </Descriptions.Item>
        <Descriptions.Item label={t('admin.org.homeRegion')}>
          {localName(org.homeRegion)} ({org.homeRegion.code})
        </Descriptions.Item>
        <Descriptions.Item label={t('admin.org.regionsServed')}>
          {org.regionsServed.map((named) => localName(named)).join('、')}
        </Descriptions.Item>
        <Descriptions.Item label={t('admin.org.categories')}>
          {org.categories.map((named) => localName(named)).join('、')}
        </Descriptions.Item>
        <Descriptions.Item label={t('admin.org.registeredAt')}>
          {formatDateTime(org.createdAt)}
        </Descriptions.Item>
        <Descriptions.Item label={t('admin.org.publicContact')}>{org.publicContact ?? '—'}</Descriptions.Item>
        <Descriptions.Item label={t('admin.org.website')}>{org.website ?? '—'}</Descriptions.Item>
        <Descriptions.Item label={t('admin.org.brand')} span={2}>
          {org.brand
            ? `${org.brand.name}${org.brand.since ? ` (${org.brand.since})` : ''} ${org.brand.description ?? ''}`
            : '—'}
        </Descriptions.Item>
        <Descriptions.Item label={t('admin.org.description')} span={2}>
          {org.description || '—'}
        </Descriptions.Item>
        <Descriptions.Item label={t('admin.documents.title')} span={2}>
          <DocumentLinks token={token} documents={org.documents ?? []} />
        </Descriptions.Item>
      </Descriptions>
      <Form<DecisionValues>
        form={form}
        name={formName}
        layout="vertical"
        initialValues={{ grade: org.grade }}
        style={{ marginTop: 12 }}
      >
        <Space wrap align="start">
          <Form.Item name="grade" label={t('admin.decision.grade')}>
            <Select
              style={{ width: 140 }}
              options={GRADES.map((g) => ({ value: g, label: t(`staff.grade.${g}`) }))}
            />
          </Form.Item>
          <Form.Item name="gradeValidUntil" label={t('admin.decision.gradeValidUntil')}>
            <DatePicker format="YYYY-MM-DD" />
          </Form.Item>
        </Space>
        <Form.Item
          name="reason"
          label={t('admin.decision.reason')}
          rules={[{ required: true, whitespace: true, message: t('admin.decision.reasonRequired') }]}
        >
          <Input.TextArea rows={2} />
        </Form.Item>
        <FormError text={error} />
        <Space>
          <Button type="primary" loading={busy === 'verify'} onClick={() => void decide('verify')}>
            {t('admin.decision.verify', { name: org.name })}
          </Button>
          <Button danger loading={busy === 'suspend'} onClick={() => void decide('suspend')}>
            {t('admin.decision.suspend', { name: org.name })}
          </Button>
        </Space>
      </Form>
    </Card>
  );
}

/** The organization's documents, each a link that downloads it with the session's token. */
function DocumentLinks({ token, documents }: { token: string; documents: OrganizationDocumentData[] }) {
  const { t } = useTranslation();
  const [error, setError] = useState<string | null>(null);
  if (documents.length === 0) return <>{t('admin.documents.none')}</>;
  return (
    <>
      <ul className="document-links" data-testid="organization-documents">
        {documents.map((d) => (
          <li key={d.id}>
            {t(`admin.documentKind.${d.kind}`)}:{' '}
            <a
              href={d.downloadPath}
              download={d.fileName}
              onClick={(event) => {
                event.preventDefault();
                setError(null);
                downloadDocument(token, d.downloadPath, d.fileName).catch((e: unknown) =>
                  setError(errorText(e, t)),
                );
              }}
            >
              {t('admin.documents.download', { name: d.fileName })}
            </a>{' '}
            ({formatBytes(d.sizeBytes)}, {formatDateTime(d.createdAt)})
          </li>
        ))}
      </ul>
      {error && <Alert type="error" showIcon message={error} />}
    </>
  );
}
