import type { EntityManager } from '@mikro-orm/postgresql';
import { LockMode, raw, ref, UniqueConstraintViolationException, type FilterQuery } from '@mikro-orm/core';
import type { Actor, Context } from '../../core/context.js';
import { NO_RATE_LIMITS, type RateLimits } from '../../core/rate-limit.js';
import { requireViewer, type TokenService, type Viewer } from '../../core/auth.js';
import { viewerOf } from './viewer.js';
import { viewerFactsOf } from '../organizations/viewer-facts.js';
import { OrganizationMember } from '../organizations/membership.entity.js';
import {
  BadUserInputError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnauthenticatedError,
} from '../../core/errors.js';
import { hashPassword, verifyPassword } from '../../core/passwords.js';
import { Role } from '../../core/roles.js';
import { Region } from '../regions/region.entity.js';
import type { RegionService } from '../regions/region.service.js';
import { recordAudit } from '../audit/audit.js';
import { AccountStatus, User } from './user.entity.js';
import { announceRightsChange } from '../../core/rights/rights-change.js';
import { parseIdOf } from '../../core/relay/global-id.js';
import { checkCursors, pageFromCursor, pageOptions, type Page } from '../../core/relay/connection.js';
import { MemberRole } from '../organizations/organization.enums.js';
import { likePattern } from '../organizations/search-text.js';
import type { AccountsArgs } from './account.args.js';
import {
  MOBILE_PATTERN,
  type CreateStaffAccountInput,
  type SetAccountStatusInput,
  type SignInInput,
  type SignUpInput,
} from './account.inputs.js';

/** The same words for every sign-in failure: nothing tells which part was wrong. */
const SIGN_IN_FAILED = 'The login or the password is wrong.';

/** Accounts: sign-up, sign-in, staff creation. */
export class AccountService {
  /** Sign-in brute-force and sign-up limits; off until the app attaches its limiters ({@link useRateLimits}). */
  private rateLimits: RateLimits = NO_RATE_LIMITS;

  constructor(
    private readonly tokens: TokenService,
    private readonly regions: RegionService,
  ) {}

  /**
   * Every account, newest first, for admins only (they see each one's e-mail and mobile; the field
   * rules of user.policy.ts still decide what is shown). Text matches the display name, e-mail or
   * mobile anywhere in it; an organization role matches a membership with that role.
   */
  async list(ctx: Context, args: AccountsArgs): Promise<Page<User>> {
    const viewer = requireViewer(ctx.viewer);
    if (!viewer.roles.has(Role.ADMIN)) throw new ForbiddenError('Only admins list accounts.');
    checkCursors(args, ['timestamp', 'id']);
    if (args.filter?.text != null && likePattern(args.filter.text) === null)
      throw BadUserInputError.field('filter.text', 'must not be blank: omit it to list every account');
    // A raw fragment serves one query: the count builds its filter again.
    const where = () => accountsWhere(args.filter ?? {});
    const cursor = await ctx.em.findByCursor(User, where(), {
      ...pageOptions(args),
      orderBy: { createdAt: 'desc', id: 'desc' },
      includeCount: false,
    });
    return pageFromCursor(cursor, () => ctx.em.count(User, where()));
  }

  /**
   * An admin suspends an account or makes it active again. A suspension takes effect at once
   * everywhere: the rights change announced in the same transaction ends every process's reuse of
   * the account for requests (docs/SECURITY.md, "Rights on HTTP requests"), and
   * transaction closes its open sockets (4403) on every process (rights-watch.ts).
   */
  setStatus(actor: Actor, input: SetAccountStatusInput): Promise<User> {
    const viewer = requireViewer(actor.viewer);
    if (!viewer.roles.has(Role.ADMIN)) throw new ForbiddenError('Only admins suspend or reinstate accounts.');
    const userId = parseIdOf('User', input.userId, 'input.userId');
    if (userId === viewer.userId && input.status !== AccountStatus.ACTIVE)
      throw BadUserInputError.field('input.userId', 'you cannot suspend your own account');
    return actor.em.transactional(async (em) => {
      const user = await em.findOne(User, { id: userId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!user) throw new NotFoundError('User', input.userId);
      if (user.status === input.status) return user;
      const before = user.status;
      user.status = input.status;
      recordAudit({ ...actor, em }, 'setAccountStatus', user, {
        from: before,
        to: input.status,
        reason: input.reason.trim(),
      });
      await em.flush();
      await announceRightsChange(em, { userIds: [user.id] });
      return user;
    });
  }

  /**
   * Every attempt spends a point of its address's sign-up budget first, whether it succeeds or is
   * refused (a CONFLICT says the email or mobile number is registered).
   */
  async signUp(
    actor: Actor & Pick<Context, 'clientAddress'>,
    input: SignUpInput,
  ): ReturnType<AccountService['session']> {
    await this.rateLimits.signUpAddress.consume(actor.clientAddress ?? 'unknown');
    const user = await this.createAudited(actor, input, [Role.WORKER], null, 'signUp');
    return this.session(actor.em, user);
  }

  /** Attaches the process's rate limiters (createApp does; the CLI runs without). */
  useRateLimits(limits: RateLimits): void {
    this.rateLimits = limits;
  }

  /**
   * Every attempt spends a point of its login's and of its address's budget before the password is
   * checked (atomically, so parallel guesses cannot slip through); a success gives them back. Spent
   * budgets answer RATE_LIMITED, even to the right password, until the window passes.
   */
  async signIn(
    actor: Actor & Pick<Context, 'clientAddress'>,
    input: SignInInput,
  ): ReturnType<AccountService['session']> {
    const login = input.login.trim();
    const where = MOBILE_PATTERN.test(login) ? { mobile: login } : { email: login.toLowerCase() };
    const accountKey = 'mobile' in where ? `mobile:${where.mobile}` : `email:${where.email}`;
    const addressKey = actor.clientAddress ?? 'unknown';
    const { signInAccount, signInAddress } = this.rateLimits;
    await signInAddress.consume(addressKey);
    await signInAccount.consume(accountKey);
    const user = await actor.em.findOne(User, where, { populate: ['passwordHash'] });
    const ok = await verifyPassword(input.password, user?.passwordHash ?? null);
    if (!user || !ok) throw new UnauthenticatedError(SIGN_IN_FAILED);
    // Only failures count: a right password clears the login's count and returns the address's point.
    await Promise.all([signInAccount.reset(accountKey), signInAddress.refund(addressKey)]);
    if (user.status !== AccountStatus.ACTIVE) throw new UnauthenticatedError('This account is suspended.');
    return this.session(actor.em, user);
  }

  /** A new token for `user`, who is from then on the viewer of the rest of this response. */
  async session(
    em: EntityManager,
    user: User,
  ): Promise<{ token: string; expiresAt: Date; viewer: User; as: Viewer }> {
    const issued = await this.tokens.issue(user.id);
    const memberships = await em.find(OrganizationMember, { user: user.id });
    return { ...issued, viewer: user, as: viewerOf(user, memberships, issued.expiresAt) };
  }

  /**
   * Admins create staff of any kind anywhere. Union staff create union, government or enterprise
   * staff only inside their own region scope, and never admins.
   */
  async createStaffAccount(actor: Actor, input: CreateStaffAccountInput): Promise<User> {
    const viewer = requireViewer(actor.viewer);
    const isAdmin = viewer.roles.has(Role.ADMIN);
    if (!isAdmin && !viewer.roles.has(Role.UNION_STAFF))
      throw new ForbiddenError('Only admins and union staff create staff accounts.');
    if (input.role === Role.ADMIN && !isAdmin) throw new ForbiddenError('Only admins create admin accounts.');
    const needsRegion = input.role === Role.UNION_STAFF || input.role === Role.GOV_STAFF;
    if (needsRegion && !input.regionScopeCode) {
      throw BadUserInputError.field('input.regionScopeCode', 'is required for union and government staff');
    }
    let region: Region | null = null;
    if (input.regionScopeCode)
      region = await this.regions.require(actor.em, input.regionScopeCode, 'input.regionScopeCode');
    if (!isAdmin) {
      const scope = viewerFactsOf(viewer).unionScope;
      if (!scope || !region || !(await this.regions.covers(actor.em, scope, region.code))) {
        throw new ForbiddenError('Union staff create staff only inside their own region scope.');
      }
    }
    return this.createAudited(actor, input, [input.role], region, 'createStaffAccount');
  }

  /** Creates the first admin from ADMIN_EMAIL/ADMIN_PASSWORD or the CLI; does nothing if the email exists. */
  async ensureAdmin(em: EntityManager, email: string, password: string): Promise<{ created: boolean }> {
    const existing = await em.findOne(User, { email: email.toLowerCase() });
    if (existing) return { created: false };
    await this.createAccount(em, { email, password, displayName: 'Administrator' }, [Role.ADMIN], null);
    return { created: true };
  }

  /**
   * Creates an account and its audit entry in one transaction. The summary holds roles and region
   * only: never the email, mobile or password. A self sign-up is acted by the new account itself.
   */
  private createAudited(
    actor: Actor,
    input: Pick<SignUpInput, 'email' | 'mobile' | 'password' | 'displayName'>,
    roles: Role[],
    region: Region | null,
    action: 'signUp' | 'createStaffAccount',
  ): Promise<User> {
    return actor.em.transactional(async (em) => {
      const user = await this.createAccount(em, input, roles, region);
      const viewer = actor.viewer ?? viewerOf(user, [], new Date());
      recordAudit({ em, viewer, requestId: actor.requestId }, action, user, {
        roles,
        regionScopeCode: region?.code ?? null,
      });
      await em.flush();
      return user;
    });
  }

  private async createAccount(
    em: EntityManager,
    input: Pick<SignUpInput, 'email' | 'mobile' | 'password' | 'displayName'>,
    roles: Role[],
    region: Region | null,
  ): Promise<User> {
    const email = input.email?.trim().toLowerCase() || null;
    const mobile = input.mobile?.trim() || null;
    if (!email && !mobile) {
      throw new BadUserInputError([
        { path: 'input.email', message: 'give an email address or a mobile number' },
        { path: 'input.mobile', message: 'give an email address or a mobile number' },
      ]);
    }
    const displayName = input.displayName.trim();
    if (!displayName) throw BadUserInputError.field('input.displayName', 'must not be blank');
    const user = em.create(User, {
      email,
      mobile,
      passwordHash: await hashPassword(input.password),
      displayName,
      roles,
      regionScope: region ? ref(region) : null,
    });
    try {
      await em.persistAndFlush(user);
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) {
        throw new ConflictError('An account with this email address or mobile number already exists.');
      }
      throw error;
    }
    return user;
  }
}

/** The `accounts` filter as a query; each condition given must hold. */
function accountsWhere(filter: NonNullable<AccountsArgs['filter']>): FilterQuery<User> {
  const and: FilterQuery<User>[] = [];
  if (filter.status) and.push({ status: filter.status });
  const pattern = filter.text ? likePattern(filter.text) : null;
  if (pattern) {
    and.push({
      $or: [
        { displayName: { $ilike: pattern } },
        { email: { $ilike: pattern } },
        { mobile: { $like: pattern } },
      ],
    });
  }
  if (filter.role === Role.ORG_ADMIN || filter.role === Role.ORG_MEMBER) {
    // The organization roles come from memberships (`rolesOf`): an admin of one organization holds
    // ORG_ADMIN, a plain member of one ORG_MEMBER.
    const role = filter.role === Role.ORG_ADMIN ? MemberRole.ORG_ADMIN : MemberRole.ORG_MEMBER;
    and.push({
      [raw(
        (alias) =>
          `exists (select 1 from "organization_member" m where m."user_id" = ${alias}."id" and m."role" = ?)`,
        [role],
      )]: true,
    });
  } else if (filter.role) {
    and.push({ roles: { $contains: [filter.role] } });
  }
  return and.length ? { $and: and } : {};
}
