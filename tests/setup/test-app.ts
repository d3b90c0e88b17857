import { WebSocket } from 'ws';
import { createClient, type Client, type ClientOptions } from 'graphql-ws';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { GraphQLSchema } from 'graphql';
import type { DestinationStream } from 'pino';
import { createApp, type App } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/core/config.js';
import { connectOrm } from '../../src/core/db/db.js';
import { createSchema } from '../../src/schema.js';
import { createLogger } from '../../src/core/logger.js';
import { Seed } from './seed.js';
import { statementsDuring } from './probes.js';
import { scratchDatabase } from './scratch-database.js';

/** A GraphQL response as the client sees it. */
export interface GqlResponse<T = Record<string, unknown>> {
  status: number;
  body: {
    data?: T | null;
    errors?: {
      message: string;
      path?: (string | number)[];
      extensions?: Record<string, unknown> & { code?: string };
    }[];
  };
}

export interface TestApp {
  url: string;
  httpUrl: string;
  wsUrl: string;
  app: App;
  orm: MikroORM;
  config: Config;
  /** Its own database (a copy of the migrated template), for tests that reach past the app. */
  databaseUrl: string;
  seed: Seed;
  /** POSTs a GraphQL operation; never throws on GraphQL errors. */
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string | null,
  ): Promise<GqlResponse<T>>;
  /** POSTs and returns `data`, failing the test on any error. */
  data<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string | null,
  ): Promise<T>;
  /** A graphql-ws client on the same path; closed by `stop()`. */
  ws(options?: { token?: string | null } & Partial<ClientOptions>): Client;
  /** Runs `fn` and counts the SQL statements the app sent meanwhile (for N+1 tests; run nothing else at once). */
  sqlCount(fn: () => Promise<unknown>): Promise<number>;
  stop(): Promise<void>;
}

let schemaPromise: Promise<GraphQLSchema> | undefined;

/** Starts the real app on a free port, over a fresh copy of the migrated template database. */
export async function startTestApp(
  env: Record<string, string> = {},
  options: { logSink?: DestinationStream; logLevel?: string } = {},
): Promise<TestApp> {
  const databaseUrl = await scratchDatabase();
  // The notification worker reads demands and organizations for every event it is woken by: it is off
  // unless a test turns it on (NOTIFY_POLL_MS), so statement counts and column probes see only the
  // operation under test. Requests reuse no account's rights (VIEWER_CACHE_SECONDS=0) unless a test
  // turns it on (tests/integration/rights/viewer-cache.test.ts): many tests change rights straight in
  // the database, unannounced, as no code path of the hub does. TEST_VIEWER_CACHE_SECONDS runs a
  // suite with it on.
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    HOST: '127.0.0.1',
    NOTIFY_POLL_MS: '0',
    VIEWER_CACHE_SECONDS: process.env.TEST_VIEWER_CACHE_SECONDS ?? '0',
    ...env,
  });
  // The production logger (its redaction and database-error rules), to stdout or a test's sink.
  const log = createLogger(
    options.logLevel ?? process.env.TEST_LOG_LEVEL ?? (options.logSink ? 'info' : 'silent'),
    options.logSink,
  );
  const orm = await connectOrm(databaseUrl, log);
  const app = await createApp({ config, orm, log, schema: await (schemaPromise ??= createSchema()) });
  // No test asks a real DNS server for a webhook host: names resolve to nothing unless a test says.
  app.services.webhooks.network.resolver = async (hostname) => {
    throw Object.assign(new Error(`test: no DNS answer for ${hostname}`), { code: 'ENOTFOUND' });
  };
  const url = await app.listen(0, '127.0.0.1');
  const clients: Client[] = [];

  const gql: TestApp['gql'] = async (query, variables, token) => {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, body: (await response.json()) as GqlResponse['body'] } as never;
  };

  const testApp: TestApp = {
    url,
    httpUrl: `${url}/graphql`,
    wsUrl: `${url.replace('http', 'ws')}/graphql`,
    app,
    orm,
    config,
    databaseUrl,
    seed: new Seed(orm, app.services),
    gql,
    async data(query, variables, token) {
      const { body } = await gql(query, variables, token);
      if (body.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
      return body.data as never;
    },
    ws(options = {}) {
      const { token, ...rest } = options;
      const client = createClient({
        url: testApp.wsUrl,
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        lazy: true,
        connectionParams: token ? { authorization: `Bearer ${token}` } : {},
        ...rest,
      });
      clients.push(client);
      return client;
    },
    async sqlCount(fn) {
      return (await statementsDuring(orm, fn)).length;
    },
    async stop() {
      await Promise.all(clients.map((c) => c.dispose()));
      await app.stop();
      await orm.close();
    },
  };
  return testApp;
}

/** Runs one operation over a graphql-ws client and resolves with its single result. */
export function wsRequest<T = Record<string, unknown>>(
  client: Client,
  query: string,
  variables?: Record<string, unknown>,
): Promise<GqlResponse<T>['body']> {
  return new Promise((resolve, reject) => {
    let result: GqlResponse<T>['body'] | undefined;
    client.subscribe<T>(
      { query, variables },
      {
        next: (value) => (result = value as GqlResponse<T>['body']),
        error: (error) => (Array.isArray(error) ? resolve({ errors: error }) : reject(error)),
        complete: () => (result ? resolve(result) : reject(new Error('completed without a result'))),
      },
    );
  });
}
