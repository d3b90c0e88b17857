import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ConnectionType, toConnection, type ConnectionShape } from '../../core/relay/connection.js';
import { AccountsArgs } from './account.args.js';
import type { Context } from '../../core/context.js';
import { Role } from '../../core/roles.js';
import { Region } from '../regions/region.entity.js';
import { rolesOf } from '../../core/auth.js';
import { AccountStatus, User } from './user.entity.js';
import { shownUserFacts, UserView, userViewOf } from './user.policy.js';
import {
  AccountPayload,
  AuthPayload,
  SetAccountStatusInput,
  CreateStaffAccountInput,
  CreateStaffAccountPayload,
  SignInInput,
  SignUpInput,
} from './account.inputs.js';

/** Whether the viewer sees at least `level` of the user (user.policy.ts). */
async function sees(ctx: Context, user: User, level: UserView): Promise<boolean> {
  return (await userViewOf(ctx, user.id)) >= level;
}

export const UserConnection = ConnectionType(User, 'User');

@Resolver(() => User)
export class AccountResolver {
  @Authorized(Role.ADMIN)
  @Query(() => UserConnection, {
    description:
      'Platform admins only: every account, newest first, searched by name, e-mail or mobile and filtered by role and status.',
  })
  async accounts(
    @Ctx() ctx: Context,
    @Args(() => AccountsArgs) args: AccountsArgs,
  ): Promise<ConnectionShape<User>> {
    return toConnection(UserConnection, await ctx.services.accounts.list(ctx, args));
  }

  @Query(() => User, { nullable: true, description: 'The signed-in user; null when anonymous.' })
  viewer(@Ctx() ctx: Context): User | null {
    return ctx.viewer?.user ?? null;
  }

  @Mutation(() => AuthPayload, { description: 'A worker creates an account and is signed in.' })
  async signUp(
    @Ctx() ctx: Context,
    @Arg('input', () => SignUpInput) input: SignUpInput,
  ): Promise<AuthPayload> {
    const { as, ...payload } = await ctx.services.accounts.signUp(ctx, input);
    ctx.viewer = as; // the new user reads the rest of this response as themself
    return payload;
  }

  @Mutation(() => AuthPayload, { description: 'Exchanges a login and password for an access token.' })
  async signIn(
    @Ctx() ctx: Context,
    @Arg('input', () => SignInInput) input: SignInInput,
  ): Promise<AuthPayload> {
    const { as, ...payload } = await ctx.services.accounts.signIn(ctx, input);
    ctx.viewer = as;
    return payload;
  }

  @Authorized(Role.ADMIN, Role.UNION_STAFF)
  @Mutation(() => CreateStaffAccountPayload, {
    description: 'Admins create staff anywhere; union staff create staff only inside their own region scope.',
  })
  async createStaffAccount(
    @Ctx() ctx: Context,
    @Arg('input', () => CreateStaffAccountInput) input: CreateStaffAccountInput,
  ): Promise<CreateStaffAccountPayload> {
    return { user: await ctx.services.accounts.createStaffAccount(ctx, input) };
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => AccountPayload, {
    description:
      'Admins suspend an account (it can no longer sign in or act, and its open connections close at once) or make it active again.',
  })
  async setAccountStatus(
    @Ctx() ctx: Context,
    @Arg('input', () => SetAccountStatusInput) input: SetAccountStatusInput,
  ): Promise<AccountPayload> {
    return { user: await ctx.services.accounts.setStatus(ctx, input) };
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'Personal data: the user herself and admins; null for others.',
  })
  async email(@Ctx() ctx: Context, @Root() user: User): Promise<string | null> {
    return (await sees(ctx, user, UserView.PERSONAL)) ? (user.email ?? null) : null;
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'Personal data: the user herself and admins; null for others.',
  })
  async mobile(@Ctx() ctx: Context, @Root() user: User): Promise<string | null> {
    return (await sees(ctx, user, UserView.PERSONAL)) ? (user.mobile ?? null) : null;
  }

  @FieldResolver(() => [Role], {
    nullable: true,
    description:
      "The user's roles: the account's own plus ORG_ADMIN / ORG_MEMBER from her organization memberships. " +
      'For the user herself, admins and union staff in scope; null for others.',
  })
  async roles(@Ctx() ctx: Context, @Root() user: User): Promise<Role[] | null> {
    if (ctx.viewer?.userId === user.id) return [...ctx.viewer.roles];
    if (!(await sees(ctx, user, UserView.ACCOUNT))) return null;
    const facts = await shownUserFacts(ctx, user.id);
    return [...rolesOf(user.roles, facts?.memberships.map((m) => m.role) ?? [])];
  }

  @FieldResolver(() => AccountStatus, {
    nullable: true,
    description: 'For the user herself, admins and union staff in scope; null for others.',
  })
  async status(@Ctx() ctx: Context, @Root() user: User): Promise<AccountStatus | null> {
    return (await sees(ctx, user, UserView.ACCOUNT)) ? user.status : null;
  }

  @FieldResolver(() => Date, {
    nullable: true,
    description:
      'When the account was made. For the user herself, admins and union staff in scope; null for others.',
  })
  async createdAt(@Ctx() ctx: Context, @Root() user: User): Promise<Date | null> {
    return (await sees(ctx, user, UserView.ACCOUNT)) ? user.createdAt : null;
  }

  @FieldResolver(() => Region, {
    nullable: true,
    description:
      'For staff: the region their unit covers. For the user herself, admins and union staff in scope; null for others.',
  })
  async regionScope(@Ctx() ctx: Context, @Root() user: User): Promise<Region | null> {
    if (!user.regionScope || !(await sees(ctx, user, UserView.ACCOUNT))) return null;
    return (await user.regionScope.load({ dataloader: true })) ?? null;
  }
}
