import type { Config } from './core/config.js';
import { TokenService } from './core/auth.js';
import { RecentViewers } from './core/rights/recent-viewers.js';
import type { Services } from './core/context.js';
import { NodeRegistry } from './core/relay/node.resolver.js';
import { RegionService } from './modules/regions/region.service.js';
import { CategoryService } from './modules/categories/category.service.js';
import { AccountService } from './modules/accounts/account.service.js';
import { ViewerService, type ViewerRow } from './modules/accounts/viewer.service.js';
import { UserFactsLoaders } from './modules/accounts/user.policy.js';
import { userMembershipsLoader } from './modules/organizations/user-organizations.resolver.js';
import { DemandProgressLoaders } from './modules/demands/demand-progress-notes.js';
import { projectLoaders } from './modules/projects/project.loaders.js';
import { ApplicationPageLoaders } from './modules/projects/application-pages.js';
import { installUserRules } from './modules/accounts/user.policy.js';
import { OrganizationProfileService } from './modules/organizations/organization-profile.service.js';
import {
  OrganizationDocumentsService,
  organizationDocumentsLoader,
} from './modules/organizations/organization-documents.service.js';
import { ServiceOfferingsService } from './modules/organizations/service-offerings.service.js';
import { OrganizationMembersService } from './modules/organizations/organization-members.service.js';
import { OrganizationVerificationService } from './modules/organizations/organization-verification.service.js';
import { HubMembershipService } from './modules/organizations/hub-membership.service.js';
import { DirectorySearchService } from './modules/organizations/directory-search.service.js';
import { DirectoryStatsService } from './modules/organizations/directory-stats.service.js';
import { installOrganizationRules } from './modules/organizations/organization.policy.js';
import { AuditService } from './modules/audit/audit.service.js';
import { DemandViewerFactsService } from './modules/demands/demand-viewer-facts.service.js';
import { DemandQueriesService } from './modules/demands/demand-queries.service.js';
import { DemandSubmissionService } from './modules/demands/demand-submission.service.js';
import { DemandClaimsService } from './modules/demands/demand-claims.service.js';
import { DemandSweepService } from './modules/demands/demand-sweep.service.js';
import { installDemandRules } from './modules/demands/demand.policy.js';
import { EventHub } from './core/events/event-hub.js';
import { PublisherService } from './modules/projects/publisher.service.js';
import { installProjectRules, ProjectAccess } from './modules/projects/project.policy.js';
import { ProjectQueriesService } from './modules/projects/project-queries.service.js';
import { ProjectPublishingService } from './modules/projects/project-publishing.service.js';
import { ProjectFields } from './modules/projects/project-fields.js';
import { ProjectFromDemandsService } from './modules/projects/project-from-demands.service.js';
import { ProjectApplicationsService } from './modules/projects/project-applications.service.js';
import { projectEligibilityLoader } from './modules/projects/project.loaders.js';
import { ProjectAwardsService } from './modules/projects/project-awards.service.js';
import { ReportService } from './modules/reports/report.service.js';
import { WebhookService } from './modules/webhooks/webhook.service.js';
import { installWebhookRules } from './modules/webhooks/webhook.policy.js';
import { ReferenceCache } from './modules/reference/reference-cache.js';
import { NotificationService } from './modules/notifications/notification.service.js';
import { NotificationSignals } from './modules/notifications/notification-signals.js';
import { installNotificationRules } from './modules/notifications/notification.policy.js';
import { ProjectScoringService } from './modules/projects/project-scoring.service.js';
import { ProjectContractsService } from './modules/projects/project-contracts.service.js';
import { ProjectOutcomesService } from './modules/projects/project-outcomes.service.js';
import { contractLoaders } from './modules/projects/project-contract.loaders.js';
import { installContractRules } from './modules/projects/project-contract.policy.js';
import { ProjectClarificationsService } from './modules/projects/project-clarifications.service.js';
import { ProjectComplaintsService } from './modules/projects/project-complaints.service.js';
import { installClarificationAndComplaintRules } from './modules/projects/clarification-complaint.policy.js';
import { clarificationLoaders } from './modules/projects/clarification.loaders.js';
import { complaintsLoader } from './modules/projects/complaint.loaders.js';
import { ProjectFairnessService } from './modules/projects/project-fairness.service.js';
import { fairnessFlagsLoader } from './modules/projects/fairness-flag.loaders.js';
import { FairnessFlagReportService } from './modules/reports/fairness-flags-report.service.js';
import { SuggestedProjectsService } from './modules/reports/suggested-projects.service.js';
import { SponsoredGroupsService } from './modules/organizations/sponsored-groups.service.js';

declare module './core/context.js' {
  /**
   * The modules' services, added to the ones core/ declares (config, tokens, viewers, nodes,
   * events): core/ names no module, and resolvers see them all on `ctx.services`.
   */
  interface Services {
    regions: RegionService;
    categories: CategoryService;
    /** Regions and categories in memory, for the fields that name them (its first load is createApp's). */
    reference: ReferenceCache;
    accounts: AccountService;
    /** Organizations: registration and profile. */
    organizationProfiles: OrganizationProfileService;
    /** The documents organizations upload for their verification. */
    organizationDocuments: OrganizationDocumentsService;
    /** The services organizations offer. */
    serviceOfferings: ServiceOfferingsService;
    /** Organizations' members and their roles. */
    organizationMembers: OrganizationMembersService;
    /** Union decisions on organizations: verification, suspension, hub status. */
    organizationVerification: OrganizationVerificationService;
    /** Organizations joining hubs, and hubs' member organizations. */
    hubMemberships: HubMembershipService;
    /** The organization directory's search. */
    directorySearch: DirectorySearchService;
    /** The organization directory's statistics per region and category. */
    directoryStats: DirectoryStatsService;
    audit: AuditService;
    /** The viewer's facts for the demand access rules. */
    demandViewers: DemandViewerFactsService;
    /** Reading demands: one demand, the feed, lists, progress notes, matching organizations. */
    demandQueries: DemandQueriesService;
    /** Submitting, endorsing and withdrawing demands. */
    demandSubmissions: DemandSubmissionService;
    /** Claims and the rest of a demand's lifecycle: progress, fulfilment, release, rating, closing. */
    demandClaims: DemandClaimsService;
    /** Expiry and claim lapse (run by the sweep). */
    demandSweep: DemandSweepService;
    /** Publishers of purchase-of-service projects. */
    publishers: PublisherService;
    /** Who may see and manage a purchase-of-service project. */
    projectAccess: ProjectAccess;
    /** Reading projects, their applications, awards, amendments and linked demands. */
    projectQueries: ProjectQueriesService;
    /** Planning and tender: publish, update, cancel; closing ended application periods (the sweep). */
    projectPublishing: ProjectPublishingService;
    /** Projects made from workers' demands. */
    projectsFromDemands: ProjectFromDemandsService;
    /** Organizations' applications to projects and their eligibility. */
    projectApplications: ProjectApplicationsService;
    /** Award and implementation: award, start, complete, report on the linked demands. */
    projectAwards: ProjectAwardsService;
    /** Transparency reports: supply–demand gap, award fairness. */
    reports: ReportService;
    /** Signed webhooks: endpoints of organizations (their delivery worker is started by createApp). */
    webhooks: WebhookService;
    /** Each person's notifications (the worker that makes them is started by createApp). */
    notifications: NotificationService;
    /** New notifications' wake-up calls to the live feed and the channel workers, across processes. */
    notificationSignals: NotificationSignals;
    /** Shortlisting's scores against a project's award criteria. */
    projectScoring: ProjectScoringService;
    /** After the award: contracts, their milestones and payments. */
    projectContracts: ProjectContractsService;
    /** Workers' confirmations of the projects made from their demands. */
    projectOutcomes: ProjectOutcomesService;
    /** Clarification questions during a tender and their public answers. */
    projectClarifications: ProjectClarificationsService;
    /** Complaints against awards: filing, response, reviewer, ruling. */
    projectComplaints: ProjectComplaintsService;
    /** Fairness flags: the rationale each flagged decision needs, recorded in its transaction. */
    projectFairness: ProjectFairnessService;
    /** `awardFairness.flags`: the fairness flags of the ledger's projects. */
    fairnessFlagReports: FairnessFlagReportService;
    /** Suggested projects from workers' unmet demand. */
    suggestedProjects: SuggestedProjectsService;
    /** Community groups and their sponsoring hubs: the hubs' decisions on them. */
    sponsoredGroups: SponsoredGroupsService;
  }
}

export type { Services };

/**
 * The composition root: every service, built once per process and shared by all requests, each with
 * the services it depends on passed to its constructor. Resolvers, policies and the sweep call them
 * directly (`ctx.services.demandClaims.claim(…)`); docs/architecture.md ("File names in a module")
 * has the rules.
 */
export function createServices(config: Config): Services {
  const tokens = new TokenService(config.jwtSecret, config.jwtTtlSeconds);
  const recentViewers = new RecentViewers<ViewerRow>(config.viewerCacheSeconds);
  const reference = new ReferenceCache();
  const regions = new RegionService(reference);
  const categories = new CategoryService();
  const accounts = new AccountService(tokens, regions);
  const nodes = new NodeRegistry()
    .register('Region', (ctx, key) => regions.get(ctx.em, key))
    .register('ServiceCategory', (ctx, key) => categories.get(ctx.em, key));
  const audit = new AuditService((ctx, id) => nodes.fetch(ctx, id));
  const demandViewers = new DemandViewerFactsService();
  const demandClaims = new DemandClaimsService(config.limits, demandViewers);
  // A suspended organization's open claims go back to OPEN, in the suspending transaction.
  const organizationVerification = new OrganizationVerificationService().onSuspend(
    async (actor, organization) => {
      await demandClaims.reopenClaimsOfSuspended(actor, organization.id);
    },
  );
  const publishers = new PublisherService(regions);
  const projectFairness = new ProjectFairnessService(config.fairness);
  const projectAccess = new ProjectAccess(publishers);
  const projectApplications = new ProjectApplicationsService(projectAccess);
  const projectQueries = new ProjectQueriesService(
    projectAccess,
    publishers,
    demandViewers,
    projectApplications,
  );
  const events = new EventHub({ fanOutSlice: config.limits.liveFanOutSlice });
  const webhooks = new WebhookService(config.webhooks, events);
  const notifications = new NotificationService();
  const notificationSignals = new NotificationSignals(events);
  // Each domain's `node(id)` answers and audit-trail readers, beside its visibility rules
  // (`<domain>.policy.ts`), so `node(id)` and the audit trail answer as the domain's own queries.
  const demandQueries = new DemandQueriesService(config.limits, demandViewers);
  installUserRules({ nodes, audit });
  installDemandRules({ nodes, audit, demandQueries });
  installOrganizationRules({ nodes, audit });
  installProjectRules({ nodes, audit, projectAccess, projectQueries, publishers });
  installWebhookRules({ nodes, webhooks });
  installNotificationRules({ nodes, notifications });
  installContractRules({ nodes, projectQueries });
  const projectClarifications = new ProjectClarificationsService(projectAccess, projectApplications);
  const projectComplaints = new ProjectComplaintsService(config.limits, projectAccess, publishers);
  installClarificationAndComplaintRules({
    nodes,
    audit,
    projectAccess,
    projectClarifications,
    projectComplaints,
  });
  return {
    config,
    tokens,
    viewers: new ViewerService(recentViewers),
    recentViewers,
    nodes,
    // Each module's per-operation loaders (`ctx.loaders`), built per unit of work on first use.
    loaderFactories: {
      userFacts: (em) => new UserFactsLoaders(em),
      userMemberships: userMembershipsLoader,
      demandProgress: (em) => new DemandProgressLoaders(em),
      projects: projectLoaders,
      applicationPages: (em) => new ApplicationPageLoaders(em),
      projectEligibility: (em) => projectEligibilityLoader(em, projectApplications, projectAccess),
      organizationDocuments: organizationDocumentsLoader,
      contracts: contractLoaders,
      clarifications: clarificationLoaders,
      complaints: complaintsLoader,
      fairnessFlags: fairnessFlagsLoader,
    },
    regions,
    categories,
    reference,
    accounts,
    audit,
    events,
    demandViewers,
    demandQueries,
    demandSubmissions: new DemandSubmissionService(config.limits, demandViewers),
    demandClaims,
    demandSweep: new DemandSweepService(config.limits),
    organizationProfiles: new OrganizationProfileService(),
    organizationDocuments: new OrganizationDocumentsService(config.limits),
    serviceOfferings: new ServiceOfferingsService(),
    organizationMembers: new OrganizationMembersService(),
    organizationVerification,
    hubMemberships: new HubMembershipService(),
    directorySearch: new DirectorySearchService(),
    directoryStats: new DirectoryStatsService(),
    publishers,
    projectAccess,
    projectQueries,
    projectPublishing: new ProjectPublishingService(
      projectAccess,
      new ProjectFields(categories),
      projectFairness,
    ),
    projectsFromDemands: new ProjectFromDemandsService(publishers, categories),
    projectApplications,
    projectAwards: new ProjectAwardsService(projectAccess, demandClaims, projectFairness),
    reports: new ReportService(reference),
    webhooks,
    notifications,
    notificationSignals,
    projectScoring: new ProjectScoringService(projectAccess),
    projectContracts: new ProjectContractsService(projectAccess),
    projectOutcomes: new ProjectOutcomesService(projectAccess),
    projectClarifications,
    projectComplaints,
    projectFairness,
    fairnessFlagReports: new FairnessFlagReportService(),
    suggestedProjects: new SuggestedProjectsService(),
    sponsoredGroups: new SponsoredGroupsService(),
  };
}
