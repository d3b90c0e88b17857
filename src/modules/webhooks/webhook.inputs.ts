import { ArrayMaxSize, MaxLength } from 'class-validator';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Webhook } from './webhook.entity.js';
import { WebhookTopic } from './webhook.enums.js';
import { MAX_WEBHOOK_URL_LENGTH } from './webhook.policy.js';
import { IdempotencyKeyField } from '../../core/idempotency/retry-key.js';

@InputType({ description: 'An organization admin registers an endpoint for some topics.' })
export class RegisterWebhookInput {
  @Field(() => ID, { description: 'The organization whose events the endpoint receives.' })
  organizationId!: string;

  @Field(() => String, {
    description:
      'An https URL whose host resolves to public internet addresses only (http and private or ' +
      'loopback addresses only when the hub runs with WEBHOOKS_ALLOW_PRIVATE_NETWORKS=true).',
  })
  @MaxLength(MAX_WEBHOOK_URL_LENGTH)
  url!: string;

  // At least one: checked by the service, after the caller is known (an anonymous caller hears
  // UNAUTHENTICATED, not a validation error).
  @Field(() => [WebhookTopic], { description: 'One or more topics.' })
  @ArrayMaxSize(10)
  topics!: WebhookTopic[];

  @IdempotencyKeyField('webhook')
  idempotencyKey?: string | null;
}

@ObjectType({ description: 'The registered endpoint and its signing secret.' })
export class RegisterWebhookPayload {
  @Field(() => Webhook) webhook!: Webhook;

  @Field(() => String, {
    description:
      'The HMAC-SHA256 key of `X-Niudai-Signature`. Shown this once: store it now; it cannot be read again.',
  })
  secret!: string;
}

@ObjectType({ description: 'What deleteWebhook removed.' })
export class DeleteWebhookPayload {
  @Field(() => ID, { description: 'The id of the deleted endpoint.' })
  deletedWebhookId!: string;
}

@ObjectType({ description: 'How the test event `pingWebhook` sent went.' })
export class PingWebhookPayload {
  @Field(() => Webhook) webhook!: Webhook;

  @Field(() => Boolean, { description: 'Whether the endpoint answered 2xx.' })
  delivered!: boolean;

  @Field(() => Int, { nullable: true, description: 'The HTTP status it answered; null if none came.' })
  statusCode!: number | null;

  @Field(() => String, {
    nullable: true,
    description:
      'Why it failed, as in the delivery log: `HTTP <status>`, `connection failed`, `timeout` or ' +
      '`address not allowed`; null when delivered.',
  })
  error!: string | null;

  @Field(() => Int, { description: 'How long the attempt took, in milliseconds.' })
  durationMs!: number;
}
