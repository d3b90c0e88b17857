import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Context } from '../../core/context.js';
import { Role } from '../../core/roles.js';
import { User } from '../accounts/user.entity.js';
import { OrganizationMember } from './membership.entity.js';
import { Organization } from './organization.entity.js';

/** One memberships query per request (and tick) for every user whose organizations are asked for. */
const loaders = new WeakMap<EntityManager, DataLoader<number, Organization[]>>();

function organizationsOfUsers(em: EntityManager): DataLoader<number, Organization[]> {
  let loader = loaders.get(em);
  if (!loader) {
    loader = new DataLoader(async (userIds: readonly number[]) => {
      const memberships = await em.find(
        OrganizationMember,
        { user: { $in: [...userIds] } },
        { populate: ['organization'], orderBy: { organization: { name: 'asc' } } },
      );
      return userIds.map((id) =>
        memberships.filter((m) => m.user.id === id).map((m) => m.organization.getEntity()),
      );
    });
    loaders.set(em, loader);
  }
  return loader;
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
    return organizationsOfUsers(ctx.em).load(user.id);
  }
}
