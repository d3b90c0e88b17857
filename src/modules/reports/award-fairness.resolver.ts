import { FieldResolver, Resolver, Root } from 'type-graphql';
import { Organization } from '../organizations/organization.entity.js';
import { Publisher } from '../projects/publisher.entity.js';
import { PublisherConcentration, RepeatWinner } from './report.types.js';

/**
 * The publisher of an `awardFairness` row, read per request and only when selected (the ledger is
 * cached; names and verification are not: docs/architecture.md, "Report cache").
 */
@Resolver(() => PublisherConcentration)
export class PublisherConcentrationResolver {
  @FieldResolver(() => Publisher)
  async publisher(@Root() row: PublisherConcentration): Promise<Publisher> {
    const publisher = await row.names.publisher(row.publisherKey);
    // Projects restrict deleting their publisher, and deleting the projects invalidates the ledger:
    // only a deletion committed between the ledger's check and this read gets here.
    if (!publisher) throw new Error('the publisher was deleted while the report was read');
    return publisher;
  }

  /** Built per request, and only when selected, from the cached figures (docs/architecture.md, "Report cache"). */
  @FieldResolver(() => [RepeatWinner], {
    description: 'Organizations it awarded twice or more in the period, most money first (at most 20).',
  })
  repeatWinners(@Root() row: PublisherConcentration): RepeatWinner[] {
    return row.repeatWinnerFigures.map((winner) => ({ ...winner, names: row.names }));
  }
}

/** The organization of a repeat winner, read per request and only when selected (see above). */
@Resolver(() => RepeatWinner)
export class RepeatWinnerResolver {
  @FieldResolver(() => Organization, {
    nullable: true,
    description: 'The organization, when it is still verified (suspended ones are named by id only).',
  })
  organization(@Root() row: RepeatWinner): Promise<Organization | null> {
    return row.names.verifiedWinner(row.organizationKey);
  }
}
