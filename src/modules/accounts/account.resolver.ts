import { Arg, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../core/context.js';
import { Role } from '../../core/roles.js';
import { Region } from '../regions/region.entity.js';
import { User } from './user.entity.js';
import {
  AccountPayload,
  AuthPayload,
  SetAccountStatusInput,
  CreateStaffAccountInput,
  CreateStaffAccountPayload,
  SignInInput,
  SignUpInput,
} from './account.inputs.js';

/** Personal data of a user is for that user and platform admins only. */
function canSeePersonalData(ctx: Context, user: User): boolean {
  return ctx.viewer !== null && (ctx.viewer.userId === user.id || ctx.viewer.roles.has(Role.ADMIN));
}

@Resolver(() => User)
export class AccountResolver {
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

  @FieldResolver(() => String, { nullable: true, description: 'Visible to the user and admins only.' })
  email(@Ctx() ctx: Context, @Root() user: User): string | null {
    return canSeePersonalData(ctx, user) ? (user.email ?? null) : null;
  }

  @FieldResolver(() => String, { nullable: true, description: 'Visible to the user and admins only.' })
  mobile(@Ctx() ctx: Context, @Root() user: User): string | null {
    return canSeePersonalData(ctx, user) ? (user.mobile ?? null) : null;
  }

  @FieldResolver(() => Region, { nullable: true, description: 'For staff: the region their unit covers.' })
  regionScope(@Root() user: User): Promise<Region> | null {
    return user.regionScope ? (user.regionScope.load({ dataloader: true }) as Promise<Region>) : null;
  }
}
