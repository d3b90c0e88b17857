/**
 * Registering an organization and changing its profile.
 *
 * @module
 */

import { ref, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Actor } from '../../core/context.js';
import { createOnce, type RetryKey } from '../../core/idempotency/retry-key.js';
import { requireViewer } from '../../core/auth.js';
import { announceRightsChange } from '../../core/rights/rights-change.js';
import { BadUserInputError, ConflictError } from '../../core/errors.js';
import { Role } from '../../core/roles.js';
import { recordAudit } from '../audit/audit.js';
import { User } from '../accounts/user.entity.js';
import { Region } from '../regions/region.entity.js';
import { TargetGroup } from '../categories/target-group.js';
import {
  checkProviderCreditCode,
  creditCodeFindings,
  hasCreditCode,
  normaliseCreditCode,
} from './credit-code.js';
import { Organization } from './organization.entity.js';
import { OrganizationMember } from './membership.entity.js';
import { MemberRole, OrganizationKind, ProviderKind, VerificationStatus } from './organization.enums.js';
import type {
  BrandInput,
  RegisterOrganizationInput,
  UpdateOrganizationInput,
} from './organization.inputs.js';
import { getOrganization, requireManaged } from './organization.policy.js';
import { parseIdOf } from '../../core/relay/global-id.js';
import {
  refreshSearchText,
  requireRegions,
  setSearchText,
  requireCategories,
  unique,
} from './organization-helpers.js';

function applyBrand(org: Organization, brand: BrandInput | null | undefined): void {
  if (brand === undefined) return;
  org.brandName = brand?.name.trim() ?? null;
  org.brandDescription = brand?.description?.trim() || null;
  org.brandSince = brand?.since ?? null;
}

/**
 * Stores what the credit code says about itself for the reviewers (`Organization.creditCodeCheck`):
 * at registration, and again at every profile change so the stored findings follow the rules in force.
 */
function storeCreditCodeCheck(org: Organization): void {
  const kind = org.providerKind;
  if (org.creditCode == null || !hasCreditCode(kind)) {
    // A community group has no code: nothing to find (its sponsor's admins verify it).
    org.creditCodeCheck = null;
    org.creditCodeCheckedAt = null;
    return;
  }
  org.creditCodeCheck = creditCodeFindings(org.creditCode, org.kind, kind);
  org.creditCodeCheckedAt = new Date();
}

/** What a registration declares about its kind, checked per provider kind (docs/domain.md, "Providers"). */
interface CheckedKind {
  providerKind: ProviderKind;
  creditCode: string | null;
  kind: OrganizationKind | null;
  sponsor: Organization | null;
}

/**
 * Checks the provider kind's own rule: a credit code whose first character is the kind's registration
 * authority (with the GB 32100 check character), a social organization's legal form, or — for a
 * community group — no code but a verified hub as sponsor. BAD_USER_INPUT names the field at fault.
 */
async function checkKind(ctx: Actor, input: RegisterOrganizationInput): Promise<CheckedKind> {
  const providerKind = input.providerKind ?? ProviderKind.SOCIAL_ORGANIZATION;
  const code = input.creditCode?.trim() ? input.creditCode : null;
  if (!hasCreditCode(providerKind)) {
    if (code !== null)
      throw BadUserInputError.field('input.creditCode', 'A community group registers without a credit code.');
    if (input.kind != null)
      throw BadUserInputError.field('input.kind', 'Only social organizations declare a kind (legal form).');
    if (!input.sponsorOrganizationId)
      throw BadUserInputError.field(
        'input.sponsorOrganizationId',
        'A community group names the verified hub organization that sponsors it.',
      );
    return {
      providerKind,
      creditCode: null,
      kind: null,
      sponsor: await requireSponsor(ctx, input.sponsorOrganizationId),
    };
  }
  if (input.sponsorOrganizationId)
    throw BadUserInputError.field('input.sponsorOrganizationId', 'Only a community group names a sponsor.');
  if (code === null)
    throw BadUserInputError.field(
      'input.creditCode',
      'A unified social credit code is required for this kind.',
    );
  if (providerKind === ProviderKind.SOCIAL_ORGANIZATION && input.kind == null)
    throw BadUserInputError.field('input.kind', 'A social organization declares its kind (legal form).');
  if (providerKind !== ProviderKind.SOCIAL_ORGANIZATION && input.kind != null)
    throw BadUserInputError.field('input.kind', 'Only social organizations declare a kind (legal form).');
  const problem = checkProviderCreditCode(code, providerKind, input.kind ?? undefined);
  if (problem) {
    const error = BadUserInputError.field('input.creditCode', problem.message);
    error.extensions.reason = problem.reason;
    throw error;
  }
  return { providerKind, creditCode: normaliseCreditCode(code), kind: input.kind ?? null, sponsor: null };
}

/** The sponsor a community group names: a hub the viewer may see, verified now. */
async function requireSponsor(ctx: Actor, globalId: string): Promise<Organization> {
  const path = 'input.sponsorOrganizationId';
  const sponsor = await getOrganization(ctx, parseIdOf('Organization', globalId, path));
  // One message for unknown, unverified and non-hub: a sponsor must be all three, and an unverified
  // organization the viewer may not see must not be told apart from one that does not exist.
  if (!sponsor || !sponsor.isHub || sponsor.verificationStatus !== VerificationStatus.VERIFIED)
    throw BadUserInputError.field(path, 'The sponsor must be a verified hub organization.');
  return sponsor;
}

/** Registration and profile of organizations; every change is audited in the same flush. */
export class OrganizationProfileService {
  /** A user registers an organization and becomes its ORG_ADMIN; it stays PENDING until verified. */
  register(ctx: Actor, input: RegisterOrganizationInput): Promise<Organization> {
    return createOnce(
      ctx,
      'registerOrganization',
      input,
      (key) => this.registerOnce(ctx, input, key),
      (id) => ctx.em.findOneOrFail(Organization, { id }),
    );
  }

  private async registerOnce(
    ctx: Actor,
    input: RegisterOrganizationInput,
    key: RetryKey | null,
  ): Promise<Organization> {
    const viewer = requireViewer(ctx.viewer);
    const { providerKind, creditCode, kind, sponsor } = await checkKind(ctx, input);
    await requireRegions(ctx.em, [input.homeRegionCode], 'input.homeRegionCode');
    const regionCodes = unique(input.regionCodes?.length ? input.regionCodes : [input.homeRegionCode]);
    await requireRegions(ctx.em, regionCodes, 'input.regionCodes');
    const categoryCodes = unique(input.categoryCodes);
    await requireCategories(ctx.em, categoryCodes, 'input.categoryCodes');
    if (creditCode !== null && (await ctx.em.count(Organization, { creditCode })))
      throw new ConflictError(`An organization with credit code ${creditCode} is already registered.`);

    let org: Organization;
    try {
      org = await ctx.em.transactional(async (em) => {
        const created = em.create(Organization, {
          name: input.name.trim(),
          creditCode,
          kind,
          providerKind,
          sponsor: sponsor ? ref(em.getReference(Organization, sponsor.id)) : null,
          foundingType: input.foundingType,
          homeRegion: ref(em.getReference(Region, input.homeRegionCode)),
          regionCodes,
          categoryCodes,
          targetGroups: unique(input.targetGroups?.length ? input.targetGroups : [TargetGroup.ALL_WORKERS]),
          description: input.description?.trim() ?? '',
          publicContact: input.publicContact?.trim() || null,
          website: input.website ?? null,
        });
        applyBrand(created, input.brand);
        storeCreditCodeCheck(created);
        setSearchText(created, []);
        em.create(OrganizationMember, {
          organization: ref(created),
          user: ref(em.getReference(User, viewer.userId)),
          role: MemberRole.ORG_ADMIN,
        });
        await em.flush(); // the id is part of the audit subject; the transaction commits both or neither
        recordAudit({ ...ctx, em }, 'registerOrganization', created, {
          name: created.name,
          creditCode,
          kind: created.kind,
          providerKind,
          sponsorOrganizationId: sponsor?.id ?? null,
        });
        // The registering account became its admin: a rights change like any membership
        // (requests reuse an account's rights until one is announced, docs/SECURITY.md).
        await announceRightsChange(em, { userIds: [viewer.userId] });
        await key?.record(em, created.id);
        return created;
      });
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
    const org = await requireManaged(ctx, input.organizationId, 'input.organizationId');
    const changed: string[] = [];
    if (input.regionCodes) {
      const codes = unique(input.regionCodes);
      await requireRegions(ctx.em, codes, 'input.regionCodes');
      org.regionCodes = codes;
      changed.push('regionCodes');
    }
    if (input.categoryCodes) {
      const codes = unique(input.categoryCodes);
      await requireCategories(ctx.em, codes, 'input.categoryCodes');
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
      applyBrand(org, input.brand);
      changed.push('brand');
    }
    await refreshSearchText(org);
    storeCreditCodeCheck(org);
    recordAudit(ctx, 'updateOrganization', org, { changed });
    await ctx.em.flush();
    return org;
  }
}
