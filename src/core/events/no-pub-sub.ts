/** The PubSub contract type-graphql's `buildSchema({ pubSub })` expects. */
interface TopicPubSub {
  publish(routingKey: string, ...args: unknown[]): void;
  subscribe(routingKey: string, dynamicId?: unknown): AsyncIterable<unknown>;
}

/**
 * type-graphql refuses to build subscriptions without a `pubSub`, but every subscription here brings
 * its own `subscribe` (the events relay and match index): its in-memory PubSub would be a second,
 * unbounded path that loses events across processes. This one fails loudly if anything uses it.
 */
export const noPubSub: TopicPubSub = {
  publish(routingKey) {
    throw new Error(`Topic PubSub is disabled (publish to ${routingKey}); emit through the outbox.`);
  },
  subscribe(routingKey) {
    throw new Error(
      `Topic PubSub is disabled (subscribe to ${routingKey}); use @Subscription({ subscribe }).`,
    );
  },
};
