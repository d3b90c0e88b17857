/**
 * Live rights: an open subscription is judged by its subscriber's rights as they are now, not as
 * they were when it started (docs/SECURITY.md, "Live rights").
 *
 * Every change to what someone may do is announced in its own transaction (rights-change.ts) as a
 * `rights.user` or `rights.organization` outbox event. Each process's relay hands every event, in
 * seq order, to this process's {@link RightsWatch}, which marks the subscriptions of that user, or
 * of that organization's members, stale. A stale subscription reloads its viewer and re-runs its
 * own admission rule before it delivers anything more; when the rule refuses, it ends with
 * FORBIDDEN. The cost is paid only by the subscriptions concerned, only when rights change.
 *
 * Why nothing slips through: a subscriber is handed an event only after the relay has handed on
 * every event before it (live delivery is the relay's; replay reads no further than the relay's
 * position, see EventHub.open). So by the time an event committed after a rights change reaches a
 * subscription, that change has marked it stale.
 *
 * @module
 */
import type { Viewer } from '../auth.js';
import { AppError, ErrorCode, ForbiddenError } from '../errors.js';
import type { FeedEvent } from '../events/match-index.js';
import { Topic } from '../events/outbox.js';

/** A subscription's rule for who may keep it: throws (FORBIDDEN, UNAUTHENTICATED) when refused. */
export type AdmissionRule = (viewer: Viewer) => void | Promise<void>;

/** Told when a user's rights changed on this process (the WebSocket layer closes suspended accounts). */
export type UserRightsListener = (userId: number) => void;

/** Told when an organization's rights changed on this process (the recent viewers forget its members). */
export type OrganizationRightsListener = (organizationId: number) => void;

/**
 * The rights of the open subscriptions of one process: which subscriptions depend on which user
 * and organization, and the relay's rights events that make them stale. One per process (EventHub).
 */
export class RightsWatch {
  private readonly byUser = new Map<number, Set<LiveRights>>();
  private readonly byOrganization = new Map<number, Set<LiveRights>>();
  /** The seq of the last rights event relayed, per user and per organization. */
  private readonly userChangedAt = new Map<number, number>();
  private readonly organizationChangedAt = new Map<number, number>();
  private readonly userListeners = new Set<UserRightsListener>();
  private readonly organizationListeners = new Set<OrganizationRightsListener>();
  /** Viewer reloads in flight, per user: the subscriptions of one user share one read. */
  private readonly reloads = new Map<number, Promise<Viewer>>();

  /** Called by the relay for every event, in seq order; synchronous and cheap for other topics. */
  observe(event: FeedEvent): void {
    if (event.topic === Topic.USER_RIGHTS_CHANGED) {
      this.userChangedAt.set(event.entityId, event.seq);
      for (const rights of this.byUser.get(event.entityId) ?? []) rights.markStale();
      for (const listener of this.userListeners) listener(event.entityId);
    } else if (event.topic === Topic.ORGANIZATION_RIGHTS_CHANGED) {
      this.organizationChangedAt.set(event.entityId, event.seq);
      for (const rights of this.byOrganization.get(event.entityId) ?? []) rights.markStale();
      for (const listener of this.organizationListeners) listener(event.entityId);
    }
  }

  /** Calls `listener` with the user's id whenever a `rights.user` event is relayed. */
  onUserRightsChanged(listener: UserRightsListener): () => void {
    this.userListeners.add(listener);
    return () => this.userListeners.delete(listener);
  }

  /** Calls `listener` with the organization's id whenever a `rights.organization` event is relayed. */
  onOrganizationRightsChanged(listener: OrganizationRightsListener): () => void {
    this.organizationListeners.add(listener);
    return () => this.organizationListeners.delete(listener);
  }

  /**
   * Starts watching a subscription's rights. `viewer` was loaded when the relay stood at
   * `viewer.rightsAsOf`: a rights event relayed since then may predate the subscription's
   * registration here, so it starts stale and re-checks before its first delivery.
   */
  follow(viewer: Viewer, reload: () => Promise<Viewer>, admit: AdmissionRule): LiveRights {
    const rights = new LiveRights(this, viewer, reload, admit);
    if (this.changedSince(viewer, viewer.rightsAsOf ?? 0)) rights.markStale();
    return rights;
  }

  /** Number of subscriptions watched (tests and diagnostics). */
  get size(): number {
    let count = 0;
    for (const set of this.byUser.values()) count += set.size;
    return count;
  }

  /** @internal Registers under the viewer's user and organizations. */
  register(rights: LiveRights, viewer: Viewer): void {
    add(this.byUser, viewer.userId, rights);
    for (const organizationId of viewer.memberships.keys()) add(this.byOrganization, organizationId, rights);
  }

  /** @internal */
  unregister(rights: LiveRights, viewer: Viewer): void {
    remove(this.byUser, viewer.userId, rights);
    for (const organizationId of viewer.memberships.keys())
      remove(this.byOrganization, organizationId, rights);
  }

  /** @internal One reload per user at a time, shared by that user's subscriptions. */
  reloadShared(userId: number, reload: () => Promise<Viewer>): Promise<Viewer> {
    let pending = this.reloads.get(userId);
    if (!pending) {
      pending = reload().finally(() => this.reloads.delete(userId));
      this.reloads.set(userId, pending);
    }
    return pending;
  }

  private changedSince(viewer: Viewer, seq: number): boolean {
    if ((this.userChangedAt.get(viewer.userId) ?? 0) > seq) return true;
    for (const organizationId of viewer.memberships.keys())
      if ((this.organizationChangedAt.get(organizationId) ?? 0) > seq) return true;
    return false;
  }
}

/**
 * One subscription's rights: the viewer it acts as, kept current. `current()` answers the viewer,
 * reloading it and re-running the admission rule first when a rights change made it stale; once
 * refused, it answers FORBIDDEN for good and tells `onRevoked` (the feed ends its stream with it).
 */
export class LiveRights {
  private stale = false;
  private checking: Promise<void> | null = null;
  private revoked: AppError | null = null;
  private closed = false;
  /** Told once, when the rights end; the feed ends the subscription with the error. */
  onRevoked: ((error: AppError) => void) | null = null;

  constructor(
    private readonly watch: RightsWatch,
    private viewer: Viewer,
    private readonly reload: () => Promise<Viewer>,
    private readonly admit: AdmissionRule,
  ) {
    watch.register(this, viewer);
  }

  /** Whether a rights change has been relayed that this subscription has not re-checked yet. */
  get isStale(): boolean {
    return this.stale || this.checking !== null;
  }

  /** Called by the watch: re-check now, so that rights that ended end the subscription at once. */
  markStale(): void {
    if (this.closed) return;
    this.stale = true;
    void this.check().catch(() => undefined); // a failed reload is retried by the next current()
  }

  /**
   * The viewer, when nothing is left to re-check (null otherwise: call `current()`). The live feed's
   * fast path: thousands of subscribers of one event skip a promise turn each.
   */
  get settled(): Viewer | null {
    return this.stale || this.checking || this.revoked ? null : this.viewer;
  }

  /** The viewer as of the last relayed rights change; FORBIDDEN once the rights have ended. */
  async current(): Promise<Viewer> {
    while ((this.stale || this.checking) && !this.revoked) await this.check();
    if (this.revoked) throw this.revoked;
    return this.viewer;
  }

  /** Stops watching (the subscription ended). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.watch.unregister(this, this.viewer);
  }

  private check(): Promise<void> {
    this.checking ??= this.recheck().finally(() => (this.checking = null));
    return this.checking;
  }

  private async recheck(): Promise<void> {
    // A change relayed while the viewer was being reloaded makes it stale again: read once more.
    while (this.stale && !this.revoked && !this.closed) {
      this.stale = false;
      let viewer: Viewer;
      try {
        viewer = await this.watch.reloadShared(this.viewer.userId, this.reload);
        await this.admit(viewer);
      } catch (error) {
        if (!isRefusal(error)) {
          this.stale = true; // not a decision (e.g. the database is unreachable): decide later
          throw error;
        }
        this.revoke(error);
        return;
      }
      if (this.closed) return;
      this.watch.unregister(this, this.viewer);
      this.viewer = viewer;
      this.watch.register(this, viewer);
    }
  }

  private revoke(reason: AppError): void {
    this.revoked =
      reason.extensions.code === ErrorCode.FORBIDDEN
        ? reason
        : new ForbiddenError(`Your rights to this subscription have ended: ${reason.message}`);
    this.close();
    this.onRevoked?.(this.revoked);
  }
}

/** An answer that decides the rights question (as opposed to a failure to find out). */
function isRefusal(error: unknown): error is AppError {
  if (!(error instanceof AppError)) return false;
  const code = error.extensions.code;
  return code === ErrorCode.FORBIDDEN || code === ErrorCode.UNAUTHENTICATED || code === ErrorCode.NOT_FOUND;
}

function add<K>(map: Map<K, Set<LiveRights>>, key: K, rights: LiveRights): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(rights);
}

function remove<K>(map: Map<K, Set<LiveRights>>, key: K, rights: LiveRights): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(rights);
  if (set.size === 0) map.delete(key);
}
