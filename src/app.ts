import { createServer, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import type { Config } from './core/config.js';
import { authenticate, bearerToken } from './core/auth.js';
import type { Context } from './core/context.js';
import { AppError, formatError } from './core/errors.js';
import { executeGraphQL, HttpError, parseBody, readBody, sendJson } from './core/http.js';
import { requestLimits } from './core/limits.js';
import { compiledExecutionGateway } from './core/compiled-execution.js';
import { Topic } from './core/events/outbox.js';
import { attachWebSocket } from './core/ws.js';
import { createRateLimits, mutationRateLimitPlugin } from './core/rate-limit.js';
import { pendingMigrations } from './core/db.js';
import { apolloLogger } from './core/logger.js';
import { createSchema } from './schema.js';
import { createServices, type Services } from './services.js';
import { startDemandSweep } from './modules/demands/demand-sweep.js';
import { isOpenDataPath, serveOpenData } from './modules/opendata/opendata.http.js';
import { HubMetrics } from './core/metrics.js';
import { WebhookWorker } from './modules/webhooks/webhook-worker.js';
import { createConsoleServer, isConsolePath } from './console/http.js';

export interface AppDeps {
  config: Config;
  orm: MikroORM;
  log: Logger;
  /** Built once per process; tests pass one in to avoid rebuilding it per file. */
  schema?: GraphQLSchema;
  /** For the events relay's LISTEN connection; the ORM's URL when omitted. */
  databaseUrl?: string;
}

export interface App {
  httpServer: Server;
  services: Services;
  /** Listens on `port` (0 = any free port) and resolves to the base URL. */
  listen: (port: number, host?: string) => Promise<string>;
  /** Stops accepting, drains in-flight requests, closes sockets. The ORM is the caller's to close. */
  stop: () => Promise<void>;
}

/** One log line per GraphQL request: operation, duration, outcome. Never variables (they hold passwords). */
function requestLogPlugin(): ApolloServerPlugin<Context> {
  return {
    async unexpectedErrorProcessingRequest({ requestContext, error }) {
      requestContext.contextValue.log?.error({ err: error }, 'unexpected error processing request');
    },
    async requestDidStart({ contextValue }) {
      const started = performance.now();
      return {
        async willSendResponse({ operationName, response, errors }) {
          const body = response.body;
          const resultErrors = body.kind === 'single' ? body.singleResult.errors : undefined;
          contextValue.log?.info(
            {
              operationName: operationName ?? null,
              durationMs: Math.round((performance.now() - started) * 10) / 10,
              status: response.http.status ?? 200,
              errorCodes: (errors ?? resultErrors ?? []).map((e) => e.extensions?.code ?? 'ERROR'),
              userId: contextValue.viewer?.userId ?? null,
            },
            'graphql request',
          );
        },
      };
    },
  };
}

/**
 * `cache-control: no-store` on every GraphQL response, as Apollo's default cache-control plugin sent
 * when no type carries a cache hint (none does). That plugin is disabled because it hooks
 * `willResolveField`, which makes Apollo wrap every field resolver of the schema: a cost on each of
 * the thousands of fields of a large read, for a header that never varied.
 */
function noStorePlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (!response.http.headers.has('cache-control'))
            response.http.headers.set('cache-control', 'no-store');
        },
      };
    },
  };
}

/**
 * Builds the hub: Apollo over HTTP and graphql-ws on the same /graphql path, sharing the schema,
 * limits, context and error masking. `main.ts` and the tests both use this.
 */
export async function createApp(deps: AppDeps): Promise<App> {
  const { config, orm, log } = deps;
  const schema = deps.schema ?? (await createSchema());
  const services = createServices(config);
  const stopDemandSweep = startDemandSweep(
    services.demands,
    orm,
    log,
    config.limits.demandSweepIntervalSeconds,
  );
  await services.events.start(deps.databaseUrl ?? orm.config.get('clientUrl') ?? '', log);
  // After the relay: a change committed from here on reaches the listener, so none is missed.
  const stopReferenceReload = services.events.onEvent((event) => {
    if (event.topic === Topic.REFERENCE_CHANGED) void services.reference.reload();
  });
  await services.reference.start(orm, log);
  // Per app, not the library's global registry: tests run several apps in one process.
  const metrics = new HubMetrics({
    orm,
    openSockets: () => ws.wss.clients.size,
    activeSubscriptions: () => services.events.index.size,
    relay: () => services.events.activeRelay,
  });
  const stopEventMetrics = services.events.onEvent((event, matched) => metrics.observeEvent(event, matched));
  const webhookWorker = new WebhookWorker({
    orm,
    log,
    config: config.webhooks,
    events: services.events,
    projects: services.projects,
    network: services.webhooks.network,
    onAttempt: (delivered) => metrics.observeWebhookAttempt(delivered),
  });
  const stopWebhookWake = services.webhooks.onRegistered(() => webhookWorker.endpointRegistered());
  webhookWorker.start();
  const limits = requestLimits(config, schema);
  const rateLimits = createRateLimits(orm, config.limits.rate);
  services.accounts.useRateLimits(rateLimits);
  const masked = formatError(log);
  const httpServer = createServer();
  const consoleServer = createConsoleServer(log);

  const apollo = new ApolloServer<Context>({
    ...(config.compileQueries
      ? { gateway: compiledExecutionGateway(schema, (engine) => metrics.observeExecution(engine)) }
      : { schema }),
    // The size ceiling measured the result already: its JSON is reused rather than made twice.
    stringifyResult: (result) => limits.results.stringify(result),
    formatError: masked,
    logger: apolloLogger(log), // Apollo's own messages; the errors themselves are logged structured
    introspection: limits.introspection,
    hideSchemaDetailsFromClientErrors: limits.hideSuggestions,
    parseOptions: { maxTokens: limits.maxTokens },
    validationRules: limits.validationRules,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    // Outside tests Apollo stops itself on SIGINT/SIGTERM; the hub's own stop() (main.ts) would then
    // wait forever on that second stop. Whoever runs the app owns the signals and calls stop() once.
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginCacheControlDisabled(),
      noStorePlugin(),
      ...limits.plugins,
      requestLogPlugin(),
      metrics.apolloPlugin<Context>(),
      mutationRateLimitPlugin(rateLimits.mutations),
    ],
  });
  await apollo.start();

  const contextFor =
    (
      authorization: string | undefined,
      requestId: string,
      clientRequestId: string | undefined,
      clientAddress?: string,
    ) =>
    async (): Promise<Context> => {
      const started = performance.now();
      const em = orm.em.fork();
      try {
        const viewer = await authenticate(services.tokens, em, bearerToken(authorization));
        const requestLog = log.child(clientRequestId ? { requestId, clientRequestId } : { requestId });
        return { em, viewer, requestId, log: requestLog, services, clientAddress };
      } catch (error) {
        // A bad token is the client's problem: 401 with the code, not a 500.
        if (error instanceof AppError) {
          error.extensions.http = { status: 401 };
          // Apollo runs no plugin for a request whose context fails, so the request line is written here
          // (the operation is not parsed yet, hence no name).
          log.info(
            {
              requestId,
              clientRequestId,
              operationName: null,
              durationMs: Math.round((performance.now() - started) * 10) / 10,
              status: 401,
              errorCodes: [error.extensions.code],
              userId: null,
            },
            'graphql request',
          );
          metrics.observeRequest(null, String(error.extensions.code), (performance.now() - started) / 1000);
        }
        throw error;
      }
    };

  httpServer.on('request', (req, res) => {
    // The server's own id, in logs, the audit trail and the response; a client's id is only logged beside it.
    const requestId = randomUUID();
    const clientRequestId = clientRequestIdOf(req.headers['x-request-id']);
    res.setHeader('x-request-id', requestId);
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const handle = async () => {
      if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
      if (path === '/readyz') return sendJson(res, ...(await readiness(orm, services)));
      if (path === '/metrics') {
        const { contentType, body } = await metrics.render();
        res.writeHead(200, { 'content-type': contentType });
        return void res.end(body);
      }
      if (isOpenDataPath(path))
        return serveOpenData(
          orm.em.fork(),
          { publicUrl: config.publicUrl, ...config.openData },
          new URL(req.url ?? '/', 'http://localhost'),
          req,
          res,
        );
      if (isConsolePath(path)) return consoleServer.serve(path, req, res);
      if (path !== '/graphql') return sendJson(res, 404, { error: 'Not found; the API is at /graphql.' });
      const body = parseBody(req, await readBody(req, config.limits.maxBodyBytes));
      await executeGraphQL(
        apollo,
        req,
        res,
        body,
        contextFor(req.headers.authorization, requestId, clientRequestId, req.socket.remoteAddress),
      );
    };
    handle().catch((error: unknown) => {
      if (error instanceof HttpError) {
        if (!res.headersSent)
          sendJson(res, error.status, {
            errors: [{ message: error.message, extensions: { code: 'BAD_REQUEST' } }],
          });
        return;
      }
      log.error({ err: error, requestId, clientRequestId }, 'unhandled HTTP error');
      if (!res.headersSent)
        sendJson(res, 500, {
          errors: [{ message: 'Internal server error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
        });
      else res.destroy();
    });
  });

  const ws = attachWebSocket({
    httpServer,
    schema,
    orm,
    services,
    limits,
    log,
    formatError: masked,
    maxPayloadBytes: config.limits.maxBodyBytes,
    connectionInitWaitTimeoutMs: config.limits.wsConnectionInitTimeoutMs,
    maxOperationsPerSocket: config.limits.wsMaxOperationsPerSocket,
    maxSocketsPerUser: config.limits.wsMaxSocketsPerUser,
    maxAnonymousSocketsPerAddress: config.limits.wsMaxAnonymousSocketsPerAddress,
    mutationLimiter: rateLimits.mutations,
  });

  return {
    httpServer,
    services,
    listen: (port, host = config.host) =>
      new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          const { port: actual } = httpServer.address() as AddressInfo;
          resolve(`http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${actual}`);
        });
      }),
    stop: async () => {
      await stopDemandSweep();
      stopWebhookWake();
      await webhookWorker.stop();
      stopEventMetrics();
      stopReferenceReload();
      services.reference.stop();
      await ws.dispose();
      await services.events.stop();
      await apollo.stop(); // drains HTTP requests in flight, then closes the server
      if (httpServer.listening) await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    },
  };
}

/** A client's `x-request-id`, kept for correlation only when it is a short plain token (else ignored). */
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;
function clientRequestIdOf(header: string | string[] | undefined): string | undefined {
  return typeof header === 'string' && CLIENT_REQUEST_ID.test(header) ? header : undefined;
}

/** Ready: the events relay is listening, the database answers and no migration is pending. */
async function readiness(orm: MikroORM, services?: Services): Promise<[number, unknown]> {
  // Without its LISTEN connection this process pushes nothing live: take it out of rotation.
  if (services && !services.events.activeRelay?.connected)
    return [503, { status: 'events relay disconnected' }];
  try {
    await orm.em.getConnection().execute('select 1');
    const pending = await pendingMigrations(orm);
    if (pending.length) return [503, { status: 'migrations pending', pending }];
    return [200, { status: 'ready' }];
  } catch {
    return [503, { status: 'database unreachable' }];
  }
}
