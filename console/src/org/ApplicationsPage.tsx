import { useCallback, useEffect, useState } from 'react';
import { Alert, Button, Table, Tag, Typography, notification } from 'antd';
import { useTranslation } from 'react-i18next';
import { Page } from '../shared/Layout.js';
import { request } from '../shared/api.js';
import type { Acting } from './acting.js';
import { APPLICATION_DECIDED, ORGANIZATION_APPLICATIONS, WITHDRAW_APPLICATION } from './operations.js';
import { errorText } from '../shared/errors.js';
import { formatDateTime, formatYuan } from '../shared/format.js';
import { useLiveSubscription } from '../shared/live.js';
import type { ApplicationCard } from '../shared/fragments.js';

/** An application of the organization, as the screen shows it. */
export interface OrganizationApplication extends ApplicationCard {
  updatedAt: string;
  project: { id: string; title: string; publisher: { name: string } };
}

/** "Our applications", newest first; decisions arrive live (`applicationDecided`). */
export function ApplicationsPage({ acting }: { acting: Acting }) {
  const { t } = useTranslation();
  const [applications, setApplications] = useState<OrganizationApplication[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, noticeHolder] = notification.useNotification();
  const { token } = acting.session;

  const load = useCallback(async () => {
    try {
      const data = await request<{
        organization: { applications: { edges: { node: OrganizationApplication }[] } | null } | null;
      }>(ORGANIZATION_APPLICATIONS, { organizationId: acting.organization.id }, token);
      setApplications(data.organization?.applications?.edges.map((e) => e.node) ?? []);
    } catch (e) {
      setError(errorText(e, t));
    }
  }, [acting, token]);
  useEffect(() => void load(), [load]);

  const upsert = (application: OrganizationApplication) =>
    setApplications((list) => {
      const rest = (list ?? []).filter((a) => a.id !== application.id);
      return [application, ...rest].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    });

  // A decision made while the connection was down is read again when it comes back.
  useLiveSubscription<{ applicationDecided: { application: OrganizationApplication } }>(
    APPLICATION_DECIDED,
    { organizationId: acting.organization.id },
    ({ applicationDecided: { application } }) => {
      upsert(application);
      notice.info({
        title: t('org.applications.decided', {
          title: application.project.title,
          status: t(`org.applicationStatus.${application.status}`),
        }),
        placement: 'bottomRight',
      });
    },
    () => void load(),
  );

  const withdraw = async (application: OrganizationApplication) => {
    setError(null);
    try {
      const data = await request<{ withdrawApplication: { application: OrganizationApplication } }>(
        WITHDRAW_APPLICATION,
        { input: { applicationId: application.id } },
        token,
      );
      upsert(data.withdrawApplication.application);
    } catch (e) {
      setError(errorText(e, t));
    }
  };

  return (
    <Page title={t('org.applications.title')}>
      {noticeHolder}
      {error && <Alert type="error" showIcon title={error} />}
      <Table<OrganizationApplication>
        rowKey="id"
        loading={!applications}
        dataSource={applications ?? []}
        pagination={false}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: <Typography.Text>{t('org.applications.empty')}</Typography.Text> }}
        onRow={(a) => ({ 'data-application-id': a.id }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          { title: t('org.applications.project'), render: (_, a) => a.project.title },
          { title: t('org.applications.publisher'), render: (_, a) => a.project.publisher.name },
          { title: t('org.applications.requested'), render: (_, a) => formatYuan(a.requested.amountFen) },
          {
            title: t('org.applications.status'),
            render: (_, a) => (
              <Tag data-testid="application-status">{t(`org.applicationStatus.${a.status}`)}</Tag>
            ),
          },
          {
            title: t('org.applications.awarded'),
            render: (_, a) => (a.awarded ? formatYuan(a.awarded.amountFen) : '—'),
          },
          { title: t('org.applications.updated'), render: (_, a) => formatDateTime(a.updatedAt) },
          ...(acting.isAdmin
            ? [
                {
                  title: t('org.actions'),
                  key: 'actions',
                  render: (_: unknown, a: OrganizationApplication) =>
                    (a.status === 'SUBMITTED' || a.status === 'SHORTLISTED') && (
                      <Button
                        size="small"
                        onClick={() => void withdraw(a)}
                        aria-label={t('org.applications.withdrawFrom', { title: a.project.title })}
                      >
                        {t('org.applications.withdraw')}
                      </Button>
                    ),
                },
              ]
            : []),
        ]}
      />
    </Page>
  );
}
