/**
 * Who sees which user, and how much of her: pure rules over facts read in one statement per request
 * and tick, so `node(id:)`, `nodes(ids:)` and every field of `User` (wherever the user was reached:
 * a demand's submitter, a member list, an audit entry's actor) answer alike.
 *
 * - Herself and platform admins: everything (email and mobile included).
 * - Union staff in scope: her account (roles, status, region scope, publisher, dates), not her email
 *   or mobile. "In scope" follows the staff scope rules that exist for what she belongs to: a staff
 *   account whose region scope lies inside the staff's (as `createStaffAccount`), a member of an
 *   organization whose home region lies inside it (`isStaffInScope`), or the submitter of a demand
 *   whose region lies inside it (`inUnionScope`).
 * - Fellow members of one of her organizations: her name only.
 * - Everyone else: by id she is exactly an unknown id; reached through another object (a demand's
 *   non-anonymous submitter, an audit entry's actor) she shows her name only.
 *
 * Rules and their SQL: `userView` over `ShownUserFacts`, which one statement per tick reads
 * (`factsLoader`; its `submitted_in_scope` is the SQL form of `inUnionScope`, demand.policy.ts).
 * `installUserRules`: `node(id: "User:…")` and who reads an account's full audit trail. The viewer's
 * facts come from organizations/viewer-facts.ts, once per request.
 *
 * @module
 */
import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../core/auth.js';
import type { Context, RequestLoaders } from '../../core/context.js';
import type { NodeRegistry } from '../../core/relay/node.resolver.js';
import { viewerFactsOf, type ViewerFacts } from '../organizations/viewer-facts.js';
import type { AuditService } from '../audit/audit.service.js';
import { MemberRole, VerificationStatus } from '../organizations/organization.enums.js';
import { isStaffInScope } from '../organizations/organization.policy.js';
import { User } from './user.entity.js';

/** How much of a user a viewer sees, from nothing to everything. */
export enum UserView {
  /** Not at all: by id, as an unknown id. */
  NONE = 0,
  /** Her id and display name. */
  NAME = 1,
  /** Also her account: roles, status, region scope, publisher, creation date. */
  ACCOUNT = 2,
  /** Also her personal data: email and mobile. */
  PERSONAL = 3,
}

/** What the rules need to know about the user shown. */
export interface ShownUserFacts {
  id: number;
  /** Her account's region scope (staff), province → itself; null when she has none. */
  regionScopePath: readonly string[] | null;
  /** Her organizations: id, her role in it, and its home region's path. */
  memberships: readonly { organizationId: number; role: MemberRole; homeRegionPath: readonly string[] }[];
  /**
   * Whether she submitted a demand whose region lies inside the viewer's union scope (read by the
   * facts query, the SQL form of `inUnionScope`; false for viewers without one).
   */
  submittedInViewerScope: boolean;
}

/** Union staff whose scope covers the user, by any of the staff scope rules (see the module). */
export function isUserInStaffScope(viewer: ViewerFacts, user: ShownUserFacts): boolean {
  const scope = viewer.unionScope;
  if (scope === null) return false;
  return (
    (user.regionScopePath?.includes(scope) ?? false) ||
    user.submittedInViewerScope ||
    user.memberships.some((m) =>
      isStaffInScope(viewer, {
        id: m.organizationId,
        // Scope does not depend on the organization's status.
        verificationStatus: VerificationStatus.VERIFIED,
        homeRegionPath: m.homeRegionPath,
      }),
    )
  );
}

/** What the viewer may see of the user (see the module for the rules). */
export function userView(viewer: ViewerFacts | null, user: ShownUserFacts): UserView {
  if (!viewer) return UserView.NONE;
  if (viewer.userId === user.id || viewer.isAdmin) return UserView.PERSONAL;
  if (isUserInStaffScope(viewer, user)) return UserView.ACCOUNT;
  if (user.memberships.some((m) => viewer.memberships.has(m.organizationId))) return UserView.NAME;
  return UserView.NONE;
}

/** One row of the facts query. */
interface FactsRow {
  id: string | number;
  scope_path: string[] | null;
  memberships: [number | string, MemberRole, string[]][];
  submitted_in_scope: boolean;
}

declare module '../../core/context.js' {
  interface RequestLoaders {
    userFacts: UserFactsLoaders;
  }
}

/** Per unit of work (`ctx.loaders.userFacts`) and viewer: the facts of the users asked about. */
export class UserFactsLoaders {
  /** Per viewer: the live feed resolves one event for many subscribers with one fork's loaders. */
  private readonly byViewer = new WeakMap<Viewer, DataLoader<number, ShownUserFacts | null>>();

  constructor(private readonly em: EntityManager) {}

  /** The facts of the users the viewer asks about, one statement per tick. */
  of(viewer: Viewer): DataLoader<number, ShownUserFacts | null> {
    let loader = this.byViewer.get(viewer);
    if (!loader) {
      const em = this.em;
      const scope = viewerFactsOf(viewer).unionScope;
      loader = new DataLoader(async (ids: readonly number[]) => {
        const rows = await em.getConnection().execute<FactsRow[]>(
          `select u.id, rs.path as scope_path,
                  coalesce((select json_agg(json_build_array(m.organization_id, m.role, hr.path))
                              from organization_member m
                              join organization o on o.id = m.organization_id
                              join region hr on hr.code = o.home_region_code
                             where m.user_id = u.id), '[]'::json) as memberships,
                  ${
                    scope === null
                      ? 'false'
                      : 'exists(select 1 from demand d where d.submitted_by_id = u.id and d.region_path @> array[?]::text[])'
                  } as submitted_in_scope
             from app_user u left join region rs on rs.code = u.region_scope_code
            where u.id in (${ids.map(() => '?').join(', ')})`,
          [...(scope === null ? [] : [scope]), ...ids],
          'all',
          em.getTransactionContext(),
        );
        const byId = new Map(
          rows.map((row): [number, ShownUserFacts] => [
            Number(row.id),
            {
              id: Number(row.id),
              regionScopePath: row.scope_path,
              memberships: row.memberships.map(([organizationId, role, homeRegionPath]) => ({
                organizationId: Number(organizationId),
                role,
                homeRegionPath,
              })),
              submittedInViewerScope: row.submitted_in_scope,
            },
          ]),
        );
        return ids.map((id) => byId.get(id) ?? null);
      });
      this.byViewer.set(viewer, loader);
    }
    return loader;
  }
}

/** Who asks, and the loaders to read the facts with (a transaction passes its own). */
export type UserFactsReader = Pick<Context, 'viewer'> & { loaders: Pick<RequestLoaders, 'userFacts'> };

/** The facts about a user for the rules; null when there is no such user (or nobody asks). */
export function shownUserFacts(ctx: UserFactsReader, userId: number): Promise<ShownUserFacts | null> {
  if (!ctx.viewer) return Promise.resolve(null);
  return ctx.loaders.userFacts.of(ctx.viewer).load(userId);
}

/**
 * What the viewer may see of the user with this id; NONE when there is none. Herself and admins are
 * answered without a query.
 */
export async function userViewOf(ctx: UserFactsReader, userId: number): Promise<UserView> {
  const viewer = viewerFactsOf(ctx.viewer);
  if (!viewer) return UserView.NONE;
  if (viewer.userId === userId || viewer.isAdmin) return UserView.PERSONAL;
  const facts = await shownUserFacts(ctx, userId);
  return facts ? userView(viewer, facts) : UserView.NONE;
}

/**
 * Users by id: only to those `userView` lets see her; anyone else learns nothing, not even that the
 * id exists. An account's full audit trail (sign-up, staff creation) is for the account holder (and
 * admins, always).
 */
export function installUserRules(services: { nodes: NodeRegistry; audit: AuditService }): void {
  services.nodes.registerById('User', async (ctx, id) =>
    (await userViewOf(ctx, id)) > UserView.NONE ? ctx.em.findOne(User, { id }) : null,
  );
  services.audit.registerReadRule('User', (ctx, subject) => ctx.viewer?.userId === (subject as User).id);
}
