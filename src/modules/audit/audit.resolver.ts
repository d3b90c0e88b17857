import { Args, Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import type { Context } from '../../core/context.js';
import {
  ConnectionArgs,
  ConnectionType,
  toConnection,
  type ConnectionShape,
} from '../../core/relay/connection.js';
import { User } from '../accounts/user.entity.js';
import { AuditEntry } from './audit-entry.entity.js';
import { globalIdsIn } from './audit.js';

export const AuditEntryConnection = ConnectionType(AuditEntry, 'AuditEntry');

@Resolver(() => AuditEntry)
export class AuditResolver {
  @Query(() => AuditEntryConnection, {
    description:
      'Who changed an object, what and when, newest first. Verification and award decisions are public; ' +
      'the full trail is for admins and for those the object belongs to (e.g. union staff in scope, its organization).',
  })
  async auditTrail(
    @Ctx() ctx: Context,
    @Arg('subjectId', () => ID) subjectId: string,
    @Args(() => ConnectionArgs) args: ConnectionArgs,
  ): Promise<ConnectionShape<AuditEntry>> {
    return toConnection(AuditEntryConnection, await ctx.services.audit.trail(ctx, subjectId, args));
  }

  @FieldResolver(() => User, {
    nullable: true,
    description: 'Who acted; null for the system or a deleted account.',
  })
  actor(@Root() entry: AuditEntry): Promise<User | null> | null {
    return entry.actor ? entry.actor.load({ dataloader: true }) : null;
  }

  @FieldResolver(() => GraphQLJSONObject, {
    description: 'What changed (no secrets, no personal data); ids in it are global ids, for `node(id:)`.',
  })
  summary(@Root() entry: AuditEntry): Record<string, unknown> {
    return globalIdsIn(entry.summary) as Record<string, unknown>;
  }
}
