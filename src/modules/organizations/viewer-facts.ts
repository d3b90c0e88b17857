/**
 * What every policy (`<domain>.policy.ts`) knows about the person asking, derived from the Viewer
 * once: roles, union scope, memberships and which of those organizations are VERIFIED.
 *
 * `ViewerService.load` reads the verification together with the account, so for an HTTP request one
 * object serves every policy. A Viewer built otherwise (scripts, or the live demand feed, which
 * drops it so that it is re-read per event) has its verification looked up per operation
 * (`verifiedFactsOf`).
 *
 * @module
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../core/auth.js';
import type { Context } from '../../core/context.js';
import { Role, type MemberRole } from '../../core/roles.js';
import { VerifiedOrganizations, type ReadAttempt } from './verified-organizations.js';

/** The viewer's facts that do not depend on organizations' verification. */
export interface ViewerFacts {
  userId: number;
  roles: ReadonlySet<Role>;
  isAdmin: boolean;
  isWorker: boolean;
  isUnionStaff: boolean;
  /** For union staff: the region code their unit covers (its whole subtree); otherwise null. */
  unionScope: string | null;
  /** Organization id → the viewer's role in it. */
  memberships: ReadonlyMap<number, MemberRole>;
  /** Every organization the viewer belongs to. */
  memberOrgIds: readonly number[];
}

/** The facts with the verification of the viewer's organizations. */
export interface VerifiedViewerFacts extends ViewerFacts {
  /** Those of `memberOrgIds` that are VERIFIED. */
  verifiedOrgIds: readonly number[];
}

/** Per Viewer (one per request, and one per rights reload of a subscription): its facts. */
const byViewer = new WeakMap<Viewer, ViewerFacts | VerifiedViewerFacts>();

/**
 * The viewer's facts, computed once per Viewer object; when the Viewer carries its organizations'
 * verification (`ViewerService.load`), the same object is also its {@link VerifiedViewerFacts}.
 */
export function viewerFactsOf(viewer: Viewer): ViewerFacts;
export function viewerFactsOf(viewer: Viewer | null): ViewerFacts | null;
export function viewerFactsOf(viewer: Viewer | null): ViewerFacts | null {
  if (!viewer) return null;
  let facts = byViewer.get(viewer);
  if (!facts) {
    const isUnionStaff = viewer.roles.has(Role.UNION_STAFF);
    const base: ViewerFacts = {
      userId: viewer.userId,
      roles: viewer.roles,
      isAdmin: viewer.roles.has(Role.ADMIN),
      isWorker: viewer.roles.has(Role.WORKER),
      isUnionStaff,
      unionScope: isUnionStaff ? (viewer.user.regionScope?.code ?? null) : null,
      memberships: viewer.memberships,
      memberOrgIds: [...viewer.memberships.keys()],
    };
    facts = viewer.verifiedOrgIds ? { ...base, verifiedOrgIds: viewer.verifiedOrgIds } : base;
    byViewer.set(viewer, facts);
  }
  return facts;
}

/** Per operation: which organizations are VERIFIED, batched over every viewer sharing the fork. */
const verificationByFork = new WeakMap<EntityManager, VerifiedOrganizations>();

/**
 * Which organizations are VERIFIED: one query per fork and turn, whoever asks. `attempt` (how each
 * query is run, e.g. retried through an outage) is the first caller's on that fork.
 */
export function verificationIn(em: EntityManager, attempt?: ReadAttempt): VerifiedOrganizations {
  let verified = verificationByFork.get(em);
  if (!verified) verificationByFork.set(em, (verified = new VerifiedOrganizations(em, attempt)));
  return verified;
}

/**
 * Per operation and viewer, for Viewers that do not carry their verification: the facts, looked up
 * once. Keyed by both because the event feed resolves one event for many subscribers in one shared
 * EntityManager fork: each must still be judged by its own facts, read in that event's fork.
 */
const lookedUp = new WeakMap<EntityManager, WeakMap<Viewer, Promise<VerifiedViewerFacts>>>();
/** Per Viewer that carries its verification: the settled answer, so callers allocate nothing. */
const known = new WeakMap<Viewer, Promise<VerifiedViewerFacts>>();

/** The viewer's facts with their organizations' verification, or null when anonymous. */
export function verifiedFactsOf(ctx: Pick<Context, 'em' | 'viewer'>): Promise<VerifiedViewerFacts | null> {
  const viewer = ctx.viewer;
  if (!viewer) return Promise.resolve(null);
  if (viewer.verifiedOrgIds) {
    let facts = known.get(viewer);
    if (!facts) known.set(viewer, (facts = Promise.resolve(viewerFactsOf(viewer) as VerifiedViewerFacts)));
    return facts;
  }
  let forViewer = lookedUp.get(ctx.em);
  if (!forViewer) lookedUp.set(ctx.em, (forViewer = new WeakMap()));
  let facts = forViewer.get(viewer);
  if (!facts) {
    const live = new LiveViewerFacts(viewer);
    facts = Promise.resolve(verificationIn(ctx.em).among(live.memberOrgIds)).then((verified) =>
      live.given(verified),
    );
    forViewer.set(viewer, facts);
  }
  return facts;
}

/**
 * A viewer's facts, split into what is fixed while its account is loaded (all but verification) and
 * the organizations' verification, which the caller reads.
 *
 * The live demand feed keeps one per subscription and judges each event afresh: it re-reads
 * verification per event (batched over the event's subscribers, see VerifiedOrganizations), so an
 * organization suspended meanwhile stops hearing of demands it could no longer read by query. While
 * nothing changed, the same facts object comes back, so thousands of subscribers allocate nothing
 * here.
 */
export class LiveViewerFacts {
  private readonly fixed: VerifiedViewerFacts;
  private last: VerifiedViewerFacts;

  constructor(viewer: Viewer) {
    this.fixed = { ...viewerFactsOf(viewer), verifiedOrgIds: [] };
    this.last = this.fixed;
  }

  /** The organizations whose verification the facts depend on. */
  get memberOrgIds(): readonly number[] {
    return this.fixed.memberOrgIds;
  }

  /** The facts, given the verified organizations (a superset of the viewer's is fine). */
  given(verified: ReadonlySet<number>): VerifiedViewerFacts {
    const last = this.last.verifiedOrgIds;
    let matched = 0;
    for (const id of this.fixed.memberOrgIds) {
      if (!verified.has(id)) continue;
      if (last[matched] !== id) return this.remember(verified);
      matched += 1;
    }
    return matched === last.length ? this.last : this.remember(verified);
  }

  private remember(verified: ReadonlySet<number>): VerifiedViewerFacts {
    const verifiedOrgIds = this.fixed.memberOrgIds.filter((id) => verified.has(id));
    return (this.last = { ...this.fixed, verifiedOrgIds });
  }
}
