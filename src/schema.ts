import 'reflect-metadata';
import { buildSchema, type BuildSchemaOptions } from 'type-graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { isInterfaceType, type GraphQLSchema } from 'graphql';
import { UserOrganizationsResolver } from './modules/organizations/user-organizations.resolver.js';
import { authChecker } from './core/auth.js';
import { NodeResolver } from './core/relay/node.resolver.js';
import { resolveNodeType } from './core/relay/node.js';
import { bypassResolverWrappers, validateArgument } from './core/graphql/schema-execution.js';
import { stopResolversAtDeadline } from './core/graphql/execution-limits.js';
import { applyInputRule } from './core/input-text.js';
import { RegionResolver } from './modules/regions/region.resolver.js';
import { CategoryResolver } from './modules/categories/category.resolver.js';
import { AccountResolver } from './modules/accounts/account.resolver.js';
import {
  HubMembershipRequestFieldResolver,
  OrganizationMemberFieldResolver,
  OrganizationResolver,
  ServiceFieldResolver,
} from './modules/organizations/organization.resolver.js';
import { AuditResolver } from './modules/audit/audit.resolver.js';
import {
  OrganizationDocumentResolver,
  OrganizationReviewResolver,
} from './modules/organizations/organization-documents.resolver.js';
import {
  DemandProgressNoteResolver,
  DemandResolver,
  SubmitDemandPayloadResolver,
} from './modules/demands/demand.resolver.js';
import { DemandFeedResolver } from './modules/demands/demand-feed.resolver.js';
import { OrganizationDemandsResolver, UserDemandsResolver } from './modules/demands/demand-lists.resolver.js';
import { noPubSub } from './core/events/no-pub-sub.js';
import {
  ApplicationResolver,
  OrganizationApplicationsResolver,
} from './modules/projects/application.resolver.js';
import { ApplicationFeedResolver } from './modules/projects/application-feed.resolver.js';
import { ProjectFeedResolver } from './modules/projects/project-feed.resolver.js';
import { ProjectAmendmentResolver, ProjectResolver } from './modules/projects/project.resolver.js';
import { PublisherResolver, UserPublisherResolver } from './modules/projects/publisher.resolver.js';
import { ReportResolver } from './modules/reports/report.resolver.js';
import {
  PublisherConcentrationResolver,
  RepeatWinnerResolver,
} from './modules/reports/award-fairness.resolver.js';
import { WebhookResolver } from './modules/webhooks/webhook.resolver.js';
import { NotificationResolver } from './modules/notifications/notification.resolver.js';
import { NotificationPreferencesResolver } from './modules/notifications/notification-preferences.resolver.js';
import {
  ContractFieldsResolver,
  ContractMilestoneResolver,
  ContractPaymentResolver,
  ProjectContractResolver,
} from './modules/projects/project-contract.resolver.js';
import {
  ProjectClarificationsResolver,
  ProjectQuestionResolver,
} from './modules/projects/clarification.resolver.js';
import {
  ProjectComplaintResolver,
  ProjectComplaintsResolver,
} from './modules/projects/complaint.resolver.js';
import {
  FairnessFlagResolver,
  ProjectFairnessFlagsResolver,
} from './modules/projects/fairness-flag.resolver.js';
import { AwardFairnessFlagsResolver } from './modules/reports/fairness-flags-report.resolver.js';
import { SuggestedProjectsResolver } from './modules/reports/suggested-projects.resolver.js';
import { SponsoredGroupsResolver } from './modules/organizations/sponsored-groups.resolver.js';

/** Every resolver class of the API. */
export const RESOLVERS = [
  NodeResolver,
  RegionResolver,
  CategoryResolver,
  AccountResolver,
  AuditResolver,
  DemandResolver,
  DemandProgressNoteResolver,
  SubmitDemandPayloadResolver,
  DemandFeedResolver,
  UserDemandsResolver,
  OrganizationDemandsResolver,
  OrganizationResolver,
  ServiceFieldResolver,
  OrganizationMemberFieldResolver,
  HubMembershipRequestFieldResolver,
  OrganizationReviewResolver,
  OrganizationDocumentResolver,
  UserOrganizationsResolver,
  PublisherResolver,
  UserPublisherResolver,
  ProjectResolver,
  ProjectAmendmentResolver,
  ApplicationResolver,
  OrganizationApplicationsResolver,
  ProjectFeedResolver,
  ApplicationFeedResolver,
  ReportResolver,
  PublisherConcentrationResolver,
  RepeatWinnerResolver,
  WebhookResolver,
  NotificationResolver,
  NotificationPreferencesResolver,
  ProjectContractResolver,
  ContractFieldsResolver,
  ContractMilestoneResolver,
  ContractPaymentResolver,
  ProjectQuestionResolver,
  ProjectClarificationsResolver,
  ProjectComplaintResolver,
  ProjectComplaintsResolver,
  ProjectFairnessFlagsResolver,
  FairnessFlagResolver,
  AwardFairnessFlagsResolver,
  SuggestedProjectsResolver,
  SponsoredGroupsResolver,
] as const;

/** Builds the executable schema. Validation is on (type-graphql 2 turns it off by default): validateArgument. */
export async function createSchema(): Promise<GraphQLSchema> {
  const options: BuildSchemaOptions = {
    resolvers: RESOLVERS,
    authChecker,
    // Subscriptions bring their own `subscribe`; type-graphql only insists that a pubSub exists.
    pubSub: noPubSub,
    authMode: 'error',
    validateFn: validateArgument,
    scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
    emitSchemaFile: false,
  };
  const schema = await buildSchema(options);
  // type-graphql wraps `resolveType` in an async function; compiled queries (graphql-jit) need the
  // type synchronously, and graphql-js takes either.
  const node = schema.getType('Node');
  if (isInterfaceType(node)) node.resolveType = resolveNodeType;
  bypassResolverWrappers(schema, options);
  applyInputRule(schema);
  stopResolversAtDeadline(schema); // last: it wraps the resolvers as the steps above left them
  return schema;
}
