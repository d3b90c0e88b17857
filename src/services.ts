import type { Config } from './core/config.js';
import { TokenService } from './core/auth.js';
import { NodeRegistry } from './core/relay/node.resolver.js';
import { RegionService } from './modules/regions/region.service.js';
import { CategoryService } from './modules/categories/category.service.js';
import { AccountService } from './modules/accounts/account.service.js';
import { installUserRules } from './modules/accounts/user.policy.js';
import { OrganizationDirectoryService } from './modules/organizations/organization.service.js';
import { installOrganizationRules } from './modules/organizations/organization.policy.js';
import { AuditService } from './modules/audit/audit.service.js';
import { DemandService } from './modules/demands/demand.service.js';
import { installDemandRules } from './modules/demands/demand.policy.js';
import { EventHub } from './core/events/event-hub.js';
import { PublisherService } from './modules/projects/publisher.service.js';
import { ProjectService } from './modules/projects/project.service.js';
import { installProjectRules } from './modules/projects/project.policy.js';
import { ReportService } from './modules/reports/report.service.js';
import { WebhookService } from './modules/webhooks/webhook.service.js';
import { installWebhookRules } from './modules/webhooks/webhook.policy.js';
import { ReferenceCache } from './modules/reference/reference-cache.js';
import { NotificationService } from './modules/notifications/notification.service.js';
import { installNotificationRules } from './modules/notifications/notification.policy.js';

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
  /** The organization directory. */
  organizations: OrganizationDirectoryService;
  audit: AuditService;
  demands: DemandService;
  /** The real-time feed: match index and subscriber streams (its relay is started by createApp). */
  events: EventHub;
  /** Publishers of purchase-of-service projects. */
  publishers: PublisherService;
  /** Purchase-of-service projects and applications. */
  projects: ProjectService;
  /** Transparency reports: supply–demand gap, award fairness. */
  reports: ReportService;
  /** Signed webhooks: endpoints of organizations (their delivery worker is started by createApp). */
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
    .register('ServiceCategory', (ctx, key) => categories.get(ctx.em, key));
  const audit = new AuditService((ctx, id) => nodes.fetch(ctx, id));
  const demands = new DemandService(config.limits);
  // A suspended organization's open claims go back to OPEN, in the suspending transaction.
  const organizations = new OrganizationDirectoryService().onSuspend(async (actor, organization) => {
    await demands.reopenClaimsOfSuspended(actor, organization.id);
  });
  const publishers = new PublisherService(regions);
  const projects = new ProjectService(publishers, categories, demands);
  const events = new EventHub();
  const webhooks = new WebhookService(config.webhooks);
  const notifications = new NotificationService();
  // Each domain's `node(id)` answers and audit-trail readers, beside its visibility rules
  // (`<domain>.policy.ts`), so `node(id)` and the audit trail answer as the domain's own queries.
  installUserRules({ nodes, audit });
  installDemandRules({ nodes, audit, demands });
  installOrganizationRules({ nodes, audit });
  installProjectRules({ nodes, audit, projects, publishers });
  installWebhookRules({ nodes, webhooks });
  installNotificationRules({ nodes, notifications });
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
