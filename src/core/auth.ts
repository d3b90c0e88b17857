import { webcrypto } from 'node:crypto';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import type { AuthChecker } from 'type-graphql';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ForbiddenError, UnauthenticatedError } from './errors.js';
import { Role } from './roles.js';
import { AccountStatus, User } from '../modules/accounts/user.entity.js';
import { OrganizationMember } from '../modules/organizations/membership.entity.js';
import { MemberRole, VerificationStatus } from '../modules/organizations/organization.enums.js';
import type { Context } from './context.js';
import { RecordReader } from './read-records.js';

const ISSUER = 'niudai';
const AUDIENCE = 'niudai-api';

/** How many verified tokens a process remembers (about 300 bytes each). */
const VERIFIED_TOKENS = 10_000;

/** Signs and checks access tokens (HS256 JWT, `sub` = user id). */
export class TokenService {
  /**
   * Imported once: given raw bytes, jose imports the key into WebCrypto again on every sign and verify,
   * that is, on every signed-in request.
   */
  private readonly key: Promise<webcrypto.CryptoKey>;
  /**
   * Tokens whose signature and claims were verified, with what they say, in order of last use. A
   * client sends the same token with every request until it expires; the HMAC over it (through
   * WebCrypto's job queue) was 3 % of the nested read's CPU. Only verified tokens enter, and expiry
   * is checked on every use exactly as jose checks it, so a remembered token is accepted exactly
   * when verifying it again would accept it (the key never changes within a process).
   */
  private readonly verified = new Map<string, { userId: number; exp: number }>();

  constructor(
    secret: string,
    private readonly ttlSeconds: number,
  ) {
    this.key = webcrypto.subtle.importKey(
      'raw',
      new TextEncoder().encode(secret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign', 'verify'],
    );
  }

  async issue(userId: number): Promise<{ token: string; expiresAt: Date }> {
    const now = Math.floor(Date.now() / 1000);
    const exp = now + this.ttlSeconds;
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(String(userId))
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(exp)
      .sign(await this.key);
    return { token, expiresAt: new Date(exp * 1000) };
  }

  /**
   * Verifies signature, algorithm (HS256 only: `alg: none` and others are refused), issuer, audience
   * and expiry. Returns the user id and expiry, or throws UNAUTHENTICATED.
   */
  async verify(token: string): Promise<{ userId: number; expiresAt: Date }> {
    const known = this.verified.get(token);
    if (known) {
      // As jose: expired when `exp` is not after the current second.
      if (known.exp <= Math.floor(Date.now() / 1000)) {
        this.verified.delete(token);
        throw new UnauthenticatedError('Your session has expired; sign in again.');
      }
      this.verified.delete(token); // re-inserted as the most recently used
      this.verified.set(token, known);
      return { userId: known.userId, expiresAt: new Date(known.exp * 1000) };
    }
    const claims = await this.verifySignatureAndClaims(token);
    if (this.verified.size >= VERIFIED_TOKENS) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, claims);
    return { userId: claims.userId, expiresAt: new Date(claims.exp * 1000) };
  }

  private async verifySignatureAndClaims(token: string): Promise<{ userId: number; exp: number }> {
    try {
      const { payload } = await jwtVerify(token, await this.key, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
      });
      const userId = Number(payload.sub);
      if (!Number.isSafeInteger(userId) || userId <= 0 || payload.exp === undefined)
        throw new Error('bad subject');
      return { userId, exp: payload.exp };
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired)
        throw new UnauthenticatedError('Your session has expired; sign in again.');
      throw new UnauthenticatedError('The access token is not valid; sign in again.');
    }
  }
}

/** The signed-in user as the request sees it. */
export interface Viewer {
  user: User;
  userId: number;
  /** Account roles plus ORG_ADMIN/ORG_MEMBER when the user belongs to any organization. */
  roles: Set<Role>;
  /** Organization id → the user's role in it. */
  memberships: Map<number, MemberRole>;
  tokenExpiresAt: Date;
  /**
   * The member organizations that are VERIFIED, when loaded with the viewer (`loadViewer`); absent
   * when the viewer was built otherwise, and then services look them up.
   */
  verifiedOrgIds?: readonly number[];
  /** The member organizations that are SUSPENDED, when loaded with the viewer (`loadViewer`). */
  suspendedOrgIds?: readonly number[];
  /**
   * The events relay's position just before this viewer was read: every rights change announced
   * up to it is reflected here (the live feeds' RightsWatch re-checks anything later).
   */
  rightsAsOf?: number;
}

/**
 * A user's platform roles: the account's own (stored on it) plus ORG_ADMIN / ORG_MEMBER for each
 * role they hold in an organization. The one rule for the Viewer and for `User.roles`.
 */
export function rolesOf(accountRoles: readonly Role[], memberRoles: Iterable<MemberRole>): Set<Role> {
  const roles = new Set(accountRoles);
  for (const role of memberRoles) roles.add(role === MemberRole.ORG_ADMIN ? Role.ORG_ADMIN : Role.ORG_MEMBER);
  return roles;
}

/** Builds a Viewer from a user and their organization memberships. */
export function viewerOf(user: User, memberships: OrganizationMember[], tokenExpiresAt: Date): Viewer {
  const byOrg = new Map<number, MemberRole>();
  for (const m of memberships) byOrg.set(m.organization.id, m.role);
  const roles = rolesOf(user.roles, byOrg.values());
  return { user, userId: user.id, roles, memberships: byOrg, tokenExpiresAt };
}

/** Reads the bearer token from an Authorization header value; null when there is none. */
export function bearerToken(header: string | undefined | null): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!match?.[1]) throw new UnauthenticatedError('The Authorization header must be "Bearer <token>".');
  return match[1];
}

/**
 * Turns a token into a Viewer. The account is read on every request, so a suspended or deleted
 * account loses access at once, not when its token expires.
 */
export async function authenticate(
  tokens: TokenService,
  em: EntityManager,
  token: string | null,
): Promise<Viewer | null> {
  if (token === null) return null;
  const { userId, expiresAt } = await tokens.verify(token);
  return loadViewer(em, userId, expiresAt);
}

/** The Viewer of an already verified token; UNAUTHENTICATED if the account is gone or suspended. */
export async function loadViewer(em: EntityManager, userId: number, tokenExpiresAt: Date): Promise<Viewer> {
  const row = await readViewerRow(em, userId);
  if (!row) throw new UnauthenticatedError('The account of this token no longer exists.');
  const { memberships, ...userRow } = row;
  // Merged into this operation's identity map, as `em.findOne` would have done.
  const user = em.map(User, userRow);
  if (user.status !== AccountStatus.ACTIVE) throw new UnauthenticatedError('This account is suspended.');
  const byOrg = new Map<number, MemberRole>();
  const verified: number[] = [];
  const suspended: number[] = [];
  for (const [organizationId, role, verificationStatus] of memberships) {
    byOrg.set(organizationId, role);
    if (verificationStatus === VerificationStatus.VERIFIED) verified.push(organizationId);
    if (verificationStatus === VerificationStatus.SUSPENDED) suspended.push(organizationId);
  }
  const roles = rolesOf(user.roles, byOrg.values());
  return {
    user,
    userId: user.id,
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
type ViewerRow = Record<string, unknown> & { memberships: MembershipTuple[] };

/** The viewer statement, built once from the User entity's metadata (its eagerly loaded columns). */
let viewerStatement: string | undefined;

/**
 * The account and its memberships in one statement (it runs on every signed-in request, so one
 * round trip rather than two); read fresh each time, so suspension and membership changes apply
 * at once. The account's columns are the ones a full record of User reads (every eagerly loaded
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

/** `@Authorized(roles)`: signed in, and holding one of the roles if any are named. */
export const authChecker: AuthChecker<Context, Role> = ({ context }, roles) => {
  const viewer = context.viewer;
  if (!viewer) throw new UnauthenticatedError();
  if (roles.length > 0 && !roles.some((r) => viewer.roles.has(r))) {
    throw new ForbiddenError(`This needs one of the roles: ${roles.join(', ')}.`);
  }
  return true;
};

/** The viewer, or UNAUTHENTICATED: for services that need an actor. */
export function requireViewer(viewer: Viewer | null): Viewer {
  if (!viewer) throw new UnauthenticatedError();
  return viewer;
}
