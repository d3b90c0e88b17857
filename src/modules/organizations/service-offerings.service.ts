/**
 * An organization's service offerings: adding, changing and removing them, and listing them.
 *
 * @module
 */

import { ref } from '@mikro-orm/core';
import type { ReadRecord } from '../../core/read-records.js';
import type { Actor } from '../../core/context.js';
import { createOnce, type RetryKey } from '../../core/idempotency/retry-key.js';
import { viewerFactsOf } from './viewer-facts.js';
import { requireViewer } from '../../core/auth.js';
import { ForbiddenError, NotFoundError } from '../../core/errors.js';
import { parseIdOf } from '../../core/relay/global-id.js';
import { recordAudit } from '../audit/audit.js';
import { Organization } from './organization.entity.js';
import { ServiceOffering } from './service.entity.js';
import type { AddServiceInput, RemoveServiceInput, UpdateServiceInput } from './organization.inputs.js';
import { canManage, getService, requireManaged, showsService } from './organization.policy.js';
import { refreshSearchText, requireRegions, requireCategories, unique } from './organization-helpers.js';

export async function requireManagedService(ctx: Actor, globalId: string) {
  requireViewer(ctx.viewer);
  const service = await getService(ctx, parseIdOf('Service', globalId, 'input.serviceId'));
  if (!service) throw new NotFoundError('Service', globalId);
  const org = service.organization.getEntity();
  if (!canManage(viewerFactsOf(ctx.viewer), org.id))
    throw new ForbiddenError("Only the organization's admins (and platform admins) may change its services.");
  return { service, org };
}

/** The services an organization offers: added, changed and retired by its admins. */
export class ServiceOfferingsService {
  /** Its admins add a service; the organization's categories grow to cover it. */
  add(ctx: Actor, input: AddServiceInput): Promise<{ service: ServiceOffering; organization: Organization }> {
    return createOnce(
      ctx,
      'addService',
      input,
      (key) => this.addOnce(ctx, input, key),
      async (id) => {
        const service = await ctx.em.findOneOrFail(ServiceOffering, { id }, { populate: ['organization'] });
        return { service, organization: service.organization.getEntity() };
      },
    );
  }

  private async addOnce(
    ctx: Actor,
    input: AddServiceInput,
    key: RetryKey | null,
  ): Promise<{ service: ServiceOffering; organization: Organization }> {
    // One transaction for the service, the organization's grown categories and search text, the
    // audit entry and the retry key: everything is read and written through its entity manager.
    return ctx.em.transactional(async (em) => {
      const tx = { ...ctx, em };
      const org = await requireManaged(tx, input.organizationId, 'input.organizationId');
      const categoryCodes = unique(input.categoryCodes);
      await requireCategories(em, categoryCodes, 'input.categoryCodes');
      const regionCodes = unique(input.regionCodes?.length ? input.regionCodes : org.regionCodes);
      await requireRegions(em, regionCodes, 'input.regionCodes');
      const service = em.create(ServiceOffering, {
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
      await refreshSearchText(org);
      recordAudit(tx, 'addService', org, { service: service.name });
      await em.flush();
      await key?.record(em, service.id);
      return { service, organization: org };
    });
  }

  /** Its admins change a service. */
  async update(
    ctx: Actor,
    input: UpdateServiceInput,
  ): Promise<{ service: ServiceOffering; organization: Organization }> {
    const { service, org } = await requireManagedService(ctx, input.serviceId);
    const changed: string[] = [];
    if (input.categoryCodes) {
      const codes = unique(input.categoryCodes);
      await requireCategories(ctx.em, codes, 'input.categoryCodes');
      service.categoryCodes = codes;
      org.categoryCodes = unique([...org.categoryCodes, ...codes]);
      changed.push('categoryCodes');
    }
    if (input.regionCodes) {
      const codes = unique(input.regionCodes);
      await requireRegions(ctx.em, codes, 'input.regionCodes');
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
    await refreshSearchText(org);
    recordAudit(ctx, 'updateService', service, { changed });
    await ctx.em.flush();
    return { service, organization: org };
  }

  /** Its admins remove a service. */
  async remove(
    ctx: Actor,
    input: RemoveServiceInput,
  ): Promise<{ removedServiceId: string; organization: Organization }> {
    const { service, org } = await requireManagedService(ctx, input.serviceId);
    const removedServiceId = service.globalId();
    await org.services.init();
    org.services.remove(service);
    ctx.em.remove(service);
    await refreshSearchText(org);
    recordAudit(ctx, 'removeService', org, { service: service.name, serviceId: removedServiceId });
    await ctx.em.flush();
    return { removedServiceId, organization: org };
  }

  /** Its services, in order of creation; retired ones only for those who manage it. */
  async listOf(ctx: Actor, org: ReadRecord<Organization>): Promise<ServiceOffering[]> {
    const items = (await org.services.load({ dataloader: true })).getItems();
    const viewer = viewerFactsOf(ctx.viewer);
    return items.filter((s) => showsService(viewer, org.id, s.status));
  }
}
