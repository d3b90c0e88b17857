import type { EntityManager } from '@mikro-orm/postgresql';
import { ref, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Actor } from '../../core/context.js';
import { requireViewer, type Viewer } from '../../core/auth.js';
import { BadUserInputError, ConflictError, ForbiddenError, NotFoundError } from '../../core/errors.js';
import { PAGE_DEFAULT, type Page } from '../../core/relay/connection.js';
import { parseIdOf } from '../../core/relay/global-id.js';
import { Role } from '../../core/roles.js';
import { recordAudit } from '../audit/audit.js';
import { User } from '../accounts/user.entity.js';
import { MOBILE_PATTERN } from '../accounts/account.inputs.js';
import { Region } from '../regions/region.entity.js';
import { ServiceCategory } from '../categories/service-category.entity.js';
import { TargetGroup } from '../categories/target-group.js';
import { checkCreditCode, normaliseCreditCode } from './credit-code.js';
import { Organization } from './organization.entity.js';
import { OrganizationService as ServiceOffering } from './service.entity.js';
import { HubMembershipRequest, OrganizationMember } from './membership.entity.js';
import {
  EvaluationGrade,
  gradeRank,
  HubMembershipStatus,
  MemberRole,
  ServiceStatus,
  VerificationStatus,
} from './organization.enums.js';
import {
  canManage,
  canOversee,
  canSeeMembers,
  canSeeOrganization,
  type OrganizationFacts,
  type ViewerFacts,
} from './organization.policy.js';
import { buildSearchText, likePattern } from './search-text.js';
import { OrganizationOrder, type OrganizationFilter, type OrganizationsArgs } from './organization.args.js';
import type {
  AddOrganizationMemberInput,
  AddServiceInput,
  BrandInput,
  DecideHubMembershipInput,
  RegisterOrganizationInput,
  RemoveOrganizationMemberInput,
  RemoveServiceInput,
  RequestHubMembershipInput,
  SetHubStatusInput,
  SuspendOrganizationInput,
  UpdateOrganizationInput,
  UpdateServiceInput,
  VerifyOrganizationInput,
} from './organization.inputs.js';

/** One row of `organizationStats`: a child region or category and what is verified there. */
export interface StatsRow {
  code: string;
  organizationCount: number;
  serviceCount: number;
}

/** A keyset position in the directory: the order, its key as PostgreSQL prints it, and the id. */
type DirectoryCursor = [OrganizationOrder, string, number];

/** The facts the policy needs about the viewer. */
export function viewerFacts(viewer: Viewer | null): ViewerFacts | null {
  if (!viewer) return null;
  return {
    roles: viewer.roles,
    memberships: viewer.memberships,
    regionScopeCode: viewer.user.regionScope?.unwrap().code ?? null,
  };
}

/**
 * The organization directory: registration, profiles, services, members, verification, hubs and
 * search. Every method takes the actor first; every mutation records an audit entry in the same
 * flush as its change.
 */
export class OrganizationDirectoryService {
  // ---------------------------------------------------------------- visibility

  /** The policy's facts about an organization; the home region is batched across a request. */
  async facts(em: EntityManager, org: Organization): Promise<OrganizationFacts> {
    const home = await org.homeRegion.load({ dataloader: true });
    return { id: org.id, verificationStatus: org.verificationStatus, homeRegionPath: home?.path ?? [] };
  }

  /** Whether the viewer may see the organization at all. */
  async canSee(ctx: Actor, org: Organization): Promise<boolean> {
    // Verified ones need no region lookup.
    if (org.verificationStatus === VerificationStatus.VERIFIED) return true;
    return canSeeOrganization(viewerFacts(ctx.viewer), await this.facts(ctx.em, org));
  }

  /** An organization by numeric id if the viewer may see it, else null. */
  async get(ctx: Actor, id: number): Promise<Organization | null> {
    const org = await ctx.em.findOne(Organization, { id });
    return org && (await this.canSee(ctx, org)) ? org : null;
  }

  /** `organization(id:, creditCode:)`. */
  async find(ctx: Actor, id: string | null | undefined, creditCode: string | null | undefined) {
    if (id) {
      // The home region joins in (one statement, not two): nearly every lookup shows where it is.
      const org = await ctx.em.findOne(
        Organization,
        { id: parseIdOf('Organization', id, 'id') },
        { populate: ['homeRegion'], strategy: 'joined' },
      );
      return org && (await this.canSee(ctx, org)) ? org : null;
    }
    if (creditCode) {
      const org = await ctx.em.findOne(Organization, { creditCode: normaliseCreditCode(creditCode) });
      return org && (await this.canSee(ctx, org)) ? org : null;
    }
    throw BadUserInputError.field('id', 'give either id or creditCode');
  }

  /** A service by numeric id, if the viewer may see its organization. */
  async getService(ctx: Actor, id: number): Promise<ServiceOffering | null> {
    const service = await ctx.em.findOne(ServiceOffering, { id });
    if (!service) return null;
    const org = await service.organization.loadOrFail({ dataloader: true });
    return (await this.canSee(ctx, org)) ? service : null;
  }

  /**
   * The organization a mutation acts on: NOT_FOUND when it does not exist or the viewer may not see
   * it (a pending organization stays invisible), FORBIDDEN when they see it but may not manage it.
   */
  private async requireManaged(ctx: Actor, globalId: string, path: string): Promise<Organization> {
    const viewer = requireViewer(ctx.viewer);
    const org = await this.get(ctx, parseIdOf('Organization', globalId, path));
    if (!org) throw new NotFoundError('Organization', globalId);
    if (!canManage(viewerFacts(viewer), org.id))
      throw new ForbiddenError("Only this organization's admins (and platform admins) may change it.");
    return org;
  }

  /** The organization a union decision acts on: union staff whose scope covers it, or an admin. */
  private async requireOverseen(ctx: Actor, globalId: string, path: string): Promise<Organization> {
    const viewer = requireViewer(ctx.viewer);
    const org = await ctx.em.findOne(Organization, { id: parseIdOf('Organization', globalId, path) });
    if (!org || !(await this.canSee(ctx, org))) throw new NotFoundError('Organization', globalId);
    if (!canOversee(viewerFacts(viewer), await this.facts(ctx.em, org)))
      throw new ForbiddenError(
        "Only union staff whose region scope covers the organization's home region, or admins, may do this.",
      );
    return org;
  }

  // ---------------------------------------------------------------- registration and profile

  /** A user registers an organization and becomes its ORG_ADMIN; it stays PENDING until verified. */
  async register(ctx: Actor, input: RegisterOrganizationInput): Promise<Organization> {
    const viewer = requireViewer(ctx.viewer);
    const problem = checkCreditCode(input.creditCode, input.kind);
    if (problem) {
      const error = BadUserInputError.field('input.creditCode', problem.message);
      error.extensions.reason = problem.reason;
      throw error;
    }
    const creditCode = normaliseCreditCode(input.creditCode);
    await this.requireRegions(ctx.em, [input.homeRegionCode], 'input.homeRegionCode');
    const regionCodes = unique(input.regionCodes?.length ? input.regionCodes : [input.homeRegionCode]);
    await this.requireRegions(ctx.em, regionCodes, 'input.regionCodes');
    const categoryCodes = unique(input.categoryCodes);
    await this.requireCategories(ctx.em, categoryCodes, 'input.categoryCodes');
    if (await ctx.em.count(Organization, { creditCode }))
      throw new ConflictError(`An organization with credit code ${creditCode} is already registered.`);

    const org = ctx.em.create(Organization, {
      name: input.name.trim(),
      creditCode,
      kind: input.kind,
      foundingType: input.foundingType,
      homeRegion: ref(ctx.em.getReference(Region, input.homeRegionCode)),
      regionCodes,
      categoryCodes,
      targetGroups: unique(input.targetGroups?.length ? input.targetGroups : [TargetGroup.ALL_WORKERS]),
      description: input.description?.trim() ?? '',
      publicContact: input.publicContact?.trim() || null,
      website: input.website ?? null,
    });
    this.applyBrand(org, input.brand);
    org.searchText = buildSearchText(org, []);
    ctx.em.create(OrganizationMember, {
      organization: ref(org),
      user: ref(ctx.em.getReference(User, viewer.userId)),
      role: MemberRole.ORG_ADMIN,
    });
    recordAudit(ctx, 'registerOrganization', org, { name: org.name, creditCode, kind: org.kind });
    try {
      await ctx.em.flush();
    } catch (error) {
      // Two registrations of one code at once: the unique index decides, the loser gets CONFLICT.
      if (error instanceof UniqueConstraintViolationException)
        throw new ConflictError(`An organization with credit code ${creditCode} is already registered.`);
      throw error;
    }
    viewer.memberships.set(org.id, MemberRole.ORG_ADMIN); // the payload is read as its new admin
    viewer.roles.add(Role.ORG_ADMIN);
    return org;
  }

  /** Its admins (or a platform admin) change the profile. */
  async update(ctx: Actor, input: UpdateOrganizationInput): Promise<Organization> {
    const org = await this.requireManaged(ctx, input.organizationId, 'input.organizationId');
    const changed: string[] = [];
    if (input.regionCodes) {
      const codes = unique(input.regionCodes);
      await this.requireRegions(ctx.em, codes, 'input.regionCodes');
      org.regionCodes = codes;
      changed.push('regionCodes');
    }
    if (input.categoryCodes) {
      const codes = unique(input.categoryCodes);
      await this.requireCategories(ctx.em, codes, 'input.categoryCodes');
      org.categoryCodes = codes;
      changed.push('categoryCodes');
    }
    if (input.targetGroups) {
      org.targetGroups = unique(input.targetGroups);
      changed.push('targetGroups');
    }
    if (input.name != null) {
      org.name = input.name.trim();
      changed.push('name');
    }
    if (input.description != null) {
      org.description = input.description.trim();
      changed.push('description');
    }
    if (input.publicContact !== undefined) {
      org.publicContact = input.publicContact?.trim() || null;
      changed.push('publicContact');
    }
    if (input.website !== undefined) {
      org.website = input.website ?? null;
      changed.push('website');
    }
    if (input.brand !== undefined) {
      this.applyBrand(org, input.brand);
      changed.push('brand');
    }
    await this.refreshSearchText(org);
    recordAudit(ctx, 'updateOrganization', org, { changed });
    await ctx.em.flush();
    return org;
  }

  // ---------------------------------------------------------------- services

  /** Its admins add a service; the organization's categories grow to cover it. */
  async addService(
    ctx: Actor,
    input: AddServiceInput,
  ): Promise<{ service: ServiceOffering; organization: Organization }> {
    const org = await this.requireManaged(ctx, input.organizationId, 'input.organizationId');
    const categoryCodes = unique(input.categoryCodes);
    await this.requireCategories(ctx.em, categoryCodes, 'input.categoryCodes');
    const regionCodes = unique(input.regionCodes?.length ? input.regionCodes : org.regionCodes);
    await this.requireRegions(ctx.em, regionCodes, 'input.regionCodes');
    const service = ctx.em.create(ServiceOffering, {
      organization: ref(org),
      name: input.name.trim(),
      description: input.description?.trim() ?? '',
      categoryCodes,
      regionCodes,
      targetGroups: unique(input.targetGroups?.length ? input.targetGroups : org.targetGroups),
      mode: input.mode,
      fee: input.fee,
      monthlyCapacity: input.monthlyCapacity ?? null,
    });
    // What it offers is what it can be found and matched by.
    org.categoryCodes = unique([...org.categoryCodes, ...categoryCodes]);
    await this.refreshSearchText(org);
    recordAudit(ctx, 'addService', org, { service: service.name });
    await ctx.em.flush();
    return { service, organization: org };
  }

  /** Its admins change a service. */
  async updateService(
    ctx: Actor,
    input: UpdateServiceInput,
  ): Promise<{ service: ServiceOffering; organization: Organization }> {
    const { service, org } = await this.requireManagedService(ctx, input.serviceId);
    const changed: string[] = [];
    if (input.categoryCodes) {
      const codes = unique(input.categoryCodes);
      await this.requireCategories(ctx.em, codes, 'input.categoryCodes');
      service.categoryCodes = codes;
      org.categoryCodes = unique([...org.categoryCodes, ...codes]);
      changed.push('categoryCodes');
    }
    if (input.regionCodes) {
      const codes = unique(input.regionCodes);
      await this.requireRegions(ctx.em, codes, 'input.regionCodes');
      service.regionCodes = codes;
      changed.push('regionCodes');
    }
    if (input.name != null) {
      service.name = input.name.trim();
      changed.push('name');
    }
    if (input.description != null) {
      service.description = input.description.trim();
      changed.push('description');
    }
    if (input.targetGroups) {
      service.targetGroups = unique(input.targetGroups);
      changed.push('targetGroups');
    }
    if (input.mode) {
      service.mode = input.mode;
      changed.push('mode');
    }
    if (input.fee) {
      service.fee = input.fee;
      changed.push('fee');
    }
    if (input.monthlyCapacity !== undefined) {
      service.monthlyCapacity = input.monthlyCapacity;
      changed.push('monthlyCapacity');
    }
    if (input.status) {
      service.status = input.status;
      changed.push('status');
    }
    await this.refreshSearchText(org);
    recordAudit(ctx, 'updateService', service, { changed });
    await ctx.em.flush();
    return { service, organization: org };
  }

  /** Its admins remove a service. */
  async removeService(
    ctx: Actor,
    input: RemoveServiceInput,
  ): Promise<{ removedServiceId: string; organization: Organization }> {
    const { service, org } = await this.requireManagedService(ctx, input.serviceId);
    const removedServiceId = service.globalId();
    await org.services.init();
    org.services.remove(service);
    ctx.em.remove(service);
    await this.refreshSearchText(org);
    recordAudit(ctx, 'removeService', org, { service: service.name, serviceId: removedServiceId });
    await ctx.em.flush();
    return { removedServiceId, organization: org };
  }

  private async requireManagedService(ctx: Actor, globalId: string) {
    requireViewer(ctx.viewer);
    const service = await this.getService(ctx, parseIdOf('Service', globalId, 'input.serviceId'));
    if (!service) throw new NotFoundError('Service', globalId);
    const org = service.organization.getEntity();
    if (!canManage(viewerFacts(ctx.viewer), org.id))
      throw new ForbiddenError(
        "Only the organization's admins (and platform admins) may change its services.",
      );
    return { service, org };
  }

  // ---------------------------------------------------------------- members

  /** Its admins add an existing account as admin or member. */
  async addMember(ctx: Actor, input: AddOrganizationMemberInput) {
    const org = await this.requireManaged(ctx, input.organizationId, 'input.organizationId');
    const login = input.login.trim();
    const user = await ctx.em.findOne(
      User,
      MOBILE_PATTERN.test(login) ? { mobile: login } : { email: login.toLowerCase() },
    );
    if (!user)
      throw BadUserInputError.field('input.login', 'no account has this email address or mobile number');
    if (await ctx.em.count(OrganizationMember, { organization: org.id, user: user.id }))
      throw new ConflictError('This user is already a member of the organization.');
    const member = ctx.em.create(OrganizationMember, {
      organization: ref(org),
      user: ref(user),
      role: input.role,
    });
    recordAudit(ctx, 'addOrganizationMember', org, { userId: user.globalId(), role: input.role });
    await ctx.em.flush();
    return { member, organization: org };
  }

  /** Its admins remove a member; the last admin cannot be removed (nobody could manage it then). */
  async removeMember(ctx: Actor, input: RemoveOrganizationMemberInput) {
    const org = await this.requireManaged(ctx, input.organizationId, 'input.organizationId');
    const userId = parseIdOf('User', input.userId, 'input.userId');
    const member = await ctx.em.findOne(OrganizationMember, { organization: org.id, user: userId });
    if (!member) throw new NotFoundError('Member', input.userId);
    if (member.role === MemberRole.ORG_ADMIN) {
      const admins = await ctx.em.count(OrganizationMember, {
        organization: org.id,
        role: MemberRole.ORG_ADMIN,
      });
      if (admins <= 1) throw new ConflictError('The last admin of an organization cannot be removed.');
    }
    ctx.em.remove(member);
    recordAudit(ctx, 'removeOrganizationMember', org, { userId: input.userId, role: member.role });
    await ctx.em.flush();
    return { removedUserId: input.userId, organization: org };
  }

  // ---------------------------------------------------------------- union decisions

  /** Union staff in scope (or an admin) verify it, recording who, when, why and the grade seen. */
  async verify(ctx: Actor, input: VerifyOrganizationInput): Promise<Organization> {
    const org = await this.requireOverseen(ctx, input.organizationId, 'input.organizationId');
    const viewer = requireViewer(ctx.viewer);
    org.verificationStatus = VerificationStatus.VERIFIED;
    org.verificationReason = input.reason?.trim() || null;
    org.verificationDecidedBy = ref(ctx.em.getReference(User, viewer.userId));
    org.verificationDecidedAt = new Date();
    if (input.grade) org.grade = input.grade;
    if (input.gradeValidUntil !== undefined) org.gradeValidUntil = input.gradeValidUntil;
    recordAudit(ctx, 'verifyOrganization', org, { reason: org.verificationReason, grade: org.grade });
    await ctx.em.flush();
    return org;
  }

  /** Union staff in scope (or an admin) suspend it, with a reason; it leaves the public directory. */
  async suspend(ctx: Actor, input: SuspendOrganizationInput): Promise<Organization> {
    const org = await this.requireOverseen(ctx, input.organizationId, 'input.organizationId');
    const viewer = requireViewer(ctx.viewer);
    org.verificationStatus = VerificationStatus.SUSPENDED;
    org.verificationReason = input.reason.trim();
    org.verificationDecidedBy = ref(ctx.em.getReference(User, viewer.userId));
    org.verificationDecidedAt = new Date();
    recordAudit(ctx, 'suspendOrganization', org, { reason: org.verificationReason });
    await ctx.em.flush();
    return org;
  }

  /** Union staff in scope (or an admin) make it a hub, or stop it being one. */
  async setHubStatus(ctx: Actor, input: SetHubStatusInput): Promise<Organization> {
    const org = await this.requireOverseen(ctx, input.organizationId, 'input.organizationId');
    if (input.isHub && org.verificationStatus !== VerificationStatus.VERIFIED)
      throw BadUserInputError.field('input.isHub', 'only a verified organization can be a hub');
    org.isHub = input.isHub;
    recordAudit(ctx, 'setHubStatus', org, { isHub: input.isHub });
    await ctx.em.flush();
    return org;
  }

  // ---------------------------------------------------------------- hubs

  /** An organization's admin asks a verified hub to take it in. */
  async requestHubMembership(ctx: Actor, input: RequestHubMembershipInput): Promise<HubMembershipRequest> {
    const org = await this.requireManaged(ctx, input.organizationId, 'input.organizationId');
    const hub = await this.get(ctx, parseIdOf('Organization', input.hubId, 'input.hubId'));
    if (!hub) throw new NotFoundError('Organization', input.hubId);
    if (!hub.isHub || hub.verificationStatus !== VerificationStatus.VERIFIED)
      throw BadUserInputError.field('input.hubId', 'is not a verified hub organization');
    if (hub.id === org.id) throw BadUserInputError.field('input.hubId', 'an organization cannot join itself');
    if (org.hub?.id === hub.id) throw new ConflictError('The organization is already a member of this hub.');
    const open = await ctx.em.count(HubMembershipRequest, {
      organization: org.id,
      hub: hub.id,
      status: HubMembershipStatus.REQUESTED,
    });
    if (open) throw new ConflictError('A request to this hub is already waiting for its decision.');
    const request = ctx.em.create(HubMembershipRequest, { organization: ref(org), hub: ref(hub) });
    recordAudit(ctx, 'requestHubMembership', org, { hubId: hub.globalId() });
    await ctx.em.flush();
    return request;
  }

  /** The hub's admin accepts (the organization joins, leaving any other hub) or rejects a request. */
  async decideHubMembership(ctx: Actor, input: DecideHubMembershipInput): Promise<HubMembershipRequest> {
    const viewer = requireViewer(ctx.viewer);
    const request = await ctx.em.findOne(
      HubMembershipRequest,
      { id: parseIdOf('HubMembershipRequest', input.requestId, 'input.requestId') },
      { populate: ['organization', 'hub'] },
    );
    if (!request || !(await this.canSeeRequest(ctx, request)))
      throw new NotFoundError('Hub membership request', input.requestId);
    const hub = request.hub.getEntity();
    if (!canManage(viewerFacts(viewer), hub.id))
      throw new ForbiddenError("Only the hub's admins decide on its membership requests.");
    if (request.status !== HubMembershipStatus.REQUESTED)
      throw new ConflictError('This request has already been decided.');
    if (input.accept && (!hub.isHub || hub.verificationStatus !== VerificationStatus.VERIFIED))
      throw new ConflictError('The hub is no longer a verified hub.');
    request.status = input.accept ? HubMembershipStatus.ACCEPTED : HubMembershipStatus.REJECTED;
    request.reason = input.reason?.trim() || null;
    request.decidedBy = ref(ctx.em.getReference(User, viewer.userId));
    request.decidedAt = new Date();
    if (input.accept) request.organization.getEntity().hub = ref(hub);
    recordAudit(ctx, 'decideHubMembership', hub, {
      requestId: request.globalId(),
      organizationId: request.organization.getEntity().globalId(),
      accepted: input.accept,
    });
    await ctx.em.flush();
    return request;
  }

  /** A request is seen by the members of either side, union staff in scope of either, and admins. */
  async canSeeRequest(ctx: Actor, request: HubMembershipRequest): Promise<boolean> {
    const facts = viewerFacts(ctx.viewer);
    for (const side of [request.organization, request.hub]) {
      const org = await side.loadOrFail({ dataloader: true });
      if (canSeeMembers(facts, await this.facts(ctx.em, org))) return true;
    }
    return false;
  }

  // ---------------------------------------------------------------- nested fields (all batched)

  /** The member organizations of a hub that the viewer may see. */
  async memberOrganizations(ctx: Actor, org: Organization): Promise<Organization[]> {
    const members = await org.memberOrganizations.load({ dataloader: true });
    const visible = await Promise.all(members.getItems().map((m) => this.canSee(ctx, m)));
    return members.getItems().filter((_, i) => visible[i]);
  }

  /** Its members, for those allowed to see them; null for everyone else. */
  async members(ctx: Actor, org: Organization): Promise<OrganizationMember[] | null> {
    if (!canSeeMembers(viewerFacts(ctx.viewer), await this.facts(ctx.em, org))) return null;
    return (await org.members.load({ dataloader: true })).getItems();
  }

  /** Its hub, if it has one the viewer may see. */
  async hub(ctx: Actor, org: Organization): Promise<Organization | null> {
    if (!org.hub) return null;
    const hub = await org.hub.load({ dataloader: true });
    return hub && (await this.canSee(ctx, hub)) ? hub : null;
  }

  /** Its services, in order of creation; retired ones only for those who manage it. */
  async services(ctx: Actor, org: Organization): Promise<ServiceOffering[]> {
    const items = (await org.services.load({ dataloader: true })).getItems();
    if (canManage(viewerFacts(ctx.viewer), org.id)) return items;
    return items.filter((s) => s.status !== ServiceStatus.RETIRED);
  }

  // ---------------------------------------------------------------- search

  /**
   * Directory search with keyset pagination. One statement selects the page's ids and order keys,
   * one loads the entities, and `totalCount` (only when asked) runs one COUNT over the same filter.
   */
  async search(ctx: Actor, args: OrganizationsArgs): Promise<Page<Organization>> {
    if (args.last != null || args.before != null)
      throw BadUserInputError.field('last', 'the directory pages forward only: use first and after');
    const first = args.first ?? PAGE_DEFAULT;
    const where = this.directoryWhere(ctx, args.filter ?? {});
    const order = orderKey(args.orderBy ?? OrganizationOrder.NAME, args.filter?.text);
    const conditions = [...where.sql];
    const params = [...order.params, ...where.params];
    const orderName = args.orderBy ?? OrganizationOrder.NAME;
    if (args.after) {
      const [key, id] = decodeCursor(args.after, orderName);
      conditions.push(`(${order.expr}, o.id) ${order.dir === 'asc' ? '>' : '<'} (?::${order.cast}, ?)`);
      params.push(...order.params, key, id);
    }
    params.push(...order.params); // the ORDER BY repeats the key expression
    const sql =
      `select o.id, (${order.expr})::text as k from organization o` +
      (conditions.length ? ` where ${conditions.join(' and ')}` : '') +
      ` order by ${order.expr} ${order.dir}, o.id ${order.dir} limit ${first + 1}`;
    const rows =
      first === 0
        ? []
        : await ctx.em.getConnection().execute<{ id: string; k: string }[]>(sql, params, 'all');
    const page = rows.slice(0, first);
    const ids = page.map((r) => Number(r.id));
    const loaded = ids.length ? await ctx.em.find(Organization, { id: { $in: ids } }) : [];
    const byId = new Map(loaded.map((o) => [o.id, o]));
    const edges = page.flatMap((r) => {
      const node = byId.get(Number(r.id));
      return node ? [{ cursor: encodeCursor([orderName, r.k, Number(r.id)]), node }] : [];
    });
    return {
      edges,
      pageInfo: {
        hasNextPage: rows.length > first,
        hasPreviousPage: Boolean(args.after),
        startCursor: edges[0]?.cursor ?? null,
        endCursor: edges.at(-1)?.cursor ?? null,
      },
      count: async () => {
        const countSql =
          'select count(*)::int as n from organization o' +
          (where.sql.length ? ` where ${where.sql.join(' and ')}` : '');
        const [row] = await ctx.em.getConnection().execute<{ n: number }[]>(countSql, where.params, 'all');
        return row?.n ?? 0;
      },
    };
  }

  /** The WHERE conditions of a directory filter, with the visibility rule always included. */
  private directoryWhere(ctx: Actor, filter: OrganizationFilter): { sql: string[]; params: unknown[] } {
    const sql: string[] = [];
    const params: unknown[] = [];
    const add = (clause: string, ...values: unknown[]) => {
      sql.push(clause);
      params.push(...values);
    };
    const facts = viewerFacts(ctx.viewer);
    if (!facts?.roles.has(Role.ADMIN)) {
      const visible = [`o.verification_status = 'VERIFIED'`];
      const memberOf = [...(facts?.memberships.keys() ?? [])];
      if (memberOf.length) visible.push(`o.id in (${placeholders(memberOf)})`);
      const scope = facts?.roles.has(Role.UNION_STAFF) ? facts.regionScopeCode : null;
      if (scope)
        visible.push(`o.home_region_code in (select r.code from region r where r.path @> array[?]::text[])`);
      add(`(${visible.join(' or ')})`, ...memberOf, ...(scope ? [scope] : []));
    }
    const pattern = filter.text ? likePattern(filter.text) : null;
    // The trigram GIN index serves ILIKE for patterns of 3 or more characters (Chinese included:
    // the template database uses a UTF-8 locale). Shorter patterns still work, by a scan.
    if (pattern) add('o.search_text ilike ?', pattern);
    if (filter.categoryCode) {
      // Covers: the category itself, its ancestors (a broader offer), and anything inside it.
      add(
        `o.category_codes && (coalesce((select c.path from service_category c where c.code = ?), '{}') ` +
          `|| array(select c.code::text from service_category c where c.path @> array[?]::text[]))`,
        filter.categoryCode,
        filter.categoryCode,
      );
    }
    if (filter.regionCode) {
      add(
        `o.region_codes && (coalesce((select r.path from region r where r.code = ?), '{}') ` +
          `|| array(select r.code::text from region r where r.path @> array[?]::text[]))`,
        filter.regionCode,
        filter.regionCode,
      );
    }
    if (filter.homeRegionCode)
      add(
        `o.home_region_code in (select r.code from region r where r.path @> array[?]::text[])`,
        filter.homeRegionCode,
      );
    if (filter.targetGroups?.length)
      add(`o.target_groups && array[${placeholders(filter.targetGroups)}]::text[]`, ...filter.targetGroups);
    if (filter.foundingTypes?.length)
      add(`o.founding_type in (${placeholders(filter.foundingTypes)})`, ...filter.foundingTypes);
    if (filter.isHub != null) add('o.is_hub = ?', filter.isHub);
    if (filter.hubId) add('o.hub_id = ?', parseIdOf('Organization', filter.hubId, 'filter.hubId'));
    if (filter.minGrade && gradeRank(filter.minGrade) > 0) {
      const grades = Object.values(EvaluationGrade).filter(
        (g) => gradeRank(g) >= gradeRank(filter.minGrade!),
      );
      add(`o.grade in (${placeholders(grades)})`, ...grades);
    }
    if (filter.verificationStatus) add('o.verification_status = ?', filter.verificationStatus);
    return { sql, params };
  }

  // ---------------------------------------------------------------- statistics

  /**
   * Verified organizations and their active services per child region of `regionCode` (top-level
   * regions when null) and per child category of `categoryCode`, each inside the other filter. An
   * organization serving a whole city counts in the city and in each of its districts' parent rows.
   */
  async stats(
    ctx: Actor,
    regionCode: string | null | undefined,
    categoryCode: string | null | undefined,
  ): Promise<{ byRegion: StatsRow[]; byCategory: StatsRow[] }> {
    if (regionCode && !(await ctx.em.count(Region, { code: regionCode })))
      throw BadUserInputError.field('regionCode', `region ${regionCode} does not exist`);
    if (categoryCode && !(await ctx.em.count(ServiceCategory, { code: categoryCode })))
      throw BadUserInputError.field('categoryCode', `service category ${categoryCode} does not exist`);
    const reach = (column: string, table: string) =>
      `${column} && (coalesce((select x.path from ${table} x where x.code = ?), '{}') ` +
      `|| array(select x.code::text from ${table} x where x.path @> array[?]::text[]))`;
    const run = async (
      table: 'region' | 'service_category',
      parent: string | null | undefined,
      childColumn: 'region_codes' | 'category_codes',
      other: { table: string; column: 'region_codes' | 'category_codes'; code: string | null | undefined },
    ): Promise<StatsRow[]> => {
      const otherOrg = other.code ? ` and ${reach(`o.${other.column}`, other.table)}` : '';
      const otherSvc = other.code ? ` and ${reach(`s.${other.column}`, other.table)}` : '';
      const otherParams = other.code ? [other.code, other.code] : [];
      const childReach = (alias: string) =>
        `${alias}.${childColumn} && (ch.path || array(select d.code::text from ${table} d where d.path @> array[ch.code]::text[]))`;
      const sql =
        `select ch.code, ` +
        `(select count(*)::int from organization o where o.verification_status = 'VERIFIED' and ${childReach('o')}${otherOrg}) as organization_count, ` +
        `(select count(*)::int from service s join organization o on o.id = s.organization_id ` +
        `where o.verification_status = 'VERIFIED' and s.status = 'ACTIVE' and ${childReach('s')}${otherSvc}) as service_count ` +
        `from ${table} ch where ${parent ? 'ch.parent_code = ?' : 'ch.parent_code is null'} order by ch.code`;
      const rows = await ctx.em
        .getConnection()
        .execute<{ code: string; organization_count: number; service_count: number }[]>(
          sql,
          [...otherParams, ...otherParams, ...(parent ? [parent] : [])],
          'all',
        );
      return rows.map((r) => ({
        code: r.code,
        organizationCount: r.organization_count,
        serviceCount: r.service_count,
      }));
    };
    const [byRegion, byCategory] = await Promise.all([
      run('region', regionCode, 'region_codes', {
        table: 'service_category',
        column: 'category_codes',
        code: categoryCode,
      }),
      run('service_category', categoryCode, 'category_codes', {
        table: 'region',
        column: 'region_codes',
        code: regionCode,
      }),
    ]);
    return { byRegion, byCategory };
  }

  // ---------------------------------------------------------------- helpers

  private applyBrand(org: Organization, brand: BrandInput | null | undefined): void {
    if (brand === undefined) return;
    org.brandName = brand?.name.trim() ?? null;
    org.brandDescription = brand?.description?.trim() || null;
    org.brandSince = brand?.since ?? null;
  }

  /** Recomputes the searchable text from the profile and the services now in its collection. */
  private async refreshSearchText(org: Organization): Promise<void> {
    const services = await org.services.loadItems();
    org.searchText = buildSearchText(org, services);
  }

  private async requireRegions(em: EntityManager, codes: string[], path: string): Promise<void> {
    const found = new Set((await em.find(Region, { code: { $in: codes } })).map((r) => r.code));
    const missing = codes.filter((c) => !found.has(c));
    if (missing.length) throw BadUserInputError.field(path, `unknown region code(s): ${missing.join(', ')}`);
  }

  private async requireCategories(em: EntityManager, codes: string[], path: string): Promise<void> {
    const found = new Set((await em.find(ServiceCategory, { code: { $in: codes } })).map((c) => c.code));
    const missing = codes.filter((c) => !found.has(c));
    if (missing.length)
      throw BadUserInputError.field(path, `unknown service category code(s): ${missing.join(', ')}`);
  }

  /** The policy's facts about the actor's viewer (null when anonymous). */
  viewerFacts(ctx: Actor): ViewerFacts | null {
    return viewerFacts(ctx.viewer);
  }
}

/** The order key of each directory order, as SQL over alias `o`. */
function orderKey(
  order: OrganizationOrder,
  text: string | null | undefined,
): { expr: string; cast: string; dir: 'asc' | 'desc'; params: unknown[] } {
  switch (order) {
    case OrganizationOrder.NEWEST:
      return { expr: 'o.created_at', cast: 'timestamptz', dir: 'desc', params: [] };
    case OrganizationOrder.RATING:
      return { expr: 'o.rating_score', cast: 'int', dir: 'desc', params: [] };
    case OrganizationOrder.RELEVANCE: {
      const pattern = text ? likePattern(text) : null;
      if (!pattern) break;
      // A name match outranks a match elsewhere; trigram similarity breaks ties. Rounded numeric,
      // not float, so the cursor's key compares exactly.
      return {
        expr: `((case when o.name ilike ? then 1 else 0 end) + round(similarity(o.search_text, ?)::numeric, 4))`,
        cast: 'numeric',
        dir: 'desc',
        params: [pattern, text!.trim().toLowerCase()],
      };
    }
    case OrganizationOrder.NAME:
      break;
  }
  return { expr: 'o.name', cast: 'text', dir: 'asc', params: [] };
}

function encodeCursor(cursor: DirectoryCursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

/** Reads a cursor made by {@link encodeCursor} for the same order; anything else is BAD_USER_INPUT. */
function decodeCursor(raw: string, order: OrganizationOrder): [string, number] {
  try {
    const value: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 3 &&
      value[0] === order &&
      typeof value[1] === 'string' &&
      Number.isSafeInteger(value[2])
    )
      return [value[1], value[2] as number];
  } catch {
    // fall through: a malformed cursor is the client's mistake
  }
  throw BadUserInputError.field('after', 'is not a cursor of this list');
}

function placeholders(values: readonly unknown[]): string {
  return values.map(() => '?').join(', ');
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}
