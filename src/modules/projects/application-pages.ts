import DataLoader from 'dataloader';
import { Cursor } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Page } from '../../core/relay/connection.js';
import { ProjectApplication } from './application.entity.js';
import type { Project } from './project.entity.js';
import { ApplicationStatus } from './project.enums.js';
import { AWARD_DECIDED_STATUSES } from './project-lifecycle.js';

/**
 * Who is asking, for the visibility of applications (the rules of `ProjectQueriesService.applications`):
 * admins and the publisher's staff see all of a project's applications; others see their own
 * organizations' and, once the award is decided, the winners.
 */
export interface ApplicationReader {
  isAdmin: boolean;
  /** The publisher the viewer acts for, or null. */
  publisherId: number | null;
  /** The organizations the viewer belongs to. */
  organizationIds: readonly number[];
}

/** A `where` fragment over `project_application a` and its parameters. */
interface SqlWhere {
  sql: string;
  params: number[];
}

const list = (values: readonly number[]) => values.map(() => '?').join(', ');

/**
 * The applications of `projects` the reader may see, as one SQL condition for all of them (null when
 * none is visible): the batched twin of `visibleApplicationsWhere`.
 */
export function visibleApplicationsSql(
  reader: ApplicationReader,
  projects: readonly Project[],
): SqlWhere | null {
  const all = projects
    .filter((p) => reader.isAdmin || (reader.publisherId !== null && p.publisher.id === reader.publisherId))
    .map((p) => p.id);
  const decided = projects
    .filter((p) => !all.includes(p.id) && AWARD_DECIDED_STATUSES.includes(p.status))
    .map((p) => p.id);
  const or: string[] = [];
  const params: number[] = [];
  if (all.length) {
    or.push(`a."project_id" in (${list(all)})`);
    params.push(...all);
  }
  if (reader.organizationIds.length) {
    or.push(`a."organization_id" in (${list(reader.organizationIds)})`);
    params.push(...reader.organizationIds);
  }
  if (decided.length) {
    or.push(`(a."project_id" in (${list(decided)}) and a."status" = '${ApplicationStatus.AWARDED}')`);
    params.push(...decided);
  }
  if (or.length === 0) return null;
  const ids = projects.map((p) => p.id);
  return {
    sql: `a."project_id" in (${list(ids)}) and (${or.join(' or ')})`,
    params: [...ids, ...params],
  };
}

/** What a reader who may see no application at all gets. */
export const EMPTY_APPLICATION_PAGE: Page<ProjectApplication> = {
  edges: [],
  pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
  count: () => Promise.resolve(0),
};

/** Per-operation loaders: the first page of many projects' applications in two queries, not 2 × N. */
interface PageLoaders {
  /** By page size, then project. */
  firstPages: Map<number, DataLoader<Project, Page<ProjectApplication>, number>>;
  counts: DataLoader<Project, number, number>;
}

declare module '../../core/context.js' {
  interface RequestLoaders {
    applicationPages: ApplicationPageLoaders;
  }
}

/** The application pages of one unit of work (`ctx.loaders.applicationPages`). */
export class ApplicationPageLoaders {
  /**
   * By reader: subscribers of several organizations handed one live event share a unit of work (and
   * so these loaders), and each must get the page its own rights allow, not the first asker's.
   */
  private readonly loaders = new Map<string, PageLoaders>();

  constructor(private readonly em: EntityManager) {}

  /**
   * The first `first` applications of a project (oldest first, the order and cursors of the
   * unbatched keyset path, so `after: endCursor` continues where this page ends), batched with every
   * other project asking in the same tick: a window function keeps `first + 1` rows per project.
   */
  firstPage(reader: ApplicationReader, project: Project, first: number): Promise<Page<ProjectApplication>> {
    const loaders = this.loadersFor(reader);
    let loader = loaders.firstPages.get(first);
    if (!loader) {
      loader = new DataLoader(
        (projects) => loadFirstPages(this.em, reader, projects, first, loaders.counts),
        {
          cacheKeyFn: (p) => p.id,
        },
      );
      loaders.firstPages.set(first, loader);
    }
    return loader.load(project);
  }

  private loadersFor(reader: ApplicationReader): PageLoaders {
    const key = readerKey(reader);
    let loaders = this.loaders.get(key);
    if (!loaders) {
      loaders = {
        firstPages: new Map(),
        counts: new DataLoader((projects) => loadCounts(this.em, reader, projects), {
          cacheKeyFn: (p) => p.id,
        }),
      };
      this.loaders.set(key, loaders);
    }
    return loaders;
  }
}

/** Readers with equal keys see the same applications (every field of the reader is in it). */
function readerKey(reader: ApplicationReader): string {
  return `${reader.isAdmin}:${reader.publisherId ?? ''}:${[...reader.organizationIds].sort((a, b) => a - b).join(',')}`;
}

async function loadFirstPages(
  em: EntityManager,
  reader: ApplicationReader,
  projects: readonly Project[],
  first: number,
  counts: PageLoaders['counts'],
): Promise<Page<ProjectApplication>[]> {
  const where = visibleApplicationsSql(reader, projects);
  if (!where) return projects.map(() => EMPTY_APPLICATION_PAGE);
  const rows = await em.execute<{ id: string | number }[]>(
    `select "id" from (
       select a."id", row_number() over (partition by a."project_id" order by a."id") as "rn"
         from "project_application" a where ${where.sql}) as "t"
      where "rn" <= ?`,
    [...where.params, first + 1],
  );
  const found = rows.length
    ? await em.find(
        ProjectApplication,
        { id: { $in: rows.map((r) => Number(r.id)) } },
        { orderBy: { id: 'asc' } },
      )
    : [];
  const meta = em.getMetadata(ProjectApplication);
  return projects.map((project) => {
    const mine = found.filter((a) => a.project.id === project.id);
    const items = mine.slice(0, first);
    const edges = items.map((node) => ({ cursor: Cursor.for(meta, node, { id: 'asc' }), node }));
    return {
      edges,
      pageInfo: {
        hasNextPage: mine.length > first,
        hasPreviousPage: false,
        startCursor: edges[0]?.cursor ?? null,
        endCursor: edges.at(-1)?.cursor ?? null,
      },
      count: () => counts.load(project),
    };
  });
}

async function loadCounts(
  em: EntityManager,
  reader: ApplicationReader,
  projects: readonly Project[],
): Promise<number[]> {
  const where = visibleApplicationsSql(reader, projects);
  if (!where) return projects.map(() => 0);
  const rows = await em.execute<{ project_id: string | number; n: string | number }[]>(
    `select a."project_id", count(*) as "n" from "project_application" a where ${where.sql} group by a."project_id"`,
    where.params,
  );
  const byId = new Map(rows.map((r) => [Number(r.project_id), Number(r.n)]));
  return projects.map((p) => byId.get(p.id) ?? 0);
}
