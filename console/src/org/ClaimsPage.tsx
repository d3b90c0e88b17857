import { useCallback, useEffect, useState } from 'react';
import {
  Alert,
  Button,
  Card,
  Descriptions,
  Empty,
  Form,
  Input,
  Segmented,
  Space,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import { useTranslation } from 'react-i18next';
import { FormError } from '../shared/FormError.js';
import { Page } from '../shared/Layout.js';
import { request } from '../shared/api.js';
import type { Acting } from './acting.js';
import { CLAIMED_DEMANDS, FULFIL_DEMAND, RELEASE_DEMAND, REPORT_DEMAND_PROGRESS } from './operations.js';
import { applyApiErrors, errorText } from '../shared/errors.js';
import { formatDateTime, localName } from '../shared/format.js';
import { ORG_ERRORS, SECTION_TITLE_STYLE } from './text.js';
import type { DemandCard } from '../shared/fragments.js';

/** A demand the organization holds, with the notes it wrote. */
export interface ClaimedDemand extends DemandCard {
  description: string;
  claimedAt: string | null;
  lastProgressAt: string | null;
  contact: string | null;
  progressNotes: { kind: string; note: string; createdAt: string }[];
}

type StatusFilter = 'ALL' | 'CLAIMED' | 'IN_SERVICE' | 'FULFILLED';
const FILTERS: StatusFilter[] = ['ALL', 'CLAIMED', 'IN_SERVICE', 'FULFILLED'];

/** "Our claims": the demands the organization took on, their notes, and progress / fulfil / release. */
export function ClaimsPage({ acting }: { acting: Acting }) {
  const { t } = useTranslation();
  const [filter, setFilter] = useState<StatusFilter>('ALL');
  const [demands, setDemands] = useState<ClaimedDemand[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    setError(null);
    try {
      const data = await request<{
        organization: { claimedDemands: { edges: { node: ClaimedDemand }[] } | null } | null;
      }>(
        CLAIMED_DEMANDS,
        { organizationId: acting.organization.id, status: filter === 'ALL' ? null : filter },
        acting.session.token,
      );
      setDemands(data.organization?.claimedDemands?.edges.map((e) => e.node) ?? []);
    } catch (e) {
      setError(errorText(e, t));
    }
  }, [acting, filter]);

  useEffect(() => void load(), [load]);

  const replace = (changed: ClaimedDemand) =>
    setDemands((list) => list?.map((d) => (d.id === changed.id ? changed : d)) ?? null);
  const drop = (id: string) => setDemands((list) => list?.filter((d) => d.id !== id) ?? null);

  return (
    <Page title={t('org.claims.title', { organization: acting.organization.name })}>
      <Segmented<StatusFilter>
        aria-label={t('org.claims.filter')}
        value={filter}
        onChange={setFilter}
        options={FILTERS.map((f) => ({ value: f, label: t(`org.claims.filters.${f}`) }))}
      />
      {error && <Alert type="error" showIcon title={error} />}
      {demands && demands.length === 0 && <Empty description={t('org.claims.empty')} />}
      <Space direction="vertical" size="middle" className="org-claim-list" style={{ width: '100%' }}>
        {demands?.map((demand) => (
          <ClaimCard key={demand.id} acting={acting} demand={demand} onChanged={replace} onReleased={drop} />
        ))}
      </Space>
    </Page>
  );
}

/** One claimed demand: its facts, its notes (oldest first) and, while it is being served, the actions. */
function ClaimCard({
  acting,
  demand,
  onChanged,
  onReleased,
}: {
  acting: Acting;
  demand: ClaimedDemand;
  onChanged: (demand: ClaimedDemand) => void;
  onReleased: (id: string) => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm();
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const open = demand.status === 'CLAIMED' || demand.status === 'IN_SERVICE';
  const noteId = `claim-note-${demand.id}`;

  const act = async (action: 'progress' | 'fulfil' | 'release') => {
    setBusy(action);
    setError(null);
    const note = (form.getFieldValue('note') as string | undefined)?.trim() ?? '';
    try {
      if (action === 'release') {
        await request(
          RELEASE_DEMAND,
          { input: { demandId: demand.id, reason: note || null } },
          acting.session.token,
        );
        onReleased(demand.id);
        return;
      }
      const data = await request<Record<string, { demand: ClaimedDemand }>>(
        action === 'progress' ? REPORT_DEMAND_PROGRESS : FULFIL_DEMAND,
        { input: { demandId: demand.id, note: action === 'progress' ? note : note || null } },
        acting.session.token,
      );
      const changed = Object.values(data)[0]!.demand;
      form.resetFields();
      onChanged(changed);
    } catch (e) {
      setError(applyApiErrors(form, e, t, ORG_ERRORS));
    } finally {
      setBusy(null);
    }
  };

  return (
    <Card
      title={demand.title}
      extra={<Tag>{t(`org.demandStatus.${demand.status}`)}</Tag>}
      data-demand-id={demand.id}
      className="org-claim"
    >
      <Descriptions size="small" column={{ xs: 1, sm: 2, lg: 3 }}>
        <Descriptions.Item label={t('org.claims.category')}>{localName(demand.category)}</Descriptions.Item>
        <Descriptions.Item label={t('org.claims.region')}>{localName(demand.region)}</Descriptions.Item>
        <Descriptions.Item label={t('org.claims.urgency')}>
          {t(`org.urgency.${demand.urgency}`)}
        </Descriptions.Item>
        <Descriptions.Item label={t('org.claims.people')}>{demand.peopleAffected}</Descriptions.Item>
        <Descriptions.Item label={t('org.claims.claimedAt')}>
          {formatDateTime(demand.claimedAt)}
        </Descriptions.Item>
        <Descriptions.Item label={t('org.claims.contact')}>
          {demand.contact ?? t('org.claims.noContact')}
        </Descriptions.Item>
      </Descriptions>
      <Typography.Paragraph>{demand.description}</Typography.Paragraph>
      <Typography.Title level={2} className="org-notes-title" style={SECTION_TITLE_STYLE}>
        {t('org.claims.notes')}
      </Typography.Title>
      {demand.progressNotes.length === 0 ? (
        <Typography.Text type="secondary">{t('org.claims.noNotes')}</Typography.Text>
      ) : (
        <Timeline
          className="org-notes"
          items={demand.progressNotes.map((n) => ({
            key: `${n.createdAt}-${n.kind}`,
            content: (
              <>
                <Tag>{t(`org.noteKind.${n.kind}`)}</Tag>
                <span className="org-note-text">{n.note}</span>{' '}
                <Typography.Text type="secondary">{formatDateTime(n.createdAt)}</Typography.Text>
              </>
            ),
          }))}
        />
      )}
      {open && (
        <Form
          form={form}
          layout="vertical"
          className="org-claim-actions"
          onFinish={() => void act('progress')}
        >
          <Form.Item name="note" label={t('org.claims.note')} htmlFor={noteId}>
            <Input.TextArea id={noteId} rows={2} maxLength={2000} />
          </Form.Item>
          <FormError text={error} />
          <Space wrap>
            <Button type="primary" htmlType="submit" loading={busy === 'progress'}>
              {t('org.claims.reportProgress')}
            </Button>
            <Button onClick={() => void act('fulfil')} loading={busy === 'fulfil'}>
              {t('org.claims.fulfil')}
            </Button>
            <Button danger onClick={() => void act('release')} loading={busy === 'release'}>
              {t('org.claims.release')}
            </Button>
          </Space>
        </Form>
      )}
    </Card>
  );
}
