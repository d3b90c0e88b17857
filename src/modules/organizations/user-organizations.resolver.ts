import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Ctx, Field, FieldResolver, ObjectType, Resolver, Root } from 'type-graphql';
import type { Context } from '../../core/context.js';
import { Role } from '../../core/roles.js';
import { viewerFactsOf } from './viewer-facts.js';
import { User } from '../accounts/user.entity.js';
import { OrganizationMember } from './membership.entity.js';
import { Organization } from './organization.entity.js';
import { MemberRole } from './organization.enums.js';
import { showsMembership } from './organization.policy.js';

/**
 * The most memberships `User.memberships` lists: a person acts for a handful of organizations; the
 * bound is what the query cost counts (list-bounds.ts).
 */
export const MEMBERSHIPS_LISTED = 50;

@ObjectType({ description: "A user's place in an organization: which one, and her role there." })
export class OrganizationMembership {
  @Field(() => Organization)
  organization!: Organization;

  @Field(() => MemberRole)
  role!: MemberRole;
}

declare module '../../core/context.js' {
  interface RequestLoaders {
    /** A user's memberships with their organizations, by organization name. */
    userMemberships: DataLoader<number, OrganizationMember[]>;
  }
}

/** One memberships query per request (and tick) for every user whose organizations are asked for. */
export function userMembershipsLoader(em: EntityManager): DataLoader<number, OrganizationMember[]> {
  return new DataLoader(async (userIds: readonly number[]) => {
    const memberships = await em.find(
      OrganizationMember,
      { user: { $in: [...userIds] } },
      { populate: ['organization'], orderBy: { organization: { name: 'asc' }, id: 'asc' } },
    );
    return userIds.map((id) => memberships.filter((m) => m.user.id === id));
  });
}

@Resolver(() => User)
export class UserOrganizationsResolver {
  @FieldResolver(() => [Organization], {
    description:
      'Organizations the user belongs to (as ORG_ADMIN or ORG_MEMBER). Shown to the user and admins; empty for others.',
  })
  async organizations(@Ctx() ctx: Context, @Root() user: User): Promise<Organization[]> {
    const viewer = ctx.viewer;
    if (!viewer || (viewer.userId !== user.id && !viewer.roles.has(Role.ADMIN))) return [];
    return (await ctx.loaders.userMemberships.load(user.id)).map((m) => m.organization.getEntity());
  }

  @FieldResolver(() => [OrganizationMembership], {
    description: `Her organizations and her role in each, by organization name (at most ${MEMBERSHIPS_LISTED}). All of them for the user herself and platform admins; for an organization's admins, her membership of that organization; empty for everyone else.`,
  })
  async memberships(@Ctx() ctx: Context, @Root() user: User): Promise<OrganizationMembership[]> {
    const viewer = viewerFactsOf(ctx.viewer);
    if (!viewer) return [];
    const self = viewer.userId === user.id;
    // Nobody else sees anything unless admin of something: no query for them.
    if (!self && !viewer.isAdmin && ![...viewer.memberships.values()].includes(MemberRole.ORG_ADMIN))
      return [];
    return (await ctx.loaders.userMemberships.load(user.id))
      .filter((m) => showsMembership(viewer, self, m.organization.id))
      .slice(0, MEMBERSHIPS_LISTED)
      .map((m) => ({ organization: m.organization.getEntity(), role: m.role }));
  }
}
