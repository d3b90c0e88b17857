import { BigIntType, Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * The table rate-limiter-flexible keeps its counters in (see rate-limit.ts). Only that library reads
 * and writes it; it is declared as an entity so migrations and the schema diff know it exists.
 */
@Entity({ tableName: 'rate_limit' })
export class RateLimitRow {
  @PrimaryKey({ type: 'string', length: 255 })
  key!: string;

  @Property({ type: 'integer', default: 0 })
  points: number = 0;

  /** Expiry in epoch milliseconds, as the library writes it. */
  @Property({ type: new BigIntType('number'), nullable: true })
  @Index({ name: 'rate_limit_expire_index' })
  expire?: number | null;
}
