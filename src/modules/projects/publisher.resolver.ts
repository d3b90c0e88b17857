import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../core/context.js';
import { ConnectionArgs, toConnection, type ConnectionShape } from '../../core/relay/connection.js';
import { Role } from '../../core/roles.js';
import { User } from '../accounts/user.entity.js';
import { UserView, userViewOf } from '../accounts/user.policy.js';
import { Region } from '../regions/region.entity.js';
import {
  AddPublisherStaffInput,
  AddPublisherStaffPayload,
  CreatePublisherInput,
  CreatePublisherPayload,
} from './project.inputs.js';
import { PublisherConnection } from './project.types.js';
import { Publisher } from './publisher.entity.js';
import type { ReadRecord } from '../../core/read-records.js';

@Resolver(() => Publisher)
export class PublisherResolver {
  @Query(() => PublisherConnection, { description: 'Bodies that buy services, by name.' })
  async publishers(
    @Ctx() ctx: Context,
    @Args(() => ConnectionArgs) args: ConnectionArgs,
  ): Promise<ConnectionShape<Publisher>> {
    return toConnection(PublisherConnection, await ctx.services.publishers.list(ctx, args));
  }

  @Authorized(Role.ADMIN, Role.UNION_STAFF)
  @Mutation(() => CreatePublisherPayload, {
    description: 'Admins anywhere, union staff inside their region scope, register a publisher.',
  })
  async createPublisher(
    @Ctx() ctx: Context,
    @Arg('input', () => CreatePublisherInput) input: CreatePublisherInput,
  ): Promise<CreatePublisherPayload> {
    return { publisher: await ctx.services.publishers.create(ctx, input) };
  }

  @Authorized(Role.ADMIN, Role.UNION_STAFF)
  @Mutation(() => AddPublisherStaffPayload, {
    description: 'Makes a staff account (with the role matching the publisher kind) act for a publisher.',
  })
  addPublisherStaff(
    @Ctx() ctx: Context,
    @Arg('input', () => AddPublisherStaffInput) input: AddPublisherStaffInput,
  ): Promise<AddPublisherStaffPayload> {
    return ctx.services.publishers.addStaff(ctx, input);
  }

  @FieldResolver(() => Region)
  region(
    @Ctx() ctx: Context,
    @Root() publisher: Publisher,
  ): ReadRecord<Region> | Promise<ReadRecord<Region>> {
    return ctx.services.reference.regions.get(ctx.em, publisher.region.code);
  }
}

/** Adds `User.publisher`: the body a staff account acts for. */
@Resolver(() => User)
export class UserPublisherResolver {
  @FieldResolver(() => Publisher, {
    nullable: true,
    description:
      'For publisher staff: the body they act for. For the user herself, admins and union staff in scope; null for others.',
  })
  async publisher(@Ctx() ctx: Context, @Root() user: User): Promise<Publisher | null> {
    if ((await userViewOf(ctx, user.id)) < UserView.ACCOUNT) return null;
    const viewerLike = ctx.viewer?.userId === user.id ? ctx.viewer : null;
    const id = viewerLike
      ? await ctx.services.publishers.publisherIdOf(ctx.em, viewerLike)
      : await ctx.services.publishers.publisherIdOfUser(ctx.em, user.id);
    return id === null ? null : ctx.services.publishers.get(ctx.em, id);
  }
}
