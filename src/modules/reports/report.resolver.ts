import { Arg, Args, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../core/context.js';
import { toConnection, type ConnectionShape } from '../../core/relay/connection.js';
import type { Demand } from '../demands/demand.entity.js';
import { DemandConnection } from '../demands/demand.types.js';
import { AwardFairness, OrphanDemandsArgs, SupplyDemandGap } from './report.types.js';
import { SUPPRESSION_THRESHOLD } from './statistics.js';

/**
 * The transparency reports (docs/domain.md, "Transparency"). Thin: the rules and the SQL live in
 * ReportService.
 */
@Resolver(() => SupplyDemandGap)
export class ReportResolver {
  @Query(() => SupplyDemandGap, {
    description:
      'Supply against demand (供需错位) by child region × child category of the given region and category ' +
      '(provinces and top-level categories when omitted), over [from, to). Public; cells with fewer than ' +
      `${SUPPRESSION_THRESHOLD} open demands show no demand counts except to union staff, government staff and admins. ` +
      'Each field’s description gives its formula.',
  })
  supplyDemandGap(
    @Ctx() ctx: Context,
    @Arg('regionCode', () => String, { nullable: true }) regionCode?: string,
    @Arg('categoryCode', () => String, { nullable: true }) categoryCode?: string,
    @Arg('from', () => Date, { nullable: true, description: 'Start of the period (inclusive).' }) from?: Date,
    @Arg('to', () => Date, { nullable: true, description: 'End of the period (exclusive).' }) to?: Date,
  ): Promise<SupplyDemandGap> {
    return ctx.services.reports.supplyDemandGap(ctx, { regionCode, categoryCode, from, to });
  }

  @FieldResolver(() => DemandConnection, {
    nullable: true,
    description:
      'The suggested purchase list: OPEN demands in the report’s region and category that have waited ' +
      'at least `olderThanDays` with no claim, oldest first (ids to pass to `createProjectFromDemands`). ' +
      'For union staff (inside their region scope) and admins; null for everyone else. Ignores the period.',
  })
  async orphanDemands(
    @Ctx() ctx: Context,
    @Root() report: SupplyDemandGap,
    @Args(() => OrphanDemandsArgs) args: OrphanDemandsArgs,
  ): Promise<ConnectionShape<Demand> | null> {
    const page = await ctx.services.reports.orphanDemands(ctx, report, args);
    return page && toConnection(DemandConnection, page);
  }

  @Query(() => AwardFairness, {
    description:
      'The award fairness ledger: awards by founding type (union-founded, union-incubated, independent) ' +
      'against applications and eligible organizations, and per publisher the concentration of money ' +
      '(Herfindahl–Hirschman index), the rate of single-applicant projects and repeat winners. Over the ' +
      'non-draft projects published in [from, to), optionally of one publisher and in one region’s subtree. ' +
      'Public: awards are public decisions and the rest are counts.',
  })
  awardFairness(
    @Ctx() ctx: Context,
    @Arg('publisherId', () => ID, { nullable: true }) publisherId?: string,
    @Arg('regionCode', () => String, { nullable: true }) regionCode?: string,
    @Arg('from', () => Date, { nullable: true, description: 'Published on or after (inclusive).' })
    from?: Date,
    @Arg('to', () => Date, { nullable: true, description: 'Published before (exclusive).' }) to?: Date,
  ): Promise<AwardFairness> {
    return ctx.services.reports.awardFairness(ctx, { publisherId, regionCode, from, to });
  }
}
