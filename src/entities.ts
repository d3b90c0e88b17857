import { RateLimitRow } from './core/rate-limit.entity.js';
import { IdempotencyKey } from './core/idempotency/idempotency-key.entity.js';
import { Region } from './modules/regions/region.entity.js';
import { ServiceCategory } from './modules/categories/service-category.entity.js';
import { User } from './modules/accounts/user.entity.js';
import { Organization } from './modules/organizations/organization.entity.js';
import { ServiceOffering } from './modules/organizations/service.entity.js';
import { HubMembershipRequest, OrganizationMember } from './modules/organizations/membership.entity.js';
import { OrganizationDocument } from './modules/organizations/organization-document.entity.js';
import { AuditEntry } from './modules/audit/audit-entry.entity.js';
import { Demand, DemandEndorsement, DemandProgress } from './modules/demands/demand.entity.js';
import { HubEvent } from './core/events/event.entity.js';
import { Publisher, PublisherStaff } from './modules/projects/publisher.entity.js';
import { Project, ProjectAmendment, ProjectInvitation } from './modules/projects/project.entity.js';
import { ProjectApplication } from './modules/projects/application.entity.js';
import { ProjectDemand } from './modules/projects/project-demand.entity.js';

import { Webhook, WebhookDelivery, WebhookDeliveryAttempt } from './modules/webhooks/webhook.entity.js';
import {
  Notification,
  NotificationDelivery,
  NotificationPosition,
  NotificationRead,
  NotificationReadState,
} from './modules/notifications/notification.entity.js';
import {
  NotificationPreference,
  OrganizationNotificationDefault,
} from './modules/notifications/notification-preference.entity.js';
import {
  ContractMilestone,
  ContractPayment,
  ProjectContract,
  ProjectOutcomeConfirmation,
} from './modules/projects/project-contract.entity.js';
import { ProjectQuestion } from './modules/projects/clarification.entity.js';
import { ProjectComplaint } from './modules/projects/complaint.entity.js';
import { ProjectFairnessFlag } from './modules/projects/fairness-flag.entity.js';
import { DemandOpenRollup, DemandOpenRollupDelta } from './modules/reports/demand-rollup.entity.js';
import { ReportSourceChange, ReportSourceHorizon } from './modules/reports/report-source-change.entity.js';
import { OrganizationSearch } from './modules/organizations/organization-search.entity.js';
import { OrganizationSearchGram } from './modules/organizations/organization-search-gram.entity.js';

/** Every MikroORM entity. Listed, not discovered, so tsx, vitest and the CLI see the same set. */
export const ENTITIES = [
  Region,
  ServiceCategory,
  User,
  Organization,
  OrganizationSearch,
  OrganizationSearchGram,
  ServiceOffering,
  OrganizationMember,
  HubMembershipRequest,
  OrganizationDocument,
  AuditEntry,
  Demand,
  DemandEndorsement,
  DemandProgress,
  HubEvent,
  Publisher,
  PublisherStaff,
  Project,
  ProjectInvitation,
  ProjectAmendment,
  ProjectApplication,
  ProjectDemand,
  Webhook,
  WebhookDelivery,
  WebhookDeliveryAttempt,
  RateLimitRow,
  Notification,
  NotificationPosition,
  NotificationReadState,
  NotificationRead,
  NotificationDelivery,
  NotificationPreference,
  OrganizationNotificationDefault,
  ProjectContract,
  ContractMilestone,
  ContractPayment,
  ProjectOutcomeConfirmation,
  ProjectQuestion,
  ProjectComplaint,
  ProjectFairnessFlag,
  DemandOpenRollup,
  DemandOpenRollupDelta,
  IdempotencyKey,
  ReportSourceChange,
  ReportSourceHorizon,
] as const;
