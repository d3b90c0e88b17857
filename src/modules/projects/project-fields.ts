import type { EntityManager } from '@mikro-orm/postgresql';
import { ref } from '@mikro-orm/core';
import { requireViewer } from '../../core/auth.js';
import type { Actor } from '../../core/context.js';
import { getOrganization } from '../organizations/organization.policy.js';
import { BadUserInputError } from '../../core/errors.js';
import { parseIdOf } from '../../core/relay/global-id.js';
import { User } from '../accounts/user.entity.js';
import type { CategoryService } from '../categories/category.service.js';
import { Region } from '../regions/region.entity.js';
import { Project, ProjectInvitation } from './project.entity.js';
import { ProcurementMethod } from './project.enums.js';
import type { ProjectFieldsInput, PublishProjectInput } from './project.inputs.js';
import { PENDING_APPLICATION_STATUSES } from './project-transitions.js';

/** Field → { from, to } of one edit, in API terms. */
export type Changes = Record<string, { from: unknown; to: unknown }>;

/** A project's editable fields: creating a draft, applying an edit, and the checks on the result. */
export class ProjectFields {
  constructor(private readonly categories: CategoryService) {}

  async createDraft(actor: Actor, publisherId: number, input: PublishProjectInput): Promise<Project> {
    const em = actor.em;
    const viewer = requireViewer(actor.viewer);
    const required = [
      'title',
      'categoryCode',
      'regionCodes',
      'budgetFen',
      'applicationOpensAt',
      'applicationClosesAt',
    ] as const;
    const missing = required.filter((key) => input[key] == null);
    if (missing.length)
      throw new BadUserInputError(
        missing.map((key) => ({ path: `input.${key}`, message: 'is required for a new project' })),
      );
    const project = em.create(Project, {
      publisher: publisherId,
      title: '',
      category: input.categoryCode!,
      categoryPath: [],
      regionCodes: [],
      regionPaths: [],
      targetGroups: [],
      budgetFen: input.budgetFen!,
      procurementMethod: ProcurementMethod.OPEN,
      applicationOpensAt: input.applicationOpensAt!,
      applicationClosesAt: input.applicationClosesAt!,
      createdBy: ref(em.getReference(User, viewer.userId)),
    });
    await this.applyFields(actor, project, input, true);
    return project;
  }

  /**
   * Sets the fields present in the input; returns what changed (for amendments and the audit).
   * `actor.em` is the transaction's.
   */
  async applyFields(
    actor: Actor,
    project: Project,
    input: ProjectFieldsInput,
    creating = false,
  ): Promise<Changes> {
    const em = actor.em;
    const changes: Changes = {};
    const set = <K extends keyof Project>(
      key: K,
      value: Project[K],
      shown: (v: Project[K]) => unknown = (v) => v,
    ) => {
      const from = shown(project[key]);
      const to = shown(value);
      if (creating || JSON.stringify(from) !== JSON.stringify(to)) {
        if (!creating) changes[String(key)] = { from, to };
        project[key] = value;
      }
    };
    const iso = (d: Date) => d.toISOString();
    if (input.title != null) set('title', input.title.trim());
    if (input.description != null) set('description', input.description);
    if (input.categoryCode != null) {
      const category = await this.categories.require(em, input.categoryCode, 'input.categoryCode');
      set('categoryPath', category.path);
      project.category = ref(category);
    }
    if (input.regionCodes != null) {
      const codes = [...new Set(input.regionCodes)];
      const regions = await em.find(Region, { code: { $in: codes } });
      const unknown = codes.find((c) => !regions.some((r) => r.code === c));
      if (unknown) throw BadUserInputError.field('input.regionCodes', `region ${unknown} does not exist`);
      set('regionCodes', codes);
      project.regionPaths = [...new Set(regions.flatMap((r) => r.path))];
    }
    if (input.targetGroups != null) set('targetGroups', [...new Set(input.targetGroups)]);
    if (input.budgetFen != null) set('budgetFen', input.budgetFen);
    if (input.procurementMethod != null) set('procurementMethod', input.procurementMethod);
    const rules = input.eligibility;
    if (rules?.verifiedOnly != null) set('verifiedOnly', rules.verifiedOnly);
    if (rules?.minGrade != null) set('minGrade', rules.minGrade);
    if (rules?.allowedFoundingTypes != null)
      set('allowedFoundingTypes', [...new Set(rules.allowedFoundingTypes)]);
    if (rules?.mustServeRegions != null) set('mustServeRegions', rules.mustServeRegions);
    if (rules?.allowedProviderKinds != null)
      set('allowedProviderKinds', [...new Set(rules.allowedProviderKinds)]);
    if (input.applicationOpensAt != null) set('applicationOpensAt', input.applicationOpensAt, iso);
    if (input.applicationClosesAt != null) set('applicationClosesAt', input.applicationClosesAt, iso);
    if (input.documents != null)
      set(
        'documents',
        input.documents.map((d) => ({ title: d.title.trim(), url: d.url })),
      );
    if (input.invitedOrganizationIds != null) {
      const ids = [
        ...new Set(
          input.invitedOrganizationIds.map((id, i) =>
            parseIdOf('Organization', id, `input.invitedOrganizationIds.${i}`),
          ),
        ),
      ];
      // An organization the viewer may not see (a pending one) is refused as an unknown id is.
      const visible = await Promise.all(ids.map((id) => getOrganization(actor, id)));
      if (visible.some((organization) => organization === null))
        throw BadUserInputError.field(
          'input.invitedOrganizationIds',
          'names an organization that does not exist',
        );
      if (project.id === undefined) await em.flush(); // the invitations need the project's id
      const before = (await em.find(ProjectInvitation, { project: project.id })).map(
        (i) => i.organization.id,
      );
      const sameSet = before.length === ids.length && ids.every((id) => before.includes(id));
      if (!sameSet) {
        await em.nativeDelete(ProjectInvitation, { project: project.id });
        for (const id of ids) em.create(ProjectInvitation, { project: project.id, organization: id });
        if (!creating) changes.invitedOrganizationIds = { from: before, to: ids };
      }
    }
    return changes;
  }
}

export function assertPeriod(project: Project): void {
  if (project.applicationClosesAt.getTime() <= project.applicationOpensAt.getTime())
    throw BadUserInputError.field('input.applicationClosesAt', 'must be after applicationOpensAt');
}

/** What a tender needs before organizations can see it. */
export async function assertReadyToPublish(em: EntityManager, project: Project): Promise<void> {
  if (project.applicationClosesAt.getTime() <= Date.now())
    throw BadUserInputError.field('input.applicationClosesAt', 'must be in the future to publish');
  if (project.procurementMethod === ProcurementMethod.OPEN) return;
  await em.flush(); // count invitations written in this transaction
  const invited = await em.count(ProjectInvitation, { project: project.id });
  if (project.procurementMethod === ProcurementMethod.SELECTIVE && invited === 0)
    throw BadUserInputError.field(
      'input.invitedOrganizationIds',
      'a SELECTIVE project must invite at least one organization',
    );
  if (project.procurementMethod === ProcurementMethod.DIRECT && invited !== 1)
    throw BadUserInputError.field(
      'input.invitedOrganizationIds',
      'a DIRECT project invites exactly one organization',
    );
}

/** A budget cut below what a live application requests would make that application invalid. */
export async function assertBudgetCoversApplications(em: EntityManager, project: Project): Promise<void> {
  const rows = await em.execute<{ max: string | null }[]>(
    `select max("requested_fen") as "max" from "project_application" where "project_id" = ? and "status" in (?, ?)`,
    [project.id, ...PENDING_APPLICATION_STATUSES],
  );
  const max = Number(rows[0]?.max ?? 0);
  if (max > project.budgetFen)
    throw BadUserInputError.field('input.budgetFen', `must cover the largest live request (${max} fen)`);
}
