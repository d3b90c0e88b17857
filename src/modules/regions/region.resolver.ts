import { Arg, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../core/context.js';
import { Role } from '../../core/roles.js';
import { Region, RegionLevel } from './region.entity.js';
import { ImportRegionsInput, ImportRegionsPayload } from './region.inputs.js';
import type { ReadRecord } from '../../core/read-records.js';

@Resolver(() => Region)
export class RegionResolver {
  @Query(() => [Region], {
    description:
      'Administrative divisions: children of `parentCode` (provinces when omitted), optionally one level.',
  })
  regions(
    @Ctx() ctx: Context,
    @Arg('parentCode', () => String, { nullable: true }) parentCode?: string | null,
    @Arg('level', () => RegionLevel, { nullable: true }) level?: RegionLevel | null,
  ): Promise<Region[]> {
    return ctx.services.regions.list(ctx.em, parentCode ?? (level ? undefined : null), level);
  }

  @Query(() => Region, { nullable: true, description: 'One division by its GB/T 2260 code.' })
  region(@Ctx() ctx: Context, @Arg('code', () => String) code: string): Promise<Region | null> {
    return ctx.services.regions.get(ctx.em, code);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => ImportRegionsPayload, {
    description:
      'Admins add or update administrative divisions from a CSV (`code,name,nameEn,parentCode`). ' +
      'All or nothing: bad rows are reported by line (BAD_USER_INPUT) and nothing is written.',
  })
  importRegions(
    @Ctx() ctx: Context,
    @Arg('input', () => ImportRegionsInput) input: ImportRegionsInput,
  ): Promise<ImportRegionsPayload> {
    return ctx.services.regions.importForActor(ctx, input.csv);
  }

  @FieldResolver(() => Region, { nullable: true, description: 'The division this one belongs to.' })
  parent(
    @Ctx() ctx: Context,
    @Root() region: ReadRecord<Region>,
  ): ReadRecord<Region> | Promise<ReadRecord<Region>> | null {
    return ctx.services.reference.regions.parentOf(ctx.em, region);
  }

  @FieldResolver(() => [Region], { description: 'Divisions directly below this one.' })
  children(
    @Ctx() ctx: Context,
    @Root() region: ReadRecord<Region>,
  ): ReadRecord<Region>[] | Promise<ReadRecord<Region>[]> {
    return ctx.services.reference.regions.childrenOf(ctx.em, region);
  }

  @FieldResolver(() => [Region], { description: 'From the province down to this division, itself included.' })
  path(
    @Ctx() ctx: Context,
    @Root() region: ReadRecord<Region>,
  ): ReadRecord<Region>[] | Promise<ReadRecord<Region>[]> {
    return ctx.services.reference.regions.many(ctx.em, region.path);
  }
}
