import { Arg, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../core/context.js';
import { ServiceCategory } from './service-category.entity.js';
import { TargetGroupInfo } from './target-group.js';
import type { ReadRecord } from '../../core/read-records.js';

@Resolver(() => ServiceCategory)
export class CategoryResolver {
  @Query(() => [ServiceCategory], {
    description: 'Service categories: children of `parentCode`, or the top level when omitted.',
  })
  serviceCategories(
    @Ctx() ctx: Context,
    @Arg('parentCode', () => String, { nullable: true }) parentCode?: string | null,
  ): Promise<ServiceCategory[]> {
    return ctx.services.categories.list(ctx.em, parentCode ?? null);
  }

  @Query(() => ServiceCategory, { nullable: true, description: 'One service category by code.' })
  serviceCategory(
    @Ctx() ctx: Context,
    @Arg('code', () => String) code: string,
  ): Promise<ServiceCategory | null> {
    return ctx.services.categories.get(ctx.em, code);
  }

  @Query(() => [TargetGroupInfo], { description: 'The target groups with bilingual labels.' })
  targetGroups(@Ctx() ctx: Context): TargetGroupInfo[] {
    return ctx.services.categories.targetGroups();
  }

  @FieldResolver(() => ServiceCategory, { nullable: true, description: 'The category this one belongs to.' })
  parent(
    @Ctx() ctx: Context,
    @Root() category: ReadRecord<ServiceCategory>,
  ): ReadRecord<ServiceCategory> | Promise<ReadRecord<ServiceCategory>> | null {
    return ctx.services.reference.categories.parentOf(ctx.em, category);
  }

  @FieldResolver(() => [ServiceCategory], { description: 'Categories directly below this one.' })
  children(
    @Ctx() ctx: Context,
    @Root() category: ReadRecord<ServiceCategory>,
  ): ReadRecord<ServiceCategory>[] | Promise<ReadRecord<ServiceCategory>[]> {
    return ctx.services.reference.categories.childrenOf(ctx.em, category);
  }
}
