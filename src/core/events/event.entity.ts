import { BigIntType, Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * One row of the transactional outbox: written in the same transaction as the change it announces,
 * so an event exists exactly when its change committed. `seq` is the feed's cursor; the paths are
 * copied from the entity so that replay can filter with the same array tests as the live match.
 */
@Entity({ tableName: 'event' })
// Replay reads "this topic after that seq" in order; the paths are filtered on the rows found.
@Index({ properties: ['topic', 'seq'] })
export class HubEvent {
  [OptionalProps]?: 'seq' | 'createdAt';

  @PrimaryKey({ type: new BigIntType('number'), autoincrement: true })
  seq!: number;

  @Property({ type: 'string', length: 64 })
  topic!: string;

  @Property({ type: new BigIntType('number') })
  entityId!: number;

  @Property({ type: 'string[]' })
  categoryPath!: string[];

  @Property({ type: 'string[]' })
  regionPath!: string[];

  @Property({ type: 'string[]' })
  targetGroups!: string[];

  @Property({ type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
