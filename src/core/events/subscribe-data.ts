import type { Context } from '../context.js';

/** What type-graphql hands to a `@Subscription({ subscribe })` function: the arguments and the context. */
export interface SubscribeData<TArgs> {
  args: TArgs;
  context: Context;
}
