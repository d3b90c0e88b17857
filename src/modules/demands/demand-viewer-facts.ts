import type { EntityManager } from '@mikro-orm/postgresql';
import type { Context } from '../../core/context.js';
import { requireViewer, type Viewer } from '../../core/auth.js';
import { Role } from '../../core/roles.js';
import { VerifiedOrganizations, type ReadAttempt } from '../organizations/verified-organizations.js';
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
  private readonly verifiedCache = new WeakMap<EntityManager, VerifiedOrganizations>();

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

  /**
   * Which organizations are VERIFIED: one query per fork and turn, whoever asks. `attempt` (how each
   * query is run, e.g. retried through an outage) is the first caller's on that fork.
   */
  verification(em: EntityManager, attempt?: ReadAttempt): VerifiedOrganizations {
    let verified = this.verifiedCache.get(em);
    if (!verified) this.verifiedCache.set(em, (verified = new VerifiedOrganizations(em, attempt)));
    return verified;
  }

  private async loadViewerFacts(ctx: Context): Promise<DemandViewer | null> {
    const viewer = ctx.viewer;
    if (!viewer) return null;
    const live = new LiveViewerFacts(viewer);
    // `loadViewer` reads which are verified together with the account; others are looked up here.
    const known = viewer.verifiedOrgIds ? new Set(viewer.verifiedOrgIds) : null;
    return live.given(known ?? (await this.verification(ctx.em).among(live.memberOrgIds)));
  }

  /** The viewer's facts; UNAUTHENTICATED for anonymous viewers. */
  async requireFacts(ctx: Context): Promise<DemandViewer> {
    requireViewer(ctx.viewer);
    return (await this.viewerFacts(ctx)) as DemandViewer;
  }
}

/**
 * A viewer's facts, split into what is fixed while its account is loaded (all but verification) and
 * the organizations' verification, which the caller reads.
 *
 * The live feed keeps one per subscription and judges each event afresh: it re-reads verification
 * per event (batched over the event's subscribers, see VerifiedOrganizations), so an organization
 * suspended meanwhile stops hearing of demands it could no longer read by query. While nothing
 * changed, the same facts object comes back, so thousands of subscribers allocate nothing here.
 */
export class LiveViewerFacts {
  private readonly fixed: DemandViewer;
  private last: DemandViewer;

  constructor(viewer: Viewer) {
    const scope = viewer.user.regionScope;
    this.fixed = {
      userId: viewer.userId,
      isAdmin: viewer.roles.has(Role.ADMIN),
      isWorker: viewer.roles.has(Role.WORKER),
      unionScope: viewer.roles.has(Role.UNION_STAFF) && scope ? scope.code : null,
      memberOrgIds: [...viewer.memberships.keys()],
      verifiedOrgIds: [],
    };
    this.last = this.fixed;
  }

  /** The organizations whose verification the facts depend on. */
  get memberOrgIds(): readonly number[] {
    return this.fixed.memberOrgIds;
  }

  /** The facts, given the verified organizations (a superset of the viewer's is fine). */
  given(verified: ReadonlySet<number>): DemandViewer {
    const last = this.last.verifiedOrgIds;
    let matched = 0;
    for (const id of this.fixed.memberOrgIds) {
      if (!verified.has(id)) continue;
      if (last[matched] !== id) return this.remember(verified);
      matched += 1;
    }
    return matched === last.length ? this.last : this.remember(verified);
  }

  private remember(verified: ReadonlySet<number>): DemandViewer {
    const verifiedOrgIds = this.fixed.memberOrgIds.filter((id) => verified.has(id));
    return (this.last = { ...this.fixed, verifiedOrgIds });
  }
}
