import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { selectIds } from '../../core/id-queries.js';
import type { Context } from '../../core/context.js';
import { requireViewer, type Viewer } from '../../core/auth.js';
import { Role } from '../../core/roles.js';
import { Organization } from '../organizations/organization.entity.js';
import { VerificationStatus } from '../organizations/organization.enums.js';
import type { DemandViewer } from './demand-access.js';

/**
 * The viewer's facts for the demand access rules (demand-access.ts), computed once per operation and
 * viewer. One instance is shared by every part of DemandService, so they share its caches.
 */
export class DemandViewerFacts {
  /**
   * Per operation and viewer: the viewer's facts, computed once. Keyed by both because the event
   * feed resolves one event for many subscribers in one shared EntityManager fork (event-pass.ts):
   * each must still be judged by its own facts.
   */
  private readonly viewerCache = new WeakMap<EntityManager, WeakMap<Viewer, Promise<DemandViewer | null>>>();
  /** Per operation: which organizations are VERIFIED, batched over every viewer sharing the fork. */
  private readonly verifiedCache = new WeakMap<EntityManager, DataLoader<number, boolean>>();

  /** The viewer's facts for the access rules, or null when anonymous. One query per operation. */
  viewerFacts(ctx: Context): Promise<DemandViewer | null> {
    if (!ctx.viewer) return Promise.resolve(null);
    let byViewer = this.viewerCache.get(ctx.em);
    if (!byViewer) this.viewerCache.set(ctx.em, (byViewer = new WeakMap()));
    let facts = byViewer.get(ctx.viewer);
    if (!facts) {
      facts = this.loadViewerFacts(ctx);
      byViewer.set(ctx.viewer, facts);
    }
    return facts;
  }

  /** Whether each organization is VERIFIED: one query per fork and tick, whoever asks. */
  private verifiedLoader(em: EntityManager): DataLoader<number, boolean> {
    let loader = this.verifiedCache.get(em);
    if (!loader) {
      loader = new DataLoader(async (ids: readonly number[]) => {
        const set = new Set(
          await selectIds(em, Organization, {
            id: { $in: [...ids] },
            verificationStatus: VerificationStatus.VERIFIED,
          }),
        );
        return ids.map((id) => set.has(id));
      });
      this.verifiedCache.set(em, loader);
    }
    return loader;
  }

  private async loadViewerFacts(ctx: Context): Promise<DemandViewer | null> {
    const viewer = ctx.viewer;
    if (!viewer) return null;
    const fixed = fixedFacts(viewer);
    // `loadViewer` reads which are verified together with the account; others are looked up here.
    const known = viewer.verifiedOrgIds ? new Set(viewer.verifiedOrgIds) : null;
    if (known) return { ...fixed, verifiedOrgIds: fixed.memberOrgIds.filter((id) => known.has(id)) };
    return { ...fixed, verifiedOrgIds: await this.verifiedAmong(ctx.em, fixed.memberOrgIds) };
  }

  /** Which of `ids` are VERIFIED, through the fork's batched loader. */
  private async verifiedAmong(em: EntityManager, ids: readonly number[]): Promise<number[]> {
    const loader = this.verifiedLoader(em);
    const verified = await Promise.all(ids.map((id) => loader.load(id)));
    return ids.filter((_, i) => verified[i]);
  }

  /**
   * A live subscriber's facts, judged afresh for each event it is handed. Everything but the
   * organizations' verification is fixed for the subscription (the account was read when it
   * subscribed); verification is re-read per event, batched over every subscriber resolving the
   * event in the same fork, so an organization suspended meanwhile stops hearing of demands it could
   * no longer read by query. The previous answer is returned while nothing changed.
   */
  liveFacts(viewer: Viewer): (em: EntityManager) => Promise<DemandViewer> {
    const fixed = fixedFacts(viewer);
    let last: DemandViewer = fixed;
    return async (em) => {
      if (fixed.memberOrgIds.length === 0) return fixed;
      const verifiedOrgIds = await this.verifiedAmong(em, fixed.memberOrgIds);
      if (!sameIds(verifiedOrgIds, last.verifiedOrgIds)) last = { ...fixed, verifiedOrgIds };
      return last;
    };
  }

  /** The viewer's facts; UNAUTHENTICATED for anonymous viewers. */
  async requireFacts(ctx: Context): Promise<DemandViewer> {
    requireViewer(ctx.viewer);
    return (await this.viewerFacts(ctx)) as DemandViewer;
  }
}

/** The facts that do not change while the viewer's account is loaded: all but verification. */
function fixedFacts(viewer: Viewer): DemandViewer {
  const scope = viewer.user.regionScope;
  return {
    userId: viewer.userId,
    isAdmin: viewer.roles.has(Role.ADMIN),
    isWorker: viewer.roles.has(Role.WORKER),
    unionScope: viewer.roles.has(Role.UNION_STAFF) && scope ? scope.code : null,
    memberOrgIds: [...viewer.memberships.keys()],
    verifiedOrgIds: [],
  };
}

function sameIds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}
