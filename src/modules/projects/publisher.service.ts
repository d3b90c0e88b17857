import type { EntityManager } from '@mikro-orm/postgresql';
import { ref, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Actor, Context } from '../../core/context.js';
import { requireViewer, type Viewer } from '../../core/auth.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../../core/errors.js';
import {
  checkCursors,
  pageFromCursor,
  pageOptions,
  type ConnectionArgs,
  type Page,
} from '../../core/relay/connection.js';
import { parseIdOf } from '../../core/relay/global-id.js';
import { Role } from '../../core/roles.js';
import { viewerFactsOf } from '../organizations/viewer-facts.js';
import { announceRightsChange } from '../../core/rights/rights-change.js';
import { recordAudit } from '../audit/audit.js';
import { User } from '../accounts/user.entity.js';
import { UserView, userViewOf, UserFactsLoaders } from '../accounts/user.policy.js';
import type { RegionService } from '../regions/region.service.js';
import { Publisher, PublisherStaff, STAFF_ROLE_OF_KIND } from './publisher.entity.js';
import type { AddPublisherStaffInput, CreatePublisherInput } from './project.inputs.js';
import { createOnce, type RetryKey } from '../../core/idempotency/retry-key.js';

/**
 * The publisher a viewer acts for, looked up once per request: the Viewer object lives exactly as
 * long as one operation, so a WeakMap keyed by it is a per-request cache that needs no clean-up.
 */
const publisherOfViewer = new WeakMap<Viewer, Promise<number | null>>();

/** Publishers (union units, government departments, enterprises) and who acts for them. */
export class PublisherService {
  constructor(private readonly regions: RegionService) {}

  /** The id of the publisher the viewer acts for, or null (anonymous, or not a publisher's staff). */
  publisherIdOf(em: EntityManager, viewer: Viewer | null): Promise<number | null> {
    if (!viewer) return Promise.resolve(null);
    let found = publisherOfViewer.get(viewer);
    if (!found) {
      found = this.publisherIdOfUser(em, viewer.userId);
      publisherOfViewer.set(viewer, found);
    }
    return found;
  }

  /** The id of the publisher a user acts for, or null. */
  async publisherIdOfUser(em: EntityManager, userId: number): Promise<number | null> {
    const row = await em.findOne(PublisherStaff, { user: userId }, { fields: ['publisher'] });
    return row ? row.publisher.id : null;
  }

  get(em: EntityManager, id: number): Promise<Publisher | null> {
    return em.findOne(Publisher, { id });
  }

  /** Publishers by name, then id; public (they are the buyers named on every project). */
  async list(ctx: Context, args: ConnectionArgs): Promise<Page<Publisher>> {
    checkCursors(args, ['text', 'id']);
    const cursor = await ctx.em.findByCursor(
      Publisher,
      {},
      { ...pageOptions(args), orderBy: { name: 'asc', id: 'asc' }, includeCount: false },
    );
    return pageFromCursor(cursor, () => ctx.em.count(Publisher, {}));
  }

  /** Admins anywhere; union staff for a region inside their own scope. */
  create(actor: Actor, input: CreatePublisherInput): Promise<Publisher> {
    return createOnce(
      actor,
      'createPublisher',
      input,
      (key) => this.createOnce(actor, input, key),
      (id) => actor.em.findOneOrFail(Publisher, { id }),
    );
  }

  private async createOnce(
    actor: Actor,
    input: CreatePublisherInput,
    key: RetryKey | null,
  ): Promise<Publisher> {
    const viewer = requireViewer(actor.viewer);
    const region = await this.regions.require(actor.em, input.regionCode, 'input.regionCode');
    await this.assertMayManage(actor.em, viewer, region.code);
    return actor.em.transactional(async (em) => {
      const publisher = em.create(Publisher, {
        kind: input.kind,
        name: input.name.trim(),
        region: ref(region),
      });
      await em.flush(); // the id is part of the audit subject; the transaction commits both or neither
      recordAudit({ ...actor, em }, 'createPublisher', publisher, {
        kind: publisher.kind,
        name: publisher.name,
        region: region.code,
      });
      await key?.record(em, publisher.id);
      return publisher;
    });
  }

  /**
   * Lets a staff account act for a publisher. The account must hold the role of the publisher's
   * kind (a union's staff are UNION_STAFF…), and acts for one publisher only.
   */
  async addStaff(actor: Actor, input: AddPublisherStaffInput): Promise<{ publisher: Publisher; user: User }> {
    const viewer = requireViewer(actor.viewer);
    const publisherId = parseIdOf('Publisher', input.publisherId, 'input.publisherId');
    const userId = parseIdOf('User', input.userId, 'input.userId');
    return actor.em.transactional(async (em) => {
      const publisher = await em.findOne(Publisher, { id: publisherId });
      if (!publisher) throw new NotFoundError('Publisher', input.publisherId);
      await this.assertMayManage(em, viewer, publisher.region.code);
      // A user the viewer may not see is an unknown id (the role check below would tell her roles).
      const user =
        (await userViewOf({ viewer, loaders: { userFacts: new UserFactsLoaders(em) } }, userId)) >=
        UserView.ACCOUNT
          ? await em.findOne(User, { id: userId })
          : null;
      if (!user) throw new NotFoundError('User', input.userId);
      const role = STAFF_ROLE_OF_KIND[publisher.kind];
      if (!user.hasRole(role)) {
        throw new ConflictError(`Staff of a ${publisher.kind} publisher must hold the role ${role}.`);
      }
      em.create(PublisherStaff, { publisher: ref(publisher), user: ref(user) });
      recordAudit({ ...actor, em }, 'addPublisherStaff', publisher, { userId: input.userId });
      try {
        await em.flush();
      } catch (error) {
        if (error instanceof UniqueConstraintViolationException)
          throw new ConflictError('This account already acts for a publisher.');
        throw error;
      }
      // Acting for a publisher is a right of the account: announced in the same transaction.
      await announceRightsChange(em, { userIds: [user.id] });
      return { publisher, user };
    });
  }

  private async assertMayManage(em: EntityManager, viewer: Viewer, regionCode: string): Promise<void> {
    if (viewer.roles.has(Role.ADMIN)) return;
    const scope = viewerFactsOf(viewer).unionScope;
    if (!scope || !(await this.regions.covers(em, scope, regionCode))) {
      throw new ForbiddenError('Only admins, and union staff inside their region scope, manage publishers.');
    }
  }
}
