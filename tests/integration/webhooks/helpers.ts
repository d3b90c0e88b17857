import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestApp } from '../../setup/test-app.js';
import { demandInput, SUBMIT_DEMAND } from '../../setup/operations.js';
import { until } from '../../setup/probes.js';

/** Tuned for tests: http to loopback, fast polls and retries, disable after 3 failures. */
export const WEBHOOK_ENV = {
  WEBHOOKS_ALLOW_PRIVATE_NETWORKS: 'true',
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
  /** Sent as `Location` with every answer (to test that redirects are not followed). */
  location: string | null;
  /** While true, requests are recorded but answered only by `release`. */
  holding: boolean;
  /** Answers the held requests with `status` and stops holding. */
  release(status: number): void;
  /** TCP connections accepted, whether or not an HTTP request came over them. */
  connections: number;
  /** Resolves once `count` requests (to `path`, when given) arrived; rejects after `ms`. */
  waitFor(count: number, ms?: number, path?: string): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const held: { entry: Received; res: ServerResponse }[] = [];
  let server: Server | null = null;
  const answer = (entry: Received, res: ServerResponse) =>
    res
      .writeHead(entry.status, {
        'content-type': 'text/plain',
        ...(receiver.location ? { location: receiver.location } : {}),
      })
      .end(String(entry.status));
  const receiver: Receiver = {
    url: '',
    received,
    respond: [],
    fallback: 200,
    location: null,
    holding: false,
    release(status) {
      receiver.holding = false;
      for (const { entry, res } of held.splice(0)) {
        entry.status = status;
        answer(entry, res);
      }
    },
    connections: 0,
    async waitFor(count, ms = 10_000, path) {
      const matching = () => received.filter((r) => path === undefined || r.path === path);
      await until(
        () => matching().length >= count,
        ms,
        25,
        () => `receiver: ${count} requests (got ${matching().length})`,
      );
      return matching();
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
      const entry: Received = {
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        status: 0,
        path: req.url ?? '/',
      };
      received.push(entry);
      if (receiver.holding) {
        held.push({ entry, res });
        return;
      }
      entry.status = receiver.respond.shift() ?? receiver.fallback;
      answer(entry, res);
    });
  });
  server.on('connection', () => receiver.connections++);
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', () => resolve()));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return receiver;
}

/**
 * Makes the app resolve webhook host names from `answers` (names missing there do not resolve): no
 * test asks a real DNS server. The map is read at each lookup, so a test may change an answer.
 */
export function answerDns(t: TestApp, answers: Map<string, string[]>): void {
  t.app.services.webhooks.network.resolver = async (hostname) => {
    const found = answers.get(hostname);
    if (!found) throw Object.assign(new Error(`test: no DNS answer for ${hostname}`), { code: 'ENOTFOUND' });
    return found;
  };
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

/** Submits a childcare demand in Lixia, Jinan (with a private contact) and returns its global id. */
export async function submitDemand(t: TestApp, token: string, graphqlUrl = t.httpUrl): Promise<string> {
  const response = await fetch(graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      query: SUBMIT_DEMAND,
      variables: { input: demandInput({ contact: '13800000000', contactConsent: true }) },
    }),
  });
  const body = (await response.json()) as { data?: { submitDemand: { demand: { id: string } } } };
  if (!body.data) throw new Error(`submitDemand failed: ${JSON.stringify(body)}`);
  return body.data.submitDemand.demand.id;
}
