import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Context } from '../../core/context.js';
import { AwardFairness } from './report.types.js';
import { FairnessFlagsReport } from './fairness-flags-report.types.js';

@Resolver(() => AwardFairness)
export class AwardFairnessFlagsResolver {
  @FieldResolver(() => FairnessFlagsReport, {
    description:
      'The fairness flags raised on the report’s projects: counts per kind and the most recent flags with their rationales.',
  })
  flags(@Ctx() ctx: Context, @Root() report: AwardFairness): Promise<FairnessFlagsReport> {
    return ctx.services.fairnessFlagReports.flags(ctx, report);
  }
}
