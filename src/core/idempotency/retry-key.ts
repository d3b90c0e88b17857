import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { IsOptional, Matches } from 'class-validator';
import { Field } from 'type-graphql';
import type { Context } from '../context.js';
import { ConflictError, UnauthenticatedError } from '../errors.js';

/** What `idempotencyKey` accepts: a UUID fits, and so does any client's own scheme. */
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9._:-]{1,100}$/;

/**
 * The `idempotencyKey` field of a creating mutation's input; `creates` names what one key creates
 * at most once ("demand", "service", …). The rules are in docs/api.md, "Retrying safely".
 */
export function IdempotencyKeyField(creates: string): PropertyDecorator {
  const decorators = [
    Field(() => String, {
      nullable: true,
      description:
        `Makes retrying safe: your requests with the same key create one ${creates}. A retry with the same key and ` +
        `the same input answers what the first created; with a different input, or with another mutation, it is ` +
        'refused (CONFLICT). Keys are yours alone (other users may use the same string). 1 to 100 letters, digits, ' +
        '`-`, `_`, `.` or `:`, e.g. a UUID.',
    }),
    IsOptional(),
    Matches(IDEMPOTENCY_KEY_PATTERN, { message: 'must be 1 to 100 letters, digits, -, _, . or :' }),
  ];
  return (target, property) => {
    for (const decorate of decorators) decorate(target, property);
  };
}

/** Inputs that carry the field. */
export interface KeyedInput {
  idempotencyKey?: string | null;
}

/** The key of one request, once the request proved it carries one. */
export class RetryKey {
  private constructor(
    readonly userId: number,
    readonly operation: string,
    readonly key: string,
    readonly inputHash: string,
  ) {}

  static of(userId: number, operation: string, input: KeyedInput & object): RetryKey | null {
    const { idempotencyKey, ...rest } = input;
    if (!idempotencyKey) return null;
    return new RetryKey(userId, operation, idempotencyKey, inputHash(rest));
  }

  /**
   * In the creating transaction, once the id of what it created is known: ties the key to it. When
   * another request with the key committed first (this insert waits for it), throws
   * {@link KeyAlreadyUsed}, which rolls the transaction back; {@link createOnce} then answers the
   * first one's creation.
   */
  async record(em: EntityManager, entityId: number): Promise<void> {
    const inserted = await em.getConnection().execute<unknown[]>(
      `insert into "idempotency_key" ("user_id", "key", "operation", "input_hash", "entity_id")
         values (?, ?, ?, ?, ?) on conflict do nothing returning "key"`,
      [this.userId, this.key, this.operation, this.inputHash, entityId],
      'all',
      em.getTransactionContext(),
    );
    if (inserted.length === 0) throw new KeyAlreadyUsed();
  }

  /**
   * What a committed request with this key created, or null when there was none. A key used with
   * another mutation or another input is refused.
   */
  async earlier(em: EntityManager): Promise<number | null> {
    const [row] = await em
      .getConnection()
      .execute<{ operation: string; input_hash: string; entity_id: string }[]>(
        'select "operation", "input_hash", "entity_id" from "idempotency_key" where "user_id" = ? and "key" = ?',
        [this.userId, this.key],
      );
    if (!row) return null;
    if (row.operation !== this.operation)
      throw new ConflictError('You used this idempotency key for another mutation.', {
        fields: [{ path: 'input.idempotencyKey', message: `was used with ${row.operation}` }],
      });
    if (row.input_hash !== this.inputHash)
      throw new ConflictError('You used this idempotency key for a different input.', {
        fields: [{ path: 'input.idempotencyKey', message: 'was used with a different input' }],
      });
    return Number(row.entity_id);
  }
}

/** Another request with the same key committed first (see {@link RetryKey.record}). */
export class KeyAlreadyUsed extends Error {
  constructor() {
    super('The idempotency key was recorded by another request.');
    this.name = 'KeyAlreadyUsed';
  }
}

/**
 * Runs a creating mutation at most once per key (docs/api.md, "Retrying safely"). Without a key,
 * `create(null)` runs as it would. With one: a committed earlier request's creation is answered
 * with `replay(id)`; otherwise `create(key)` runs, and must call `key.record(em, id)` in its
 * transaction, the one every write of the creation goes through (an entity left pending in the
 * request's own entity manager would be flushed by the replay's queries). If it fails and meanwhile a request with the key committed (a concurrent twin,
 * whose creation this one's may have collided with), that creation is answered instead of the
 * error: a retry never learns of a failure for a write that committed.
 */
export async function createOnce<T>(
  ctx: Pick<Context, 'em' | 'viewer'>,
  operation: string,
  input: KeyedInput & object,
  create: (key: RetryKey | null) => Promise<T>,
  replay: (entityId: number) => Promise<T>,
): Promise<T> {
  if (!input.idempotencyKey) return create(null);
  if (!ctx.viewer) throw new UnauthenticatedError();
  const key = RetryKey.of(ctx.viewer.userId, operation, input)!;
  const earlier = await key.earlier(ctx.em);
  if (earlier !== null) return replay(earlier);
  try {
    return await create(key);
  } catch (error) {
    const committed = await key.earlier(ctx.em);
    if (committed === null) throw error;
    return replay(committed);
  }
}

/**
 * SHA-256 (hex) of a value as canonical JSON: keys sorted, null and absent alike, so a client that
 * orders its fields differently on a retry, or sends a null for an omitted field, has the same input.
 */
export function inputHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== null && v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
