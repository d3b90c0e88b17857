import { Field, Int, ObjectType } from 'type-graphql';

/** The only currency the platform handles today; kept as a field so clients never assume it. */
export const CURRENCY = 'CNY';

/**
 * The largest amount a `Money.amountFen` can carry: GraphQL `Int` is a signed 32-bit integer, so
 * 21,474,836.47 yuan. Inputs above it are refused rather than silently truncated.
 */
export const MAX_FEN = 2_147_483_647;

/**
 * An amount of money in integer fen (分). Never a float: sums and comparisons stay exact, and the
 * database stores the same integer.
 */
@ObjectType({ description: 'An amount of money in integer fen (1 yuan = 100 fen); never a float.' })
export class Money {
  @Field(() => Int, { description: 'The amount in fen (分), an exact integer.' })
  amountFen!: number;

  @Field(() => String, { description: 'ISO 4217 currency code; always "CNY" today.' })
  currency!: string;
}

/** Wraps an integer fen amount for GraphQL. */
export function money(amountFen: number): Money {
  if (!Number.isSafeInteger(amountFen)) throw new RangeError(`money must be integer fen, got ${amountFen}`);
  return Object.assign(new Money(), { amountFen, currency: CURRENCY });
}
