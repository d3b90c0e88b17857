import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { TestApp } from '../../setup/test-app.js';

/** Tuned for tests: http to loopback, fast polls and retries, disable after 3 failures. */
export const WEBHOOK_ENV = {
  WEBHOOKS_ALLOW_HTTP_LOOPBACK: 'true',
  WEBHOOK_POLL_MS: '100',
  WEBHOOK_RETRY_BASE_MS: '200',
  WEBHOOK_RETRY_MAX_MS: '1000',
  WEBHOOK_DISABLE_AFTER_FAILURES: '3',
  WEBHOOK_TIMEOUT_MS: '2000',
};

/** One request the receiver got. */
export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
  path: string;
}

/** A webhook receiver on 127.0.0.1 that records what it gets and answers the statuses it is given. */
export interface Receiver {
  url: string;
  received: Received[];
  /** Statuses for the next requests, in order; after them it answers `fallback`. */
  respond: number[];
  fallback: number;
  /** Resolves once `count` requests (to `path`, when given) arrived; rejects after `ms`. */
  waitFor(count: number, ms?: number, path?: string): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  let server: Server | null = null;
  const receiver: Receiver = {
    url: '',
    received,
    respond: [],
    fallback: 200,
    async waitFor(count, ms = 10_000, path) {
      const deadline = Date.now() + ms;
      for (;;) {
        const matching = received.filter((r) => path === undefined || r.path === path);
        if (matching.length >= count) return matching;
        if (Date.now() > deadline)
          throw new Error(`receiver: ${matching.length} of ${count} requests after ${ms} ms`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server?.closeAllConnections();
        server?.close(() => resolve());
      }),
  };
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const status = receiver.respond.shift() ?? receiver.fallback;
      received.push({
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        status,
        path: req.url ?? '/',
      });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(String(status));
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', () => resolve()));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return receiver;
}

export const REGISTER = `mutation Register($input: RegisterWebhookInput!) {
  registerWebhook(input: $input) { secret webhook { id url topics enabled } }
}`;

/** Registers an endpoint as the organization's admin and returns its id and secret. */
export async function register(
  t: TestApp,
  token: string,
  organizationId: string,
  url: string,
  topics: string[] = ['DEMAND_PUBLISHED'],
): Promise<{ id: string; secret: string }> {
  const data = await t.data<{ registerWebhook: { secret: string; webhook: { id: string } } }>(
    REGISTER,
    { input: { organizationId, url, topics } },
    token,
  );
  return { id: data.registerWebhook.webhook.id, secret: data.registerWebhook.secret };
}

const SUBMIT = `mutation Submit($input: SubmitDemandInput!) {
  submitDemand(input: $input) { demand { id } }
}`;

/** Submits a childcare demand in Lixia, Jinan (with a private contact) and returns its global id. */
export async function submitDemand(t: TestApp, token: string, graphqlUrl = t.httpUrl): Promise<string> {
  const response = await fetch(graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      query: SUBMIT,
      variables: {
        input: {
          title: `托育需求 ${randomBytes(4).toString('hex')}`,
          description: '双职工家庭需要课后托管服务',
          categoryCode: 'LIFE.CHILDCARE',
          regionCode: '370102',
          contact: '13800000000',
          contactConsent: true,
        },
      },
    }),
  });
  const body = (await response.json()) as { data?: { submitDemand: { demand: { id: string } } } };
  if (!body.data) throw new Error(`submitDemand failed: ${JSON.stringify(body)}`);
  return body.data.submitDemand.demand.id;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
