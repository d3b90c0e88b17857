import { useCallback, useEffect, useState } from 'react';
import { Button, Card, Form, Select, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { FormError } from '../shared/FormError.js';
import { request } from '../shared/api.js';
import { downloadDocument, uploadDocument } from '../shared/documents.js';
import { applyApiErrors, errorText } from '../shared/errors.js';
import { formatBytes, formatDateTime } from '../shared/format.js';
import type { Acting } from './acting.js';
import { ORGANIZATION_DOCUMENTS, REMOVE_ORGANIZATION_DOCUMENT } from './operations.js';
import { ORG_ERRORS, SECTION_TITLE_STYLE } from './text.js';

const KINDS = ['REGISTRATION_CERTIFICATE', 'CHARTER', 'ANNUAL_INSPECTION', 'OTHER'];

interface OrgDocument {
  id: string;
  kind: string;
  fileName: string;
  sizeBytes: number;
  createdAt: string;
  downloadPath: string;
}

/** A native file picker inside an antd form: the form keeps the chosen File, the input its name. */
function FilePicker({ id, onChange }: { id?: string; onChange?: (file: File | null) => void }) {
  return (
    <input
      id={id}
      type="file"
      accept="application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"
      onChange={(event) => onChange?.(event.target.files?.[0] ?? null)}
    />
  );
}

/**
 * The documents the organization gives the union for its verification (registration certificate,
 * charter …): its admins upload a PDF, JPEG or PNG, download and remove them. Plain members do not
 * see them (a certificate names the legal representative).
 */
export function DocumentsCard({ acting }: { acting: Acting }) {
  const { t } = useTranslation();
  const token = acting.session.token;
  const [form] = Form.useForm();
  const [documents, setDocuments] = useState<OrgDocument[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // A new key empties the native picker once its file is uploaded.
  const [pickerKey, setPickerKey] = useState(0);

  const load = useCallback(async () => {
    try {
      const data = await request<{ organization: { documents: OrgDocument[] | null } | null }>(
        ORGANIZATION_DOCUMENTS,
        { organizationId: acting.organization.id },
        token,
      );
      setDocuments(data.organization?.documents ?? []);
    } catch (e) {
      setError(errorText(e, t));
    }
  }, [acting, token]);
  useEffect(() => void load(), [load]);

  const upload = async ({ kind, file }: { kind: string; file: File | null }) => {
    if (!file) return;
    setBusy(true);
    setError(null);
    try {
      await uploadDocument(token, acting.organization.id, kind, file);
      form.resetFields();
      setPickerKey((k) => k + 1);
      await load();
    } catch (e) {
      setError(applyApiErrors(form, e, t, ORG_ERRORS));
    } finally {
      setBusy(false);
    }
  };

  const remove = async (document: OrgDocument) => {
    setError(null);
    try {
      await request(REMOVE_ORGANIZATION_DOCUMENT, { input: { documentId: document.id } }, token);
      await load();
    } catch (e) {
      setError(errorText(e, t));
    }
  };

  return (
    <Card
      size="small"
      style={{ maxWidth: 720, marginTop: 24 }}
      title={<h2 style={{ ...SECTION_TITLE_STYLE, margin: 0 }}>{t('org.documents.title')}</h2>}
    >
      <p>{t('org.documents.help')}</p>
      <Table<OrgDocument>
        rowKey="id"
        size="small"
        pagination={false}
        loading={documents === null && !error}
        dataSource={documents ?? []}
        // antd's own placeholder grey fails contrast: the text in the body's colour.
        locale={{ emptyText: <Typography.Text>{t('org.documents.none')}</Typography.Text> }}
        columns={[
          { title: t('org.documents.kind'), render: (_, d) => t(`org.documentKind.${d.kind}`) },
          {
            title: t('org.documents.file'),
            render: (_, d) => (
              <a
                href={d.downloadPath}
                download={d.fileName}
                onClick={(event) => {
                  event.preventDefault();
                  downloadDocument(token, d.downloadPath, d.fileName).catch((e: unknown) =>
                    setError(errorText(e, t)),
                  );
                }}
              >
                {d.fileName}
              </a>
            ),
          },
          { title: t('org.documents.size'), render: (_, d) => formatBytes(d.sizeBytes) },
          { title: t('org.documents.uploadedAt'), render: (_, d) => formatDateTime(d.createdAt) },
          {
            title: t('org.documents.actions'),
            render: (_, d) => (
              <Button size="small" danger onClick={() => void remove(d)}>
                {t('org.documents.remove', { name: d.fileName })}
              </Button>
            ),
          },
        ]}
      />
      <Form
        form={form}
        name="document-upload"
        layout="vertical"
        initialValues={{ kind: 'REGISTRATION_CERTIFICATE', file: null }}
        onFinish={(values) => void upload(values)}
        style={{ marginTop: 16 }}
      >
        <Form.Item name="kind" label={t('org.documents.kind')}>
          <Select
            style={{ width: 240 }}
            options={KINDS.map((k) => ({ value: k, label: t(`org.documentKind.${k}`) }))}
          />
        </Form.Item>
        <Form.Item
          name="file"
          label={t('org.documents.file')}
          rules={[{ required: true, message: t('org.documents.fileRequired') }]}
        >
          <FilePicker key={pickerKey} />
        </Form.Item>
        <FormError text={error} />
        <Button type="primary" htmlType="submit" loading={busy}>
          {t('org.documents.upload')}
        </Button>
      </Form>
    </Card>
  );
}
