import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../../core/context.js';
import type { Page } from '../../core/relay/connection.js';
import type { ReadRecord } from '../../core/read-records.js';
import type { Organization } from './organization.entity.js';
import type { ServiceOffering } from './service.entity.js';
import type { HubMembershipRequest, OrganizationMember } from './membership.entity.js';
import type { OrganizationsArgs } from './organization.args.js';
import type {
  AddOrganizationMemberInput,
  AddServiceInput,
  DecideHubMembershipInput,
  RegisterOrganizationInput,
  RemoveOrganizationMemberInput,
  SetOrganizationMemberRoleInput,
  RemoveServiceInput,
  RequestHubMembershipInput,
  SetHubStatusInput,
  SuspendOrganizationInput,
  UpdateOrganizationInput,
  UpdateServiceInput,
  VerifyOrganizationInput,
} from './organization.inputs.js';
import {
  canSee,
  canSeeRequest,
  findOrganization,
  getOrganization,
  getService,
  organizationFacts,
  type OrganizationFacts,
} from './organization.policy.js';
import { registerOrganization, updateOrganization } from './organization-profile.service.js';
import {
  addService,
  organizationServices,
  removeService,
  updateService,
} from './organization-services.service.js';
import {
  addMember,
  organizationMembers,
  removeMember,
  setMemberRole,
} from './organization-members.service.js';
import {
  setHubStatus,
  suspendOrganization,
  type SuspensionHook,
  verifyOrganization,
} from './organization-verification.service.js';
import {
  decideHubMembership,
  memberOrganizations,
  organizationHub,
  requestHubMembership,
} from './hub-membership.service.js';
import { searchDirectory } from './directory-search.js';
import { directoryStats, type StatsRow } from './directory-stats.js';

export type { StatsRow } from './directory-stats.js';

/**
 * The organization directory: registration, profiles, services, members, verification, hubs and
 * search. Every method takes the actor first; every mutation records an audit entry in the same
 * flush as its change.
 *
 * A thin facade: each group of methods lives in its own module (visibility in
 * organization.policy.ts, registration and profile in organization-profile.service.ts, services in
 * organization-services.service.ts, members in organization-members.service.ts, union decisions in
 * organization-verification.service.ts, hubs in hub-membership.service.ts, search in
 * directory-search.ts, statistics in directory-stats.ts).
 */
export class OrganizationDirectoryService {
  private readonly suspensionHooks: SuspensionHook[] = [];

  // ---------------------------------------------------------------- visibility

  /** The policy's facts about an organization; the home region is batched across a request. */
  facts(em: EntityManager, org: Organization): Promise<OrganizationFacts> {
    return organizationFacts(em, org);
  }

  /** Whether the viewer may see the organization at all. */
  canSee(ctx: Actor, org: Organization): Promise<boolean> {
    return canSee(ctx, org);
  }

  /** An organization by numeric id if the viewer may see it, else null. */
  get(ctx: Actor, id: number): Promise<Organization | null> {
    return getOrganization(ctx, id);
  }

  /** `organization(id:, creditCode:)`, reading `properties` when by id (null: all). */
  find(
    ctx: Actor,
    id: string | null | undefined,
    creditCode: string | null | undefined,
    properties: ReadonlySet<string> | null = null,
  ) {
    return findOrganization(ctx, id, creditCode, properties);
  }

  /** A service by numeric id, if the viewer may see its organization. */
  getService(ctx: Actor, id: number): Promise<ServiceOffering | null> {
    return getService(ctx, id);
  }

  // ---------------------------------------------------------------- registration and profile

  /** A user registers an organization and becomes its ORG_ADMIN; it stays PENDING until verified. */
  register(ctx: Actor, input: RegisterOrganizationInput): Promise<Organization> {
    return registerOrganization(ctx, input);
  }

  /** Its admins (or a platform admin) change the profile. */
  update(ctx: Actor, input: UpdateOrganizationInput): Promise<Organization> {
    return updateOrganization(ctx, input);
  }

  // ---------------------------------------------------------------- services

  /** Its admins add a service; the organization's categories grow to cover it. */
  addService(
    ctx: Actor,
    input: AddServiceInput,
  ): Promise<{ service: ServiceOffering; organization: Organization }> {
    return addService(ctx, input);
  }

  /** Its admins change a service. */
  updateService(
    ctx: Actor,
    input: UpdateServiceInput,
  ): Promise<{ service: ServiceOffering; organization: Organization }> {
    return updateService(ctx, input);
  }

  /** Its admins remove a service. */
  removeService(
    ctx: Actor,
    input: RemoveServiceInput,
  ): Promise<{ removedServiceId: string; organization: Organization }> {
    return removeService(ctx, input);
  }

  // ---------------------------------------------------------------- members

  /** Its admins add an existing account as admin or member. */
  addMember(ctx: Actor, input: AddOrganizationMemberInput) {
    return addMember(ctx, input);
  }

  /** Its admins change a member's role; the last admin cannot step down. */
  setMemberRole(ctx: Actor, input: SetOrganizationMemberRoleInput) {
    return setMemberRole(ctx, input);
  }

  /** Its admins remove a member; the last admin cannot be removed (nobody could manage it then). */
  removeMember(ctx: Actor, input: RemoveOrganizationMemberInput) {
    return removeMember(ctx, input);
  }

  // ---------------------------------------------------------------- union decisions

  /** Union staff in scope (or an admin) verify it, recording who, when, why and the grade seen. */
  verify(ctx: Actor, input: VerifyOrganizationInput): Promise<Organization> {
    return verifyOrganization(ctx, input);
  }

  /** Union staff in scope (or an admin) suspend it, with a reason; it leaves the public directory. */
  suspend(ctx: Actor, input: SuspendOrganizationInput): Promise<Organization> {
    return suspendOrganization(ctx, input, this.suspensionHooks);
  }

  /** Adds work done in the suspending transaction (the composition root registers the demands'). */
  onSuspend(hook: SuspensionHook): this {
    this.suspensionHooks.push(hook);
    return this;
  }

  /** Union staff in scope (or an admin) make it a hub, or stop it being one. */
  setHubStatus(ctx: Actor, input: SetHubStatusInput): Promise<Organization> {
    return setHubStatus(ctx, input);
  }

  // ---------------------------------------------------------------- hubs

  /** An organization's admin asks a verified hub to take it in. */
  requestHubMembership(ctx: Actor, input: RequestHubMembershipInput): Promise<HubMembershipRequest> {
    return requestHubMembership(ctx, input);
  }

  /** The hub's admin accepts (the organization joins, leaving any other hub) or rejects a request. */
  decideHubMembership(ctx: Actor, input: DecideHubMembershipInput): Promise<HubMembershipRequest> {
    return decideHubMembership(ctx, input);
  }

  /** A request is seen by the members of either side, union staff in scope of either, and admins. */
  canSeeRequest(ctx: Actor, request: HubMembershipRequest): Promise<boolean> {
    return canSeeRequest(ctx, request);
  }

  // ---------------------------------------------------------------- nested fields (all batched)

  /** The member organizations of a hub that the viewer may see. */
  memberOrganizations(ctx: Actor, org: ReadRecord<Organization>): Promise<Organization[]> {
    return memberOrganizations(ctx, org);
  }

  /** Its members, for those allowed to see them; null for everyone else. */
  members(ctx: Actor, org: ReadRecord<Organization>): Promise<OrganizationMember[] | null> {
    return organizationMembers(ctx, org);
  }

  /** Its hub, if it has one the viewer may see. */
  hub(ctx: Actor, org: ReadRecord<Organization>): Promise<Organization | null> {
    return organizationHub(ctx, org);
  }

  /** Its services, in order of creation; retired ones only for those who manage it. */
  services(ctx: Actor, org: ReadRecord<Organization>): Promise<ServiceOffering[]> {
    return organizationServices(ctx, org);
  }

  // ---------------------------------------------------------------- search

  /**
   * Directory search with keyset pagination. One statement selects the page's rows (of the
   * properties asked for), and `totalCount` (only when asked) runs one COUNT over the same filter.
   */
  search(
    ctx: Actor,
    args: OrganizationsArgs,
    properties: ReadonlySet<string> | null = null,
  ): Promise<Page<ReadRecord<Organization>>> {
    return searchDirectory(ctx, args, properties);
  }

  // ---------------------------------------------------------------- statistics

  /** Verified organizations and their active services per child region and per child category. */
  stats(
    ctx: Actor,
    regionCode: string | null | undefined,
    categoryCode: string | null | undefined,
  ): Promise<{ byRegion: StatsRow[]; byCategory: StatsRow[] }> {
    return directoryStats(ctx, regionCode, categoryCode);
  }
}
