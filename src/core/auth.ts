import { webcrypto } from 'node:crypto';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import type { AuthChecker } from 'type-graphql';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ForbiddenError, UnauthenticatedError } from './errors.js';
import { MemberRole, Role } from './roles.js';

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

/**
 * The signed-in account: the accounts module's `User`, which it names here by declaration merging
 * (modules/accounts/viewer.service.ts), so that core/ imports no module.
 */
export interface ViewerAccount {
  id: number;
}

/** Reads the signed-in account: the contract the accounts module fulfils (`services.viewers`). */
export interface ViewerSource {
  /**
   * The Viewer of an already verified token, read now; UNAUTHENTICATED if the account is gone or
   * suspended. Live subscriptions re-check their rights with it.
   */
  load(em: EntityManager, userId: number, tokenExpiresAt: Date): Promise<Viewer>;
  /**
   * The same, from the account's rights as this process read them recently (`RecentViewers`,
   * src/core/rights/recent-viewers.ts): for requests, within the bound of docs/SECURITY.md,
   * "Rights on HTTP requests". With `VIEWER_CACHE_SECONDS=0`, `load`.
   */
  loadRecent(em: EntityManager, userId: number, tokenExpiresAt: Date): Promise<Viewer>;
}

/** The signed-in user as the request sees it. */
export interface Viewer {
  user: ViewerAccount;
  userId: number;
  /** Account roles plus ORG_ADMIN/ORG_MEMBER when the user belongs to any organization. */
  roles: Set<Role>;
  /** Organization id → the user's role in it. */
  memberships: Map<number, MemberRole>;
  tokenExpiresAt: Date;
  /**
   * The member organizations that are VERIFIED, when loaded with the viewer (`ViewerService.load`);
   * absent when the viewer was built otherwise, and then services look them up.
   */
  verifiedOrgIds?: readonly number[];
  /** The member organizations that are SUSPENDED, when loaded with the viewer (`ViewerService.load`). */
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

/** Reads the bearer token from an Authorization header value; null when there is none. */
export function bearerToken(header: string | undefined | null): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!match?.[1]) throw new UnauthenticatedError('The Authorization header must be "Bearer <token>".');
  return match[1];
}

/**
 * Turns a token into a Viewer. The account's rights are those of `ViewerSource.loadRecent`: a
 * suspended or deleted account loses access with the next request of the process that suspended
 * it, and on every other process once its relay has told it (at most `VIEWER_CACHE_SECONDS` later),
 * not when its token expires (docs/SECURITY.md, "Rights on HTTP requests").
 */
export async function authenticate(
  tokens: TokenService,
  viewers: ViewerSource,
  em: EntityManager,
  token: string | null,
): Promise<Viewer | null> {
  if (token === null) return null;
  const { userId, expiresAt } = await tokens.verify(token);
  return viewers.loadRecent(em, userId, expiresAt);
}

/** `@Authorized(roles)`: signed in, and holding one of the roles if any are named. */
export const authChecker: AuthChecker<{ viewer: Viewer | null }, Role> = ({ context }, roles) => {
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
