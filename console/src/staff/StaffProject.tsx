import { useState } from 'react';
import {
  Alert,
  Button,
  Card,
  Checkbox,
  DatePicker,
  Descriptions,
  Form,
  Input,
  List,
  Radio,
  Select,
  Space,
  Switch,
  Table,
  Tag,
  Typography,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { FormError } from '../shared/FormError.js';
import { Page } from '../shared/Layout.js';
import { ApiError, request } from '../shared/api.js';
import { errorText, fieldErrorText, useFieldErrors } from '../shared/errors.js';
import { formatDateTime, formatYuan, localName } from '../shared/format.js';
import { useSignedIn } from '../shared/session-context.js';
import {
  AWARD_PROJECT,
  COMPLETE_PROJECT,
  PUBLISH_PROJECT,
  SHORTLIST_APPLICATION,
  STAFF_PROJECT,
  START_PROJECT,
  UPDATE_PROJECT,
} from './operations.js';
import { isPending, type StaffApplication, type StaffProjectData } from './project-types.js';
import { useLoaded } from './staff-data.js';
import { YuanInput } from './YuanInput.js';

const GRADES = ['NONE', 'GRADE_1A', 'GRADE_2A', 'GRADE_3A', 'GRADE_4A', 'GRADE_5A'];
const FOUNDING_TYPES = ['UNION_FOUNDED', 'UNION_INCUBATED', 'INDEPENDENT'];

/** A project's page for its publisher's staff: edit, publish, amend, review, award, start, complete. */
export function StaffProject({ projectId }: { projectId: string }) {
  const { t } = useTranslation();
  const { token } = useSignedIn();
  const [notice, setNotice] = useState<string | null>(null);
  const loaded = useLoaded(
    () => request<{ project: StaffProjectData | null }>(STAFF_PROJECT, { id: projectId }, token),
    [token, projectId],
  );
  if (loaded.error != null) return <Alert type="error" showIcon message={errorText(loaded.error, t)} />;
  if (!loaded.data) return <Typography.Paragraph>{t('staff.loading')}</Typography.Paragraph>;
  const project = loaded.data.project;
  if (!project) return <Alert type="warning" showIcon message={t('staff.project.notFound')} />;
  const changed = (next: StaffProjectData, notice: string | null = null) => {
    loaded.setData({ project: next });
    setNotice(notice);
  };
  const props = { token, project, onChanged: changed, onReload: loaded.reload };

  return (
    <Page
      title={project.title}
      actions={
        <Tag data-testid="project-status" color="blue">
          {t(`staff.projectStatus.${project.status}`)}
        </Tag>
      }
    >
      <Descriptions bordered size="small" column={2} style={{ marginBottom: 16 }}>
        <Descriptions.Item label={t('staff.project.publisher')}>{project.publisher.name}</Descriptions.Item>
        <Descriptions.Item label={t('staff.project.category')}>
          {localName(project.category)}
        </Descriptions.Item>
        <Descriptions.Item label={t('staff.project.regions')}>
          {project.regions.map((named) => localName(named)).join('、')}
        </Descriptions.Item>
        <Descriptions.Item label={t('staff.project.budget')}>
          <span data-testid="project-budget">{formatYuan(project.budget.amountFen)}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t('staff.project.period')}>
          {formatDateTime(project.applicationOpensAt)} – {formatDateTime(project.applicationClosesAt)}
        </Descriptions.Item>
        <Descriptions.Item label={t('staff.project.demands')}>
          {t('staff.project.demandsSummary', {
            count: project.linkedDemandCount,
            people: project.demandPeopleAffected,
          })}
        </Descriptions.Item>
        {project.awardedTotal && (
          <Descriptions.Item label={t('staff.project.awardedTotal')}>
            {formatYuan(project.awardedTotal.amountFen)}
          </Descriptions.Item>
        )}
        {project.statusReason && (
          <Descriptions.Item label={t('staff.project.statusReason')}>
            {project.statusReason}
          </Descriptions.Item>
        )}
        {project.outcome && (
          <Descriptions.Item label={t('staff.project.outcome')}>{project.outcome}</Descriptions.Item>
        )}
        {project.evaluationScore != null && (
          <Descriptions.Item label={t('staff.project.evaluationScore')}>
            {project.evaluationScore} / 5
          </Descriptions.Item>
        )}
      </Descriptions>
      {notice && (
        <Alert type="success" showIcon message={notice} style={{ marginBottom: 12 }} role="status" />
      )}
      {(project.status === 'DRAFT' || project.status === 'PUBLISHED') && (
        // A fresh form for each version of the project, so that it shows what was saved.
        <ProjectForm key={project.updatedAt} {...props} />
      )}
      {project.status !== 'DRAFT' && <Applications {...props} />}
      {project.status === 'EVALUATING' && <AwardForm {...props} />}
      {project.status === 'AWARDED' && <StartProject {...props} />}
      {project.status === 'IN_PROGRESS' && <CompleteForm {...props} />}
      {project.linkedDemands.length > 0 && (
        <Card title={t('staff.project.linkedDemands')} size="small" style={{ marginTop: 16 }}>
          <List
            size="small"
            dataSource={project.linkedDemands}
            renderItem={(d) => (
              <List.Item>
                {d.title} <Tag>{t(`staff.demandStatus.${d.status}`)}</Tag>
                {t('staff.project.people', { count: d.peopleAffected })}
              </List.Item>
            )}
          />
        </Card>
      )}
      {project.fairnessFlags.length > 0 && (
        <Card title={t('staff.project.fairnessFlags')} size="small" style={{ marginTop: 16 }}>
          <List
            size="small"
            dataSource={project.fairnessFlags}
            renderItem={(f) => (
              <List.Item>
                {formatDateTime(f.raisedAt)} — {t(`staff.fairnessFlag.${f.kind}`)}
                {f.organization ? `（${f.organization.name}）` : ''}: {f.rationale}
              </List.Item>
            )}
          />
        </Card>
      )}
      {project.amendments.length > 0 && (
        <Card title={t('staff.project.amendments')} size="small" style={{ marginTop: 16 }}>
          <List
            size="small"
            dataSource={project.amendments}
            renderItem={(a) => (
              <List.Item>
                {formatDateTime(a.createdAt)} — {a.rationale} (
                {Object.keys(a.changes)
                  .map((field) => t(`staff.amendedField.${field}`, { defaultValue: field }))
                  .join('、')}
                )
              </List.Item>
            )}
          />
        </Card>
      )}
    </Page>
  );
}

interface SectionProps {
  token: string;
  project: StaffProjectData;
  onChanged: (project: StaffProjectData, notice?: string | null) => void;
  onReload: () => void;
}

interface ProjectFormValues {
  title: string;
  description: string;
  budgetFen: number | null;
  applicationOpensAt: Dayjs | null;
  applicationClosesAt: Dayjs | null;
  eligibility: {
    minGrade: string;
    allowedFoundingTypes: string[];
    mustServeRegions: boolean;
    verifiedOnly: boolean;
  };
  rationale?: string;
  fairnessRationale?: string;
}

const formValuesOf = (project: StaffProjectData): ProjectFormValues => ({
  title: project.title,
  description: project.description,
  budgetFen: project.budget.amountFen,
  applicationOpensAt: dayjs(project.applicationOpensAt),
  applicationClosesAt: dayjs(project.applicationClosesAt),
  eligibility: { ...project.eligibility },
});

/** The fields of an update or publish input, from the form; after publication only what changed. */
function projectChanges(values: ProjectFormValues, before: ProjectFormValues, onlyChanged: boolean) {
  const all: Record<string, unknown> = {
    title: values.title,
    description: values.description,
    budgetFen: values.budgetFen,
    applicationOpensAt: values.applicationOpensAt?.toISOString() ?? null,
    applicationClosesAt: values.applicationClosesAt?.toISOString() ?? null,
    eligibility: values.eligibility,
  };
  if (!onlyChanged) return all;
  const old: Record<string, unknown> = projectChanges(before, before, false);
  return Object.fromEntries(
    Object.entries(all).filter(([key, value]) => JSON.stringify(value) !== JSON.stringify(old[key])),
  );
}

/** Edits a draft and publishes it; after publication, amends it with a rationale. */
function ProjectForm({ token, project, onChanged }: SectionProps) {
  const { t } = useTranslation();
  const [form] = Form.useForm();
  const [busy, setBusy] = useState<'save' | 'publish' | 'amend' | null>(null);
  const { formError, run } = useFieldErrors(form, { fieldHints: ['staff.fieldErrors'] });
  const draft = project.status === 'DRAFT';
  const initial = formValuesOf(project);

  const submit = async (action: 'save' | 'publish' | 'amend') => {
    let values: ProjectFormValues;
    try {
      values = (await form.validateFields()) as ProjectFormValues;
    } catch {
      return;
    }
    setBusy(action);
    await run(async () => {
      const changes = projectChanges(values, initial, action === 'amend');
      // Sent only when written: the hub needs it when the step is a fairness flag (docs/domain.md).
      const fairness = values.fairnessRationale?.trim()
        ? { fairnessRationale: values.fairnessRationale }
        : {};
      let next: StaffProjectData;
      if (action === 'publish') {
        const data = await request<{ publishProject: { project: StaffProjectData } }>(
          PUBLISH_PROJECT,
          { input: { projectId: project.id, publish: true, ...changes, ...fairness } },
          token,
        );
        next = data.publishProject.project;
      } else {
        const input = {
          projectId: project.id,
          ...changes,
          ...(action === 'amend' ? { rationale: values.rationale, ...fairness } : {}),
        };
        const data = await request<{ updateProject: { project: StaffProjectData } }>(
          UPDATE_PROJECT,
          { input },
          token,
        );
        next = data.updateProject.project;
      }
      onChanged(next, t(`staff.project.${action}Done`));
    });
    setBusy(null);
  };

  return (
    <Card
      title={t(draft ? 'staff.project.editDraft' : 'staff.project.amend')}
      size="small"
      style={{ marginBottom: 16 }}
    >
      <Form<ProjectFormValues>
        form={form}
        name="project"
        layout="vertical"
        initialValues={initial}
        onFinish={() => void submit(draft ? 'publish' : 'amend')}
      >
        <Form.Item
          name="title"
          label={t('staff.project.title')}
          rules={[{ required: true, message: t('staff.required') }]}
        >
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item name="description" label={t('staff.project.description')}>
          <Input.TextArea rows={4} />
        </Form.Item>
        <Form.Item
          name="budgetFen"
          label={t('staff.project.budgetYuan')}
          rules={[{ required: true, message: t('staff.required') }]}
        >
          <YuanInput />
        </Form.Item>
        <Space wrap>
          <Form.Item name="applicationOpensAt" label={t('staff.project.opensAt')}>
            <DatePicker showTime format="YYYY-MM-DD HH:mm:ss" />
          </Form.Item>
          <Form.Item name="applicationClosesAt" label={t('staff.project.closesAt')}>
            <DatePicker showTime format="YYYY-MM-DD HH:mm:ss" />
          </Form.Item>
        </Space>
        <Space wrap>
          <Form.Item name={['eligibility', 'minGrade']} label={t('staff.project.minGrade')}>
            <Select
              style={{ width: 140 }}
              options={GRADES.map((g) => ({ value: g, label: t(`staff.grade.${g}`) }))}
            />
          </Form.Item>
          <Form.Item name={['eligibility', 'allowedFoundingTypes']} label={t('staff.project.foundingTypes')}>
            <Select
              mode="multiple"
              style={{ minWidth: 240 }}
              options={FOUNDING_TYPES.map((f) => ({ value: f, label: t(`staff.foundingType.${f}`) }))}
            />
          </Form.Item>
          <Form.Item
            name={['eligibility', 'verifiedOnly']}
            label={t('staff.project.verifiedOnly')}
            valuePropName="checked"
          >
            <Switch />
          </Form.Item>
          <Form.Item
            name={['eligibility', 'mustServeRegions']}
            label={t('staff.project.mustServeRegions')}
            valuePropName="checked"
          >
            <Switch />
          </Form.Item>
        </Space>
        {!draft && (
          <Form.Item
            name="rationale"
            label={t('staff.project.rationale')}
            rules={[{ required: true, message: t('staff.project.rationaleRequired') }]}
          >
            <Input.TextArea rows={2} />
          </Form.Item>
        )}
        <Form.Item
          name="fairnessRationale"
          label={t('staff.project.fairnessRationale')}
          extra={t('staff.project.fairnessRationaleHelp')}
        >
          <Input.TextArea rows={2} />
        </Form.Item>
        <FormError text={formError} />
        <Space>
          {draft && (
            <Button loading={busy === 'save'} onClick={() => void submit('save')}>
              {t('staff.project.saveDraft')}
            </Button>
          )}
          <Button type="primary" htmlType="submit" loading={busy === 'publish' || busy === 'amend'}>
            {t(draft ? 'staff.project.publish' : 'staff.project.amendSubmit')}
          </Button>
        </Space>
      </Form>
    </Card>
  );
}

/** The applications with the hub's verdict on each applicant as it stands now; shortlisting. */
function Applications({ token, project, onReload }: SectionProps) {
  const { t } = useTranslation();
  const [error, setError] = useState<string | null>(null);
  const mayShortlist = project.status === 'PUBLISHED' || project.status === 'EVALUATING';

  const shortlist = async (application: StaffApplication) => {
    setError(null);
    try {
      await request(SHORTLIST_APPLICATION, { input: { applicationId: application.id } }, token);
      onReload();
    } catch (e) {
      setError(errorText(e, t));
    }
  };

  return (
    <Card title={t('staff.applications.title', { count: project.applications.totalCount })} size="small">
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} />}
      <Table<StaffApplication>
        rowKey="id"
        size="small"
        pagination={false}
        dataSource={project.applications.edges.map((e) => e.node)}
        expandable={{
          expandedRowRender: (a) => <Typography.Paragraph>{a.proposal}</Typography.Paragraph>,
          expandIcon: ({ expanded, onExpand, record }) => (
            <Button size="small" aria-expanded={expanded} onClick={(event) => onExpand(record, event)}>
              {t(expanded ? 'staff.applications.hideProposal' : 'staff.applications.showProposal')}
            </Button>
          ),
        }}
        columns={[
          { title: t('staff.applications.organization'), render: (_, a) => a.organization.name },
          {
            title: t('staff.applications.requested'),
            align: 'right',
            render: (_, a) => formatYuan(a.requested.amountFen),
          },
          {
            title: t('staff.applications.status'),
            render: (_, a) => (
              <Tag data-testid="application-status">
                {t(`staff.applicationStatus.${a.status}`)}
                {a.awarded ? ` ${formatYuan(a.awarded.amountFen)}` : ''}
              </Tag>
            ),
          },
          {
            title: t('staff.applications.eligibility'),
            render: (_, a) => (
              <ul className="eligibility-lines" data-testid="application-eligibility">
                {a.eligibility?.eligible && <li>✓ {t('staff.eligibility.eligible')}</li>}
                {a.eligibility?.failedRules.map((rule) => (
                  <li key={rule}>
                    ✗{' '}
                    {t(`staff.eligibility.${rule}`, {
                      grade: t(`staff.grade.${a.organization.grade}`),
                      minGrade: t(`staff.grade.${project.eligibility.minGrade}`),
                      foundingType: t(`staff.foundingType.${a.organization.foundingType}`),
                    })}
                  </li>
                ))}
              </ul>
            ),
          },
          {
            title: t('staff.applications.actions'),
            render: (_, a) =>
              mayShortlist && a.status === 'SUBMITTED' ? (
                <Button size="small" onClick={() => void shortlist(a)}>
                  {t('staff.applications.shortlist', { name: a.organization.name })}
                </Button>
              ) : null,
          },
        ]}
      />
    </Card>
  );
}

/** The award: which of the pending applications win, and how much each (in 元). */
function AwardForm({ token, project, onChanged }: SectionProps) {
  const { t } = useTranslation();
  const pending = project.applications.edges.map((e) => e.node).filter(isPending);
  const [chosen, setChosen] = useState<Record<string, boolean>>({});
  const [amounts, setAmounts] = useState<Record<string, number | null>>(() =>
    Object.fromEntries(pending.map((a) => [a.id, a.requested.amountFen])),
  );
  const [rowErrors, setRowErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [fairnessRationale, setFairnessRationale] = useState('');

  const award = async () => {
    const winners = pending.filter((a) => chosen[a.id]);
    setError(null);
    setRowErrors({});
    if (winners.length === 0) {
      setError(t('staff.award.chooseOne'));
      return;
    }
    setBusy(true);
    try {
      const awards = winners.map((a) => ({ applicationId: a.id, amountFen: amounts[a.id] ?? 0 }));
      const data = await request<{ awardProject: { project: StaffProjectData } }>(
        AWARD_PROJECT,
        {
          input: {
            projectId: project.id,
            awards,
            // Needed when the award is a fairness flag (one applicant, a repeat winner): docs/domain.md.
            ...(fairnessRationale.trim() ? { fairnessRationale } : {}),
          },
        },
        token,
      );
      onChanged(data.awardProject.project);
    } catch (e) {
      // `input.awards.<i>.…` names the i-th winner sent: show it on that application's row.
      const byRow: Record<string, string> = {};
      for (const problem of e instanceof ApiError ? e.fields : []) {
        const index = /^input\.awards\.(\d+)\.(\w+)/.exec(problem.path);
        const winner = index ? winners[Number(index[1])] : undefined;
        if (winner)
          byRow[winner.id] = fieldErrorText([index![2]!], e instanceof ApiError ? e.code : 'ERROR', t, {
            fieldHints: ['staff.fieldErrors'],
          });
      }
      setRowErrors(byRow);
      if (Object.keys(byRow).length === 0) setError(errorText(e, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title={t('staff.award.title')} size="small" style={{ marginTop: 16 }}>
      <Typography.Paragraph>
        {t('staff.award.help', { budget: formatYuan(project.budget.amountFen) })}
      </Typography.Paragraph>
      <Space direction="vertical" style={{ width: '100%' }}>
        {pending.map((a) => (
          <Space key={a.id} wrap align="start">
            <Checkbox
              checked={!!chosen[a.id]}
              onChange={(e) => setChosen({ ...chosen, [a.id]: e.target.checked })}
            >
              {t('staff.award.choose', { name: a.organization.name })}
            </Checkbox>
            <label htmlFor={`award-amount-${a.id}`}>
              {t('staff.award.amount', { name: a.organization.name })}
            </label>
            <Space direction="vertical" size={0}>
              <YuanInput
                id={`award-amount-${a.id}`}
                value={amounts[a.id]}
                onChange={(value) => setAmounts({ ...amounts, [a.id]: value })}
                status={rowErrors[a.id] ? 'error' : undefined}
                aria-invalid={rowErrors[a.id] ? true : undefined}
                aria-describedby={rowErrors[a.id] ? `award-amount-${a.id}-error` : undefined}
              />
              {rowErrors[a.id] && (
                <Typography.Text type="danger" id={`award-amount-${a.id}-error`}>
                  {rowErrors[a.id]}
                </Typography.Text>
              )}
            </Space>
          </Space>
        ))}
      </Space>
      <Space direction="vertical" style={{ width: '100%', marginTop: 12 }}>
        <label htmlFor="award-fairness-rationale">{t('staff.award.fairnessRationale')}</label>
        <Input.TextArea
          id="award-fairness-rationale"
          rows={2}
          value={fairnessRationale}
          onChange={(e) => setFairnessRationale(e.target.value)}
          aria-describedby="award-fairness-rationale-help"
        />
        <Typography.Text type="secondary" id="award-fairness-rationale-help">
          {t('staff.award.fairnessRationaleHelp')}
        </Typography.Text>
      </Space>
      {error && <Alert type="error" showIcon message={error} style={{ margin: '12px 0' }} />}
      <Button type="primary" loading={busy} onClick={() => void award()} style={{ marginTop: 12 }}>
        {t('staff.award.submit')}
      </Button>
    </Card>
  );
}

/** An awarded project starts delivery once the contract is signed. */
function StartProject({ token, project, onChanged }: SectionProps) {
  const { t } = useTranslation();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const start = async () => {
    setBusy(true);
    setError(null);
    try {
      const data = await request<{ startProject: { project: StaffProjectData } }>(
        START_PROJECT,
        { input: { projectId: project.id } },
        token,
      );
      onChanged(data.startProject.project);
    } catch (e) {
      setError(errorText(e, t));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card title={t('staff.start.title')} size="small" style={{ marginTop: 16 }}>
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} />}
      <Button type="primary" loading={busy} onClick={() => void start()}>
        {t('staff.start.submit')}
      </Button>
    </Card>
  );
}

interface CompleteValues {
  outcome: string;
  evaluationScore: number;
}

/** Closes delivery with what was delivered and the publisher's 1–5 evaluation. */
function CompleteForm({ token, project, onChanged }: SectionProps) {
  const { t } = useTranslation();
  const [form] = Form.useForm();
  const { formError, run } = useFieldErrors(form, { fieldHints: ['staff.fieldErrors'] });
  const [busy, setBusy] = useState(false);
  const complete = async (values: CompleteValues) => {
    setBusy(true);
    await run(async () => {
      const data = await request<{ completeProject: { project: StaffProjectData } }>(
        COMPLETE_PROJECT,
        { input: { projectId: project.id, ...values } },
        token,
      );
      onChanged(data.completeProject.project);
    });
    setBusy(false);
  };
  return (
    <Card title={t('staff.complete.title')} size="small" style={{ marginTop: 16 }}>
      <Form<CompleteValues> form={form} name="complete" layout="vertical" onFinish={(v) => void complete(v)}>
        <Form.Item
          name="outcome"
          label={t('staff.complete.outcome')}
          rules={[{ required: true, message: t('staff.required') }]}
        >
          <Input.TextArea rows={3} />
        </Form.Item>
        <Form.Item
          name="evaluationScore"
          label={t('staff.complete.evaluationScore')}
          rules={[{ required: true, message: t('staff.required') }]}
        >
          <Radio.Group
            options={[1, 2, 3, 4, 5].map((n) => ({
              value: n,
              label: t('staff.complete.score', { count: n }),
            }))}
          />
        </Form.Item>
        <FormError text={formError} />
        <Button type="primary" htmlType="submit" loading={busy}>
          {t('staff.complete.submit')}
        </Button>
      </Form>
    </Card>
  );
}
