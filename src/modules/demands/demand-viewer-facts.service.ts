import type { EntityManager } from '@mikro-orm/postgresql';
import type { Context } from '../../core/context.js';
import { requireViewer } from '../../core/auth.js';
import { verificationIn, verifiedFactsOf } from '../organizations/viewer-facts.js';
import type { ReadAttempt, VerifiedOrganizations } from '../organizations/verified-organizations.js';
import { canSeeDemand, type DemandViewer } from './demand.policy.js';
import { DemandEndorsement, type Demand } from './demand.entity.js';
import { factsOf } from './demand-filters.js';

/**
 * The demand rules (demand.policy.ts) applied to the viewer's facts (organizations/viewer-facts.ts,
 * computed once per request), with the endorsement reads that decide only for workers. One instance
 * is shared by every demand service.
 */
export class DemandViewerFactsService {
  /** The viewer's facts for the access rules, or null when anonymous. */
  viewerFacts(ctx: Context): Promise<DemandViewer | null> {
    return verifiedFactsOf(ctx);
  }

  /**
   * Which organizations are VERIFIED: one query per fork and turn, whoever asks. `attempt` (how each
   * query is run, e.g. retried through an outage) is the first caller's on that fork.
   */
  verification(em: EntityManager, attempt?: ReadAttempt): VerifiedOrganizations {
    return verificationIn(em, attempt);
  }

  /**
   * Whether the viewer may see the demand (`canSeeDemand`), reading whether they endorsed it only
   * when that decides: for a worker the other rules do not already admit.
   */
  async sees(em: EntityManager, viewer: DemandViewer, demand: Demand): Promise<boolean> {
    const facts = factsOf(demand);
    if (canSeeDemand(viewer, facts)) return true;
    if (!viewer.isWorker) return false;
    const endorsed = (await em.count(DemandEndorsement, { demand: demand.id, worker: viewer.userId })) > 0;
    return canSeeDemand(viewer, facts, endorsed);
  }

  /** Those of `demands` the viewer may see, as {@link sees} decides, with one endorsement query. */
  async visibleAmong(em: EntityManager, viewer: DemandViewer, demands: readonly Demand[]): Promise<Demand[]> {
    const undecided = demands.filter((d) => !canSeeDemand(viewer, factsOf(d)));
    const endorsed =
      viewer.isWorker && undecided.length
        ? new Set(
            (
              await em
                .getConnection()
                .execute<{ demand_id: string | number }[]>(
                  `select demand_id from demand_endorsement where worker_id = ? and demand_id in (${undecided.map(() => '?').join(', ')})`,
                  [viewer.userId, ...undecided.map((d) => d.id)],
                  'all',
                  em.getTransactionContext(),
                )
            ).map((row) => Number(row.demand_id)),
          )
        : new Set<number>();
    return demands.filter((d) => canSeeDemand(viewer, factsOf(d), endorsed.has(d.id)));
  }

  /** The viewer's facts; UNAUTHENTICATED for anonymous viewers. */
  async requireFacts(ctx: Context): Promise<DemandViewer> {
    requireViewer(ctx.viewer);
    return (await this.viewerFacts(ctx)) as DemandViewer;
  }
}
