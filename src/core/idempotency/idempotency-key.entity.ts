import {
  BigIntType,
  Entity,
  ManyToOne,
  OptionalProps,
  PrimaryKey,
  Property,
  type Ref,
} from '@mikro-orm/core';
import { User } from '../../modules/accounts/user.entity.js';

/**
 * A user's idempotency key (`idempotencyKey` on the creating mutations' inputs): what the first
 * request with it created, so a retry answers that instead of creating again (docs/api.md,
 * "Retrying safely"). Written in the creating transaction, so a key and its creation commit or
 * roll back together; kept as long as the account.
 */
@Entity({ tableName: 'idempotency_key' })
export class IdempotencyKey {
  [OptionalProps]?: 'createdAt';

  @ManyToOne(() => User, { ref: true, primary: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @PrimaryKey({ type: 'string', length: 100 })
  key!: string;

  /** The mutation the key was used with (`submitDemand`, `addService`, …): another one is refused. */
  @Property({ type: 'string', length: 64 })
  operation!: string;

  /** SHA-256 of the input without the key, canonical JSON, hex: a reuse with another input is refused. */
  @Property({ type: 'string', length: 64 })
  inputHash!: string;

  /** The id of what the first request created (of the table the operation creates rows in). */
  @Property({ type: new BigIntType('number') })
  entityId!: number;

  @Property({ type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
