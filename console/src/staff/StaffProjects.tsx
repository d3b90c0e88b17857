import { Alert, Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { Page } from '../shared/Layout.js';
import { request } from '../shared/api.js';
import { errorText } from '../shared/errors.js';
import { formatDateTime, formatYuan, localName } from '../shared/format.js';
import { hrefOf } from '../shared/router.js';
import { useSignedIn } from '../shared/session-context.js';
import { PUBLISHER_PROJECTS } from './operations.js';
import { NewProject } from './NewProject.js';
import { projectPath, useLoaded, useStaffContext } from './staff-data.js';
import type { ProjectCard } from '../shared/fragments.js';

interface ProjectRow extends ProjectCard {
  linkedDemandCount: number;
}

/** The projects of the staff member's publisher, drafts included, newest first. */
export function StaffProjects() {
  const { t } = useTranslation();
  const { token } = useSignedIn();
  const context = useStaffContext();
  const publisherId = context.data?.viewer.publisher?.id ?? null;
  const projects = useLoaded(async () => {
    if (!publisherId) return [];
    const data = await request<{ projects: { edges: { node: ProjectRow }[] } }>(
      PUBLISHER_PROJECTS,
      { filter: { publisherId } },
      token,
    );
    return data.projects.edges.map((e) => e.node);
  }, [token, publisherId]);

  return (
    <Page
      title={
        t('staff.projects.title') +
        (context.data?.viewer.publisher ? ` — ${context.data.viewer.publisher.name}` : '')
      }
    >
      {context.data && !publisherId && (
        <Alert type="warning" showIcon message={t('staff.demands.noPublisher')} />
      )}
      {projects.error != null && <Alert type="error" showIcon message={errorText(projects.error, t)} />}
      <Table<ProjectRow>
        rowKey="id"
        loading={!projects.data && projects.error == null}
        dataSource={projects.data ?? []}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        columns={[
          {
            title: t('staff.project.title'),
            render: (_, p) => <a href={hrefOf(projectPath(p.id))}>{p.title}</a>,
          },
          {
            title: t('staff.project.status'),
            render: (_, p) => <Tag>{t(`staff.projectStatus.${p.status}`)}</Tag>,
          },
          { title: t('staff.project.category'), render: (_, p) => localName(p.category) },
          {
            title: t('staff.project.budget'),
            align: 'right',
            render: (_, p) => formatYuan(p.budget.amountFen),
          },
          { title: t('staff.project.closesAt'), render: (_, p) => formatDateTime(p.applicationClosesAt) },
          { title: t('staff.project.demands'), dataIndex: 'linkedDemandCount', align: 'right' },
        ]}
      />
      {context.data?.viewer.publisher && <NewProject context={context.data} />}
    </Page>
  );
}
