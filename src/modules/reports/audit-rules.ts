/**
 * Who reads the full audit trail of the types whose modules registered no rule, or a narrower one
 * (issue 6): union staff read their region's entries, organizations' admins their own, and (by
 * `PUBLIC_AUDIT_ACTIONS`) anyone reads verification and award decisions.
 *
 * @module
 */
import type { Context } from '../../core/context.js';
import { Role } from '../../core/roles.js';
import { MemberRole } from '../organizations/organization.enums.js';
import type { AuditService } from '../audit/audit.service.js';
import type { Demand } from '../demands/demand.entity.js';
import type { Project } from '../projects/project.entity.js';
import type { ProjectApplication } from '../projects/application.entity.js';
import type { ProjectService } from '../projects/project.service.js';
import type { Publisher } from '../projects/publisher.entity.js';
import type { PublisherService } from '../projects/publisher.service.js';
import type { OrganizationService as ServiceOffering } from '../organizations/service.entity.js';
import type { User } from '../accounts/user.entity.js';

/** The region code a union staff viewer's unit covers, or null. */
export function unionScopeOf(ctx: Pick<Context, 'viewer'>): string | null {
  const viewer = ctx.viewer;
  if (!viewer?.roles.has(Role.UNION_STAFF)) return null;
  return viewer.user.regionScope?.code ?? null;
}

/** Whether union staff's scope covers one of the given region paths' codes. */
function scopeCovers(ctx: Pick<Context, 'viewer'>, regionCodes: readonly string[]): boolean {
  const scope = unionScopeOf(ctx);
  return scope !== null && regionCodes.includes(scope);
}

/** Registers the rules with the audit service; the project services answer "is this the publisher's staff". */
export function registerReportAuditRules(
  audit: AuditService,
  projects: ProjectService,
  publishers: PublisherService,
): void {
  // A demand's trail (who endorsed, claimed, closed it) is for union staff whose scope covers it.
  audit.alsoAllow('Demand', (ctx, subject) => scopeCovers(ctx, (subject as Demand).regionPath));
  // A project's trail: its publisher's staff (the projects module's rule) or union staff in scope.
  audit.alsoAllow('Project', (ctx, subject) => scopeCovers(ctx, (subject as Project).regionPaths));
  // An application's trail: the applicant's admins and the project's publisher's staff.
  audit.alsoAllow('ProjectApplication', async (ctx, subject) => {
    const application = subject as ProjectApplication;
    if (ctx.viewer?.memberships.get(application.organization.id) === MemberRole.ORG_ADMIN) return true;
    const project = await application.project.load({ dataloader: true });
    return project !== null && (await projects.isPublisherStaff(ctx, project));
  });
  // A service's trail: its organization's members.
  audit.alsoAllow(
    'Service',
    (ctx, subject) => ctx.viewer?.memberships.has((subject as ServiceOffering).organization.id) ?? false,
  );
  // A publisher's trail: its staff, and union staff whose scope covers its region.
  audit.alsoAllow('Publisher', async (ctx, subject) => {
    const publisher = subject as Publisher;
    const region = await publisher.region.load({ dataloader: true });
    if (region && scopeCovers(ctx, region.path)) return true;
    return (await publishers.publisherIdOf(ctx.em, ctx.viewer)) === publisher.id;
  });
  // An account's trail (sign-up, staff creation): the account holder.
  audit.alsoAllow('User', (ctx, subject) => ctx.viewer?.userId === (subject as User).id);
}
