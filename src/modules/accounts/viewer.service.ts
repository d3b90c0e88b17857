import type { EntityManager } from '@mikro-orm/postgresql';
import { rolesOf, type Viewer, type ViewerSource } from '../../core/auth.js';
import { UnauthenticatedError } from '../../core/errors.js';
import { RecordReader } from '../../core/read-records.js';
import { RecentViewers } from '../../core/rights/recent-viewers.js';
import type { MemberRole, Role } from '../../core/roles.js';
import { VerificationStatus } from '../organizations/organization.enums.js';
import { AccountStatus, User } from './user.entity.js';

declare module '../../core/auth.js' {
  // The signed-in account core/ declares is this module's User.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface ViewerAccount extends User {}
}

/**
 * Reads the signed-in account and its memberships (core/auth.ts's ViewerSource): `load` reads them
 * now (live subscriptions' re-checks), `loadRecent` reuses this process's recent read of them for
 * requests, within the bound of docs/SECURITY.md, "Rights on HTTP requests".
 */
export class ViewerService implements ViewerSource {
  constructor(private readonly recent: RecentViewers<ViewerRow> = new RecentViewers<ViewerRow>(0)) {}

  /** The Viewer of an already verified token; UNAUTHENTICATED if the account is gone or suspended. */
  async load(em: EntityManager, userId: number, tokenExpiresAt: Date): Promise<Viewer> {
    return viewerOf(em, await readViewerRow(em, userId), tokenExpiresAt);
  }

  async loadRecent(em: EntityManager, userId: number, tokenExpiresAt: Date): Promise<Viewer> {
    if (!this.recent.enabled) return this.load(em, userId, tokenExpiresAt);
    const row = await this.recent.get(userId, async () => {
      const read = await readViewerRow(em, userId);
      if (!read) throw new UnauthenticatedError(ACCOUNT_GONE); // not kept: read again next time
      return { value: read, organizationIds: read.memberships.map(([organizationId]) => organizationId) };
    });
    return viewerOf(em, row, tokenExpiresAt);
  }
}

const ACCOUNT_GONE = 'The account of this token no longer exists.';

/**
 * The Viewer of an account row. Built anew for each request from the row (kept rows are shared).
 * The account's status, id and roles are read from the row itself; the account entity (`user`) is
 * merged into this operation's identity map, as `em.findOne` would have done, only when the request
 * first reads it: most reads never do, and the merge was about an eighth of the server's CPU for a
 * directory search (docs/architecture.md, "Read path"). Its sets and maps are the request's own (a
 * request may add to them, see OrganizationProfileService).
 */
function viewerOf(em: EntityManager, row: ViewerRow | null, tokenExpiresAt: Date): Viewer {
  if (!row) throw new UnauthenticatedError(ACCOUNT_GONE);
  const { memberships, ...userRow } = row;
  if (userRow.status !== AccountStatus.ACTIVE) throw new UnauthenticatedError('This account is suspended.');
  const byOrg = new Map<number, MemberRole>();
  const verified: number[] = [];
  const suspended: number[] = [];
  for (const [organizationId, role, verificationStatus] of memberships) {
    byOrg.set(organizationId, role);
    if (verificationStatus === VerificationStatus.VERIFIED) verified.push(organizationId);
    if (verificationStatus === VerificationStatus.SUSPENDED) suspended.push(organizationId);
  }
  const roles = rolesOf(userRow.roles as Role[], byOrg.values());
  let user: User | undefined;
  return {
    get user(): User {
      if (!user) {
        // A copy: the identity map's entity may be changed by the request, never the kept row.
        const copy: Record<string, unknown> = { ...userRow };
        for (const key of Object.keys(copy)) if (Array.isArray(copy[key])) copy[key] = [...copy[key]];
        user = em.map(User, copy);
      }
      return user;
    },
    userId: Number(userRow.id),
    roles,
    memberships: byOrg,
    tokenExpiresAt,
    verifiedOrgIds: verified,
    suspendedOrgIds: suspended,
  };
}

/** One membership as the viewer query returns it: organization id, role, the organization's status. */
type MembershipTuple = [number, MemberRole, VerificationStatus];

/** The account row (MikroORM's columns, password hash excluded) plus its memberships. */
export type ViewerRow = Record<string, unknown> & { memberships: MembershipTuple[] };

/** The viewer statement, built once from the User entity's metadata (its eagerly loaded columns). */
let viewerStatement: string | undefined;

/**
 * The account and its memberships in one statement (it runs for every signed-in request the recent viewers do not answer, so one
 * round trip rather than two). The account's columns are the ones a full record of User reads (every eagerly loaded
 * column: the lazy password hash is left out), so a new column cannot be forgotten here. The
 * memberships come as a JSON array of [organization id, role, verification status].
 */
async function readViewerRow(em: EntityManager, userId: number): Promise<ViewerRow | null> {
  viewerStatement ??= `select ${RecordReader.for(em, User).selectList('u')},
            coalesce((select json_agg(json_build_array(m.organization_id, m.role, o.verification_status)
                                      order by m.organization_id)
                        from organization_member m join organization o on o.id = m.organization_id
                       where m.user_id = u.id), '[]'::json) as memberships
       from app_user u where u.id = ?`;
  const rows = await em.getConnection().execute<ViewerRow[]>(viewerStatement, [userId]);
  return rows[0] ?? null;
}
