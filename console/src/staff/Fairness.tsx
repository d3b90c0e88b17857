import { useState } from 'react';
import { Alert, Card, DatePicker, Form, Switch, Table, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { Page } from '../shared/Layout.js';
import { request } from '../shared/api.js';
import { errorText } from '../shared/errors.js';
import { formatYuan } from '../shared/format.js';
import { useSignedIn } from '../shared/session-context.js';
import { AWARD_FAIRNESS } from './operations.js';
import { FairnessChart } from './FairnessChart.js';
import { useLoaded, useStaffContext } from './staff-data.js';

interface MoneyTotal {
  amountFen: string;
  yuan: string;
}

interface FoundingTypeRow {
  foundingType: string;
  eligibleOrganizations: number;
  eligibleShare: number | null;
  applicants: number;
  applicantShare: number | null;
  applications: number;
  applicationShare: number | null;
  awards: number;
  awardShare: number | null;
  awarded: MoneyTotal;
  moneyShare: number | null;
  parityRatio: number | null;
  winRate: number | null;
}

interface PublisherRow {
  publisher: { id: string; name: string };
  projects: number;
  projectsWithApplications: number;
  singleApplicantProjects: number;
  singleApplicantRate: number | null;
  herfindahlIndex: number | null;
  awarded: MoneyTotal;
  repeatWinners: {
    organizationId: string;
    organization: { name: string } | null;
    awards: number;
    awarded: MoneyTotal;
  }[];
}

interface AwardFairness {
  projects: number;
  byFoundingType: FoundingTypeRow[];
  publishers: PublisherRow[];
}

const percent = (share: number | null): string => (share == null ? '—' : `${(share * 100).toFixed(1)}%`);
const ratio = (value: number | null): string => (value == null ? '—' : value.toFixed(2));

/**
 * The award-fairness ledger of the staff member's region: per founding type, shares of the eligible
 * pool, of the applications and of the money (table and chart); per publisher, how concentrated
 * its awards are.
 */
export function Fairness() {
  const { t } = useTranslation();
  const { token } = useSignedIn();
  const context = useStaffContext();
  const [period, setPeriod] = useState<[Dayjs | null, Dayjs | null] | null>(null);
  const [ownPublisher, setOwnPublisher] = useState(false);
  const regionCode = context.data?.viewer.regionScope?.code ?? null;
  const publisherId = ownPublisher ? (context.data?.viewer.publisher?.id ?? null) : null;
  const from = period?.[0]?.startOf('day').toISOString() ?? null;
  const to = period?.[1]?.add(1, 'day').startOf('day').toISOString() ?? null;
  const report = useLoaded(async () => {
    if (!context.data) return null;
    const data = await request<{ awardFairness: AwardFairness }>(
      AWARD_FAIRNESS,
      { regionCode, publisherId, from, to },
      token,
    );
    return data.awardFairness;
  }, [token, context.data, regionCode, publisherId, from, to]);

  return (
    <Page
      title={
        t('staff.fairness.title') +
        (context.data?.viewer.regionScope ? ` — ${context.data.viewer.regionScope.name}` : '')
      }
    >
      <Form layout="inline" style={{ marginBottom: 16 }}>
        <Form.Item label={t('staff.fairness.period')} htmlFor="fairness-period">
          <DatePicker.RangePicker
            id={{ start: 'fairness-period', end: 'fairness-period-end' }}
            value={period}
            onChange={(value) => setPeriod(value)}
            allowEmpty={[true, true]}
          />
        </Form.Item>
        {context.data?.viewer.publisher && (
          <Form.Item label={t('staff.fairness.ownPublisher')} htmlFor="fairness-own-publisher">
            <Switch id="fairness-own-publisher" checked={ownPublisher} onChange={setOwnPublisher} />
          </Form.Item>
        )}
      </Form>
      {report.error != null && <Alert type="error" showIcon message={errorText(report.error, t)} />}
      {report.data && (
        <>
          <Typography.Paragraph>
            {t('staff.fairness.projects', { count: report.data.projects })}
          </Typography.Paragraph>
          <FairnessChart rows={report.data.byFoundingType} />
          <Table<FoundingTypeRow>
            rowKey="foundingType"
            size="small"
            pagination={false}
            dataSource={report.data.byFoundingType}
            style={{ marginTop: 16 }}
            columns={[
              {
                title: t('staff.fairness.foundingType'),
                render: (_, r) => t(`staff.foundingType.${r.foundingType}`),
              },
              {
                title: t('staff.fairness.eligible'),
                align: 'right',
                render: (_, r) => `${r.eligibleOrganizations} (${percent(r.eligibleShare)})`,
              },
              {
                title: t('staff.fairness.applicants'),
                align: 'right',
                render: (_, r) => `${r.applicants} (${percent(r.applicantShare)})`,
              },
              {
                title: t('staff.fairness.applications'),
                align: 'right',
                render: (_, r) => `${r.applications} (${percent(r.applicationShare)})`,
              },
              {
                title: t('staff.fairness.awards'),
                align: 'right',
                render: (_, r) => `${r.awards} (${percent(r.awardShare)})`,
              },
              {
                title: t('staff.fairness.money'),
                align: 'right',
                render: (_, r) => (
                  <span data-testid={`fairness-money-${r.foundingType}`}>
                    {formatYuan(Number(r.awarded.amountFen))} ({percent(r.moneyShare)})
                  </span>
                ),
              },
              { title: t('staff.fairness.winRate'), align: 'right', render: (_, r) => percent(r.winRate) },
              { title: t('staff.fairness.parity'), align: 'right', render: (_, r) => ratio(r.parityRatio) },
            ]}
          />
          <Card title={t('staff.fairness.publishers')} size="small" style={{ marginTop: 16 }}>
            <Table<PublisherRow>
              rowKey={(r) => r.publisher.id}
              size="small"
              pagination={false}
              dataSource={report.data.publishers}
              columns={[
                { title: t('staff.fairness.publisher'), render: (_, r) => r.publisher.name },
                { title: t('staff.fairness.publisherProjects'), dataIndex: 'projects', align: 'right' },
                {
                  title: t('staff.fairness.singleApplicant'),
                  align: 'right',
                  render: (_, r) =>
                    `${r.singleApplicantProjects} / ${r.projectsWithApplications} (${percent(r.singleApplicantRate)})`,
                },
                {
                  title: t('staff.fairness.hhi'),
                  align: 'right',
                  render: (_, r) => ratio(r.herfindahlIndex),
                },
                {
                  title: t('staff.fairness.money'),
                  align: 'right',
                  render: (_, r) => formatYuan(Number(r.awarded.amountFen)),
                },
                {
                  title: t('staff.fairness.repeatWinners'),
                  render: (_, r) =>
                    r.repeatWinners.length === 0
                      ? '—'
                      : r.repeatWinners
                          .map(
                            (w) =>
                              `${w.organization?.name ?? w.organizationId} ×${w.awards} ${formatYuan(Number(w.awarded.amountFen))}`,
                          )
                          .join('; '),
                },
              ]}
            />
          </Card>
        </>
      )}
    </Page>
  );
}
