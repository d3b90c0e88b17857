import type { Config } from './core/config.js';
import { TokenService } from './core/auth.js';
import { NodeRegistry } from './core/relay/node.resolver.js';
import { RegionService } from './modules/regions/region.service.js';
import { CategoryService } from './modules/categories/category.service.js';
import { AccountService } from './modules/accounts/account.service.js';
import { User } from './modules/accounts/user.entity.js';
import { UserView, userViewOf } from './modules/accounts/user-access.js';
import { OrganizationDirectoryService } from './modules/organizations/organization.service.js';
import { canOversee, isMemberOf } from './modules/organizations/organization.policy.js';
import type { Organization } from './modules/organizations/organization.entity.js';
import { HubMembershipRequest } from './modules/organizations/membership.entity.js';
import { AuditService } from './modules/audit/audit.service.js';
import { DemandService } from './modules/demands/demand.service.js';
import { EventHub } from './core/events/event-hub.js';
import { PublisherService } from './modules/projects/publisher.service.js';
import { ProjectService } from './modules/projects/project.service.js';
import type { Project } from './modules/projects/project.entity.js';
import { ReportService } from './modules/reports/report.service.js';
import { registerReportAuditRules } from './modules/reports/audit-rules.js';
import { WebhookService } from './modules/webhooks/webhook.service.js';
import { ReferenceCache } from './modules/reference/reference-cache.js';
import { NotificationService } from './modules/notifications/notification.service.js';

/** The composition root: every service, built once per process and shared by all requests. */
export interface Services {
  config: Config;
  tokens: TokenService;
  nodes: NodeRegistry;
  regions: RegionService;
  categories: CategoryService;
  /** Regions and categories in memory, for the fields that name them (its first load is createApp's). */
  reference: ReferenceCache;
  accounts: AccountService;
  /** The organization directory (issue 3). */
  organizations: OrganizationDirectoryService;
  audit: AuditService;
  demands: DemandService;
  /** The real-time feed: match index and subscriber streams (its relay is started by createApp). */
  events: EventHub;
  /** Publishers of purchase-of-service projects (issue 5). */
  publishers: PublisherService;
  /** Purchase-of-service projects and applications (issue 5). */
  projects: ProjectService;
  /** Transparency reports: supply–demand gap, award fairness (issue 6). */
  reports: ReportService;
  /** Signed webhooks: endpoints of organizations (issue 9; the worker is started by createApp). */
  webhooks: WebhookService;
  /** Each person's notifications (the worker that makes them is started by createApp). */
  notifications: NotificationService;
}

export function createServices(config: Config): Services {
  const tokens = new TokenService(config.jwtSecret, config.jwtTtlSeconds);
  const reference = new ReferenceCache();
  const regions = new RegionService(reference);
  const categories = new CategoryService();
  const accounts = new AccountService(tokens, regions);
  const nodes = new NodeRegistry()
    .register('Region', (ctx, key) => regions.get(ctx.em, key))
    .register('ServiceCategory', (ctx, key) => categories.get(ctx.em, key))
    // Users by id: only to those user-access.ts lets see her; anyone else learns nothing, not even
    // that the id exists.
    .registerById('User', async (ctx, id) =>
      (await userViewOf(ctx, id)) > UserView.NONE ? ctx.em.findOne(User, { id }) : null,
    );
  const demands = new DemandService(config.limits);
  // Same rules as `demand(id)` and the feed: invisible demands are simply absent.
  nodes.registerById('Demand', (ctx, id) => demands.findVisible(ctx, id));
  const audit = new AuditService((ctx, id) => nodes.fetch(ctx, id));
  // A suspended organization's open claims go back to OPEN, in the suspending transaction.
  const organizations = new OrganizationDirectoryService().onSuspend(async (actor, organization) => {
    await demands.reopenClaimsOfSuspended(actor, organization.id);
  });
  // Same visibility as `organization(id:)` and the directory.
  nodes
    .registerById('Organization', (ctx, id) => organizations.get(ctx, id))
    .registerById('Service', (ctx, id) => organizations.getService(ctx, id))
    .registerById('HubMembershipRequest', async (ctx, id) => {
      const request = await ctx.em.findOne(HubMembershipRequest, { id });
      return request && (await organizations.canSeeRequest(ctx, request)) ? request : null;
    });
  // An organization's full audit trail: its members, union staff in scope (admins always may).
  audit.registerReadRule('Organization', async (ctx, subject) => {
    const org = subject as Organization;
    return (
      isMemberOf(organizations.viewerFacts(ctx), org.id) ||
      canOversee(organizations.viewerFacts(ctx), await organizations.facts(ctx.em, org))
    );
  });
  // Projects (issue 5): same visibility as `project(id:)`, `applications` and the amendments list.
  const publishers = new PublisherService(regions);
  const projects = new ProjectService(publishers, categories, demands);
  nodes
    .registerById('Publisher', (ctx, id) => publishers.get(ctx.em, id))
    .registerById('Project', (ctx, id) => projects.get(ctx, id))
    .registerById('ProjectApplication', (ctx, id) => projects.getApplication(ctx, id))
    .registerById('ProjectAmendment', (ctx, id) => projects.getAmendment(ctx, id));
  // A project's full trail is for its publisher's staff (the public reads awards and cancellations).
  audit.registerReadRule('Project', (ctx, subject) => projects.isPublisherStaff(ctx, subject as Project));
  // Union staff read their region's demands' and projects' trails; applicants their applications' (issue 6).
  registerReportAuditRules(audit, projects, publishers);
  const events = new EventHub();
  // Webhook endpoints (issue 9): visible by id to those who administer their organization only.
  const webhooks = new WebhookService(config.webhooks);
  nodes.registerById('Webhook', (ctx, id) => webhooks.get(ctx, id));
  // A notification by id: to its recipient only.
  const notifications = new NotificationService();
  nodes.registerById('Notification', (ctx, id) => notifications.get(ctx, id));
  return {
    config,
    tokens,
    nodes,
    regions,
    categories,
    reference,
    accounts,
    audit,
    events,
    demands,
    organizations,
    publishers,
    projects,
    reports: new ReportService(),
    webhooks,
    notifications,
  };
}
