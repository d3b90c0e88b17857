import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../../core/context.js';
import { Webhook, WebhookDelivery } from './webhook.entity.js';
import {
  DeleteWebhookPayload,
  PingWebhookPayload,
  RegisterWebhookInput,
  RegisterWebhookPayload,
} from './webhook.inputs.js';

@Resolver(() => Webhook)
export class WebhookResolver {
  @Authorized()
  @Query(() => [Webhook], {
    description: "An organization's webhook endpoints (never their secrets); for its admins.",
  })
  webhooks(@Ctx() ctx: Context, @Arg('organizationId', () => ID) organizationId: string): Promise<Webhook[]> {
    return ctx.services.webhooks.list(ctx, organizationId);
  }

  @Authorized()
  @Query(() => [WebhookDelivery], {
    description: 'The latest deliveries of an endpoint, newest first (at most 100); for its admins.',
  })
  webhookDeliveries(
    @Ctx() ctx: Context,
    @Arg('webhookId', () => ID) webhookId: string,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
  ): Promise<WebhookDelivery[]> {
    return ctx.services.webhooks.deliveries(ctx, webhookId, first);
  }

  @Authorized()
  @Mutation(() => RegisterWebhookPayload, {
    description:
      'Registers an endpoint for signed deliveries of the organization’s events. The payload shows the ' +
      'signing secret once.',
  })
  registerWebhook(
    @Ctx() ctx: Context,
    @Arg('input', () => RegisterWebhookInput) input: RegisterWebhookInput,
  ): Promise<RegisterWebhookPayload> {
    return ctx.services.webhooks.register(ctx, input);
  }

  @Authorized()
  @Mutation(() => DeleteWebhookPayload, {
    description: 'Deletes an endpoint; its undelivered events are dropped.',
  })
  async deleteWebhook(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<DeleteWebhookPayload> {
    return { deletedWebhookId: await ctx.services.webhooks.delete(ctx, id) };
  }

  @Authorized()
  @Mutation(() => Webhook, {
    description:
      'Re-enables an endpoint the hub disabled after repeated failures (its admins): the failure count ' +
      'starts again and deliveries resume where they stopped — pending ones at once, then the events ' +
      'committed meanwhile. FORBIDDEN while the organization is suspended.',
  })
  enableWebhook(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<Webhook> {
    return ctx.services.webhooks.enable(ctx, id);
  }

  @Authorized()
  @Mutation(() => PingWebhookPayload, {
    description:
      'Sends a signed test event (topic `PING`, id 0) to the endpoint now, enabled or not, and answers ' +
      'how it went. Not stored, not retried; spends the mutation budget.',
  })
  pingWebhook(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<PingWebhookPayload> {
    return ctx.services.webhooks.ping(ctx, id);
  }
}
