/**
 * The publishers and repeat winners an `awardFairness` answer names (docs/architecture.md, "Report
 * cache"): read per request, on first use, never from the cached ledger, so a rename, a suspension
 * or a deletion shows at once; and a report that selects neither loads neither.
 *
 * @module
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { Organization } from '../organizations/organization.entity.js';
import { VerificationStatus } from '../organizations/organization.enums.js';
import { Publisher } from '../projects/publisher.entity.js';

/** One request's names for one ledger: all publishers in one statement, all winners in another. */
export class AwardFairnessNames {
  private publishers?: Promise<Map<number, Publisher>>;
  private winners?: Promise<Map<number, Organization>>;

  constructor(
    private readonly em: EntityManager,
    private readonly publisherIds: readonly number[],
    private readonly winnerIds: readonly number[],
  ) {}

  /** The publisher of a ledger row; null only if it was deleted after the ledger was read. */
  async publisher(id: number): Promise<Publisher | null> {
    this.publishers ??= this.em
      .find(Publisher, { id: { $in: [...this.publisherIds] } })
      .then((rows) => new Map(rows.map((p) => [p.id, p])));
    return (await this.publishers).get(id) ?? null;
  }

  /** A repeat winner, when it is still verified (suspended ones are named by id only). */
  async verifiedWinner(id: number): Promise<Organization | null> {
    this.winners ??= this.em
      .find(Organization, {
        id: { $in: [...this.winnerIds] },
        verificationStatus: VerificationStatus.VERIFIED,
      })
      .then((rows) => new Map(rows.map((o) => [o.id, o])));
    return (await this.winners).get(id) ?? null;
  }
}
