/**
 * The signed-in accounts' rights as this process read them recently, for HTTP requests: a client
 * sends request after request with the same token, and reading the account and its memberships for
 * each was a statement and a twentieth of the nested read's CPU. What may be reused, and for how
 * long, is the same bound the live subscriptions have (docs/SECURITY.md, "Rights on HTTP
 * requests"):
 *
 * - a rights change this process commits ends the entries concerned before the transaction's caller
 *   resumes (`onCommittedRightsChange`), so the next request anywhere in this process reads anew;
 * - a rights change another process commits ends them when this process's relay hands its
 *   `rights.user` / `rights.organization` event to the RightsWatch, as it does for subscriptions;
 * - and no entry outlives `VIEWER_CACHE_SECONDS` (0: nothing is kept), which bounds what a relay
 *   that is behind (a lost connection, a busy database) could leave in place.
 *
 * A read that was under way when any rights change ended entries is answered to its own request but
 * not kept: it may have read the rows from before the change.
 *
 * @module
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { onCommittedRightsChange } from './rights-change.js';
import type { RightsWatch } from './rights-watch.js';

/** What a read of an account gives: the value to keep, and the organizations it depends on. */
export interface AccountRead<T> {
  value: T;
  organizationIds: readonly number[];
}

interface Entry<T> {
  value: T;
  organizationIds: readonly number[];
  expiresAt: number;
}

/** How many accounts a process keeps (each a few hundred bytes). */
const CAPACITY = 10_000;

export class RecentViewers<T> {
  private readonly entries = new Map<number, Entry<T>>();
  /** Organization id → the kept accounts that are its members. */
  private readonly byOrganization = new Map<number, Set<number>>();
  /** Reads in flight per account, shared by the requests that arrive meanwhile. */
  private readonly reading = new Map<number, { generation: number; read: Promise<AccountRead<T>> }>();
  /** Counts rights changes seen: a read started before the last one is not kept. */
  private generation = 0;

  constructor(
    private readonly ttlSeconds: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Whether anything is kept (`VIEWER_CACHE_SECONDS` > 0). */
  get enabled(): boolean {
    return this.ttlSeconds > 0;
  }

  /** Accounts kept (tests and diagnostics). */
  get size(): number {
    return this.entries.size;
  }

  /**
   * The account's value: kept, or read by `read` (and kept, unless a rights change was seen
   * meanwhile). A failed read (an account gone or suspended) is never kept.
   */
  async get(userId: number, read: () => Promise<AccountRead<T>>): Promise<T> {
    if (!this.enabled) return (await read()).value;
    const entry = this.entries.get(userId);
    if (entry) {
      if (entry.expiresAt > this.now()) return entry.value;
      this.drop(userId);
    }
    const generation = this.generation;
    let pending = this.reading.get(userId);
    if (!pending || pending.generation !== generation) {
      const started = { generation, read: read() };
      this.reading.set(userId, (pending = started));
      // Settled before any request awaiting it resumes: none of them finds it in flight any more.
      const settled = () => {
        if (this.reading.get(userId) === started) this.reading.delete(userId);
      };
      started.read.then(
        (result) => {
          settled();
          if (this.generation === generation) this.keep(userId, result);
        },
        settled, // the request awaiting it reports the failure
      );
    }
    return (await pending.read).value;
  }

  /** Ends what is kept of this account (its rights changed). */
  forgetUser(userId: number): void {
    this.generation += 1;
    this.drop(userId);
  }

  /** Ends what is kept of this organization's members (what they may do through it changed). */
  forgetOrganization(organizationId: number): void {
    this.generation += 1;
    for (const userId of [...(this.byOrganization.get(organizationId) ?? [])]) this.drop(userId);
  }

  /**
   * Follows the rights changes this process commits through `em`'s ORM and those its relay hands to
   * `watch`. Returns the function that stops following.
   */
  follow(watch: RightsWatch, em: EntityManager): () => void {
    const stopCommitted = onCommittedRightsChange(em, (change) => {
      for (const userId of change.userIds) this.forgetUser(userId);
      for (const organizationId of change.organizationIds) this.forgetOrganization(organizationId);
    });
    const stopUsers = watch.onUserRightsChanged((userId) => this.forgetUser(userId));
    const stopOrganizations = watch.onOrganizationRightsChanged((id) => this.forgetOrganization(id));
    return () => {
      stopCommitted();
      stopUsers();
      stopOrganizations();
    };
  }

  private keep(userId: number, { value, organizationIds }: AccountRead<T>): void {
    this.drop(userId);
    if (this.entries.size >= CAPACITY) this.drop(this.entries.keys().next().value as number);
    this.entries.set(userId, { value, organizationIds, expiresAt: this.now() + this.ttlSeconds * 1000 });
    for (const organizationId of organizationIds) {
      let members = this.byOrganization.get(organizationId);
      if (!members) this.byOrganization.set(organizationId, (members = new Set()));
      members.add(userId);
    }
  }

  private drop(userId: number): void {
    const entry = this.entries.get(userId);
    if (!entry) return;
    this.entries.delete(userId);
    for (const organizationId of entry.organizationIds) {
      const members = this.byOrganization.get(organizationId);
      members?.delete(userId);
      if (members?.size === 0) this.byOrganization.delete(organizationId);
    }
  }
}
