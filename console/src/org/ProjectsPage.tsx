import { useEffect, useState } from 'react';
import {
  Alert,
  Button,
  Card,
  Descriptions,
  Empty,
  Form,
  Input,
  InputNumber,
  Modal,
  Space,
  Switch,
  Typography,
} from 'antd';
import { useTranslation } from 'react-i18next';
import { FormError } from '../shared/FormError.js';
import { Page } from '../shared/Layout.js';
import { ApiError, request } from '../shared/api.js';
import type { Acting } from './acting.js';
import { ORG_ERRORS } from './text.js';
import { APPLY_TO_PROJECT, PROJECTS_FOR_ORGANIZATION } from './operations.js';
import { applyApiErrors, errorText } from '../shared/errors.js';
import { formatDateTime, formatYuan, localName } from '../shared/format.js';
import type { ProjectTerms } from '../shared/fragments.js';

/** A project open for applications, with the organization's verdict: may it apply, else the rule it fails. */
type OpenProject = ProjectTerms & { eligibilityFor: { eligible: boolean; reason: string | null } | null };

/**
 * Projects accepting applications now, each with who may apply; its admins apply. By default only
 * those the organization may apply to (the hub judges by the rules it applies to an application);
 * with the switch off, the others too, each naming the rule the organization fails.
 */
export function ProjectsPage({ acting }: { acting: Acting }) {
  const { t } = useTranslation();
  const [projects, setProjects] = useState<OpenProject[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [applying, setApplying] = useState<OpenProject | null>(null);
  const [applied, setApplied] = useState<Set<string>>(() => new Set());
  const [onlyEligible, setOnlyEligible] = useState(true);

  useEffect(() => {
    const organizationId = acting.organization.id;
    request<{ projects: { edges: { node: OpenProject }[] } }>(
      PROJECTS_FOR_ORGANIZATION,
      { organizationId, eligibleFor: onlyEligible ? organizationId : null },
      acting.session.token,
    )
      .then((data) => setProjects(data.projects.edges.map((e) => e.node)))
      .catch((e: unknown) => setError(errorText(e, t)));
  }, [acting, onlyEligible]);

  const eligibility = (p: OpenProject) =>
    [
      p.eligibility.verifiedOnly ? t('org.projects.verifiedOnly') : null,
      p.eligibility.minGrade !== 'NONE'
        ? t('org.projects.minGrade', { grade: t(`org.grade.${p.eligibility.minGrade}`) })
        : null,
      p.eligibility.allowedFoundingTypes.length
        ? p.eligibility.allowedFoundingTypes.map((f) => t(`org.foundingType.${f}`)).join('、')
        : null,
      p.eligibility.mustServeRegions ? t('org.projects.mustServeRegions') : null,
      p.procurementMethod !== 'OPEN' ? t(`org.procurement.${p.procurementMethod}`) : null,
    ]
      .filter(Boolean)
      .join('；') || t('org.projects.anyone');

  return (
    <Page title={t('org.projects.title')}>
      {error && <Alert type="error" showIcon title={error} />}
      <Space style={{ marginBottom: 16 }}>
        <Switch id="org-only-eligible" checked={onlyEligible} onChange={setOnlyEligible} />
        <label htmlFor="org-only-eligible">{t('org.projects.onlyEligible')}</label>
      </Space>
      {projects && projects.length === 0 && (
        <Empty description={t(onlyEligible ? 'org.projects.emptyEligible' : 'org.projects.empty')} />
      )}
      <Space direction="vertical" size="middle" style={{ width: '100%' }}>
        {projects?.map((p) => (
          <Card
            key={p.id}
            title={p.title}
            data-project-id={p.id}
            className="org-project"
            extra={
              acting.isAdmin &&
              p.eligibilityFor?.eligible !== false &&
              (applied.has(p.id) ? (
                <Typography.Text type="success">{t('org.projects.applied')}</Typography.Text>
              ) : (
                <Button
                  type="primary"
                  onClick={() => setApplying(p)}
                  aria-label={t('org.projects.applyTo', { title: p.title })}
                >
                  {t('org.projects.apply')}
                </Button>
              ))
            }
          >
            <Descriptions size="small" column={{ xs: 1, md: 2 }}>
              <Descriptions.Item label={t('org.projects.publisher')}>{p.publisher.name}</Descriptions.Item>
              <Descriptions.Item label={t('org.projects.budget')}>
                {formatYuan(p.budget.amountFen)}
              </Descriptions.Item>
              <Descriptions.Item label={t('org.projects.category')}>
                {localName(p.category)}
              </Descriptions.Item>
              <Descriptions.Item label={t('org.projects.regions')}>
                {p.regions.map((r) => localName(r)).join('、')}
              </Descriptions.Item>
              <Descriptions.Item label={t('org.projects.closes')}>
                {formatDateTime(p.applicationClosesAt)}
              </Descriptions.Item>
              <Descriptions.Item label={t('org.projects.eligibility')}>{eligibility(p)}</Descriptions.Item>
            </Descriptions>
            {p.eligibilityFor?.reason && (
              <Alert
                type="warning"
                showIcon
                className="org-ineligible"
                title={t(`org.ineligible.${p.eligibilityFor.reason}`)}
              />
            )}
            <Typography.Paragraph ellipsis={{ rows: 3, expandable: true }}>
              {p.description}
            </Typography.Paragraph>
          </Card>
        ))}
      </Space>
      {applying && (
        <ApplyDialog
          acting={acting}
          project={applying}
          onClose={() => setApplying(null)}
          onApplied={() => {
            setApplied((s) => new Set(s).add(applying.id));
            setApplying(null);
          }}
        />
      )}
    </Page>
  );
}

interface ApplyForm {
  proposal: string;
  /** In yuan, as people write amounts; sent in fen. */
  requestedFen: number | null;
}

/** The application: a proposal and the amount asked for, in yuan. */
function ApplyDialog({
  acting,
  project,
  onClose,
  onApplied,
}: {
  acting: Acting;
  project: ProjectTerms;
  onClose: () => void;
  onApplied: () => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const apply = async (values: ApplyForm) => {
    setBusy(true);
    setError(null);
    try {
      await request(
        APPLY_TO_PROJECT,
        {
          input: {
            organizationId: acting.organization.id,
            projectId: project.id,
            proposal: values.proposal,
            requestedFen: Math.round((values.requestedFen ?? 0) * 100),
          },
        },
        acting.session.token,
      );
      onApplied();
    } catch (e) {
      // An ineligible organization hears which rule it failed.
      const reason =
        e instanceof ApiError && e.code === 'FORBIDDEN' ? e.errors[0]?.extensions?.reason : undefined;
      const general = applyApiErrors(form, e, t, ORG_ERRORS);
      setError(typeof reason === 'string' ? t(`org.ineligible.${reason}`) : general);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open
      title={t('org.projects.applyTitle', { title: project.title })}
      okText={t('org.projects.submitApplication')}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" onFinish={(v) => void apply(v)} className="org-apply-form">
        <Form.Item
          name="proposal"
          label={t('org.projects.proposal')}
          rules={[{ required: true, message: t('org.required') }]}
        >
          <Input.TextArea rows={5} maxLength={20000} />
        </Form.Item>
        <Form.Item
          name="requestedFen"
          label={t('org.projects.requested')}
          extra={t('org.projects.budgetIs', { budget: formatYuan(project.budget.amountFen) })}
          rules={[{ required: true, message: t('org.required') }]}
        >
          <InputNumber style={{ width: '100%' }} precision={2} prefix="¥" />
        </Form.Item>
        <FormError text={error} />
      </Form>
    </Modal>
  );
}
