import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
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
import { createLoaders, type Context } from './core/context.js';
import { AppError, formatError } from './core/errors.js';
import { executeGraphQL, HttpError, parseBody, readBody, sendJson } from './core/graphql/http.js';
import { requestLimits } from './core/graphql/limits.js';
import { DEFAULT_LIST_BOUND, LIST_BOUNDS } from './list-bounds.js';
import { compiledExecutionGateway } from './core/graphql/compiled-execution.js';
import { ProvenQueries, type ProvenObserver } from './core/graphql/proven-queries.js';
import { attachCommitNotifier, Topic } from './core/events/outbox.js';
import { attachWebSocket } from './core/graphql/ws.js';
import {
  callerKey,
  createRateLimits,
  mutationRateLimitPlugin,
  smsRecipientLimiter,
} from './core/rate-limit.js';
import { pendingMigrations } from './core/db/db.js';
import { apolloLogger } from './core/logger.js';
import { createSchema } from './schema.js';
import { createServices, type Services } from './services.js';
import { isOpenDataPath, serveOpenData } from './modules/opendata/opendata.http.js';
import { isDocumentPath, serveDocuments } from './modules/organizations/organization-documents.http.js';
import { HubMetrics } from './core/metrics.js';
import { startSweep } from './sweep.js';
import { startRollupCompaction } from './modules/reports/demand-rollups.js';
import { WebhookWorker } from './modules/webhooks/webhook-worker.js';
import { NotificationWorker } from './modules/notifications/notification-worker.js';
import { serveUnsubscribe, UNSUBSCRIBE_PATH } from './modules/notifications/unsubscribe.js';
import { createMailTransport, emailChannel } from './modules/notifications/notification-mail.js';
import { NotificationChannelWorker } from './modules/notifications/notification-channel-worker.js';
import { smsChannel } from './modules/notifications/notification-sms.js';
import { NotificationDigest } from './modules/notifications/notification-digest.js';
import { NotificationChannel } from './modules/notifications/notification.enums.js';
import { createConsoleServer, isConsolePath } from './console/http.js';
import type { ClusterWorker, Readiness } from './core/cluster.js';
import { ReadReplicas } from './core/db/read-replicas.js';

export interface AppDeps {
  config: Config;
  orm: MikroORM;
  log: Logger;
  /** Built once per process; tests pass one in to avoid rebuilding it per file. */
  schema?: GraphQLSchema;
  /** For the events relay's LISTEN connection; the ORM's URL when omitted. */
  databaseUrl?: string;
  /**
   * Under WORKERS > 1: this worker's link to the primary, which answers `/readyz` and `/metrics` for
   * the whole cluster (src/core/cluster.ts). Absent: this process answers for itself.
   */
  cluster?: ClusterWorker;
  /** Whether this process runs the sweep (src/sweep.ts) and the webhook worker (default true). */
  backgroundJobs?: boolean;
}

export interface App {
  httpServer: Server;
  services: Services;
  /** The notification worker (tests wait for it to be idle). */
  notificationWorker: NotificationWorker;
  /** Listens on `port` (0 = any free port) and resolves to the base URL. */
  listen: (port: number, host?: string) => Promise<string>;
  /** Stops accepting, drains in-flight requests, closes sockets. The ORM is the caller's to close. */
  stop: () => Promise<void>;
  /** This process's own readiness (`/readyz` of a single process). */
  readiness: () => Promise<Readiness>;
  metrics: HubMetrics;
  /** An endpoint was registered on another process of the cluster: deliver without waiting for the poll. */
  webhookRegistered: () => void;
  /** The read replicas, when DATABASE_REPLICA_URLS is set. */
  replicas: ReadReplicas | null;
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
          logRequestLine(
            contextValue,
            operationName,
            started,
            response.http.status ?? 200,
            (errors ?? resultErrors ?? []).map((e) => e.extensions?.code ?? 'ERROR'),
          );
        },
      };
    },
  };
}

/** The request line of a GraphQL request answered (by Apollo or by the proven queries' short path). */
function logRequestLine(
  context: Context,
  operationName: string | null | undefined,
  started: number,
  status: number,
  errorCodes: unknown[],
): void {
  context.log?.info(
    {
      operationName: operationName ?? null,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      status,
      errorCodes,
      userId: context.viewer?.userId ?? null,
    },
    'graphql request',
  );
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
  const backgroundJobs = deps.backgroundJobs ?? true;
  const stopSweep = startSweep(
    services,
    orm,
    log,
    backgroundJobs ? config.limits.demandSweepIntervalSeconds : 0,
  );
  // Folds the report rollups' deltas (docs/architecture.md, "Report rollups").
  const stopRollupCompaction = startRollupCompaction(
    orm,
    log,
    backgroundJobs ? config.limits.reportRollupCompactionSeconds : 0,
  );
  const replicas = config.databaseReplicaUrls.length
    ? await ReadReplicas.connect(config.databaseReplicaUrls, log, config.databaseReplicaRetrySeconds)
    : null;
  await services.events.start(deps.databaseUrl ?? orm.config.get('clientUrl') ?? '', log);
  // After each commit that wrote events: wake this relay, NOTIFY the others (outbox.ts).
  const detachCommitNotifier = attachCommitNotifier(orm.em, services.events);
  // Its check for missed signals runs where the notification workers do (NOTIFY_POLL_MS).
  services.notificationSignals.start(orm.em, log, config.notifications.pollMs);
  // After the relay: a change committed from here on reaches the listener, so none is missed.
  const stopReferenceReload = services.events.onEvent((event) => {
    if (event.topic === Topic.REFERENCE_CHANGED) void services.reference.reload();
  });
  // Requests reuse an account's rights briefly; the rights changes committed here and those the relay
  // hands on end them (docs/SECURITY.md, "Rights on HTTP requests").
  const stopRecentViewers = services.recentViewers.follow(services.events.rights, orm.em);
  await services.reference.start(orm, log);
  // Per app, not the library's global registry: tests run several apps in one process.
  const metrics = new HubMetrics({
    orm,
    openSockets: () => ws.wss.clients.size,
    activeSubscriptions: () => services.events.index.size,
    relay: () => services.events.activeRelay,
    replicas: () => replicas?.replicas ?? [],
    worker: deps.cluster?.slot,
  });
  const stopEventMetrics = services.events.onEvent((event, matched) => metrics.observeEvent(event, matched));
  const webhookWorker = new WebhookWorker({
    orm,
    log,
    // Off on the workers that do not run the background jobs (pollMs 0 is "off on this process").
    config: backgroundJobs ? config.webhooks : { ...config.webhooks, pollMs: 0 },
    events: services.events,
    projects: services.projectApplications,
    network: services.webhooks.network,
    onAttempt: (delivered) => metrics.observeWebhookAttempt(delivered),
    claimLapseHours: config.limits.demandClaimLapseHours,
  });
  const stopWebhookWake = services.webhooks.onRegistered(() =>
    backgroundJobs ? webhookWorker.endpointRegistered() : deps.cluster?.webhookRegistered(),
  );
  webhookWorker.start();
  const notificationWorker = new NotificationWorker({
    orm,
    log,
    config: config.notifications,
    events: services.events,
    signals: services.notificationSignals,
    projects: services.projectApplications,
    instantChannels: [
      ...(config.notifications.smtpUrl !== null ? [NotificationChannel.EMAIL] : []),
      ...(config.notifications.smsGatewayUrl !== null ? [NotificationChannel.SMS] : []),
    ],
  });
  const mailTransport = createMailTransport(config.notifications);
  const mailWorker =
    mailTransport &&
    new NotificationChannelWorker({
      orm,
      log,
      pollMs: config.notifications.pollMs,
      signals: services.notificationSignals,
      channel: emailChannel(mailTransport, {
        mailFrom: config.notifications.mailFrom,
        publicUrl: config.publicUrl,
        jwtSecret: config.jwtSecret,
      }),
    });
  await mailWorker?.start();
  const smsWorker =
    config.notifications.smsGatewayUrl !== null &&
    new NotificationChannelWorker({
      orm,
      log,
      pollMs: config.notifications.pollMs,
      signals: services.notificationSignals,
      channel: smsChannel(
        {
          gatewayUrl: config.notifications.smsGatewayUrl,
          secret: config.notifications.smsGatewaySecret,
          publicUrl: config.publicUrl,
        },
        smsRecipientLimiter(orm, config.notifications.smsMaxPerRecipientPerDay),
      ),
    });
  if (smsWorker) await smsWorker.start();
  // After the channels: their jobs begin before the fan-out can queue a delivery for them.
  await notificationWorker.start();
  const digest =
    mailTransport &&
    config.notifications.pollMs > 0 &&
    new NotificationDigest({
      orm,
      log,
      config: config.notifications,
      publicUrl: config.publicUrl,
      jwtSecret: config.jwtSecret,
      transport: mailTransport,
    });
  if (digest) digest.start();
  const limits = requestLimits(config, schema, {
    defaultListBound: DEFAULT_LIST_BOUND,
    listBounds: LIST_BOUNDS,
  });
  const rateLimits = createRateLimits(orm, config.limits.rate);
  services.accounts.useRateLimits(rateLimits);
  const masked = formatError(log);
  const httpServer = createServer();
  const consoleServer = createConsoleServer(log);

  // Queries compiled and validated, answered again without Apollo's pipeline (proven-queries.ts). Not
  // with read replicas: an anonymous query's routing to a replica is Apollo's (its plugin).
  const provenQueries = config.compileQueries && !replicas ? new ProvenQueries(schema, limits) : undefined;
  const provenObserver: ProvenObserver = {
    answered: (context, operationName, started) => {
      logRequestLine(context, operationName, started, 200, []);
      metrics.observeRequest(operationName, 'ok', (performance.now() - started) / 1000);
    },
    executed: () => metrics.observeExecution('compiled'),
  };

  const apollo = new ApolloServer<Context>({
    ...(config.compileQueries
      ? {
          gateway: compiledExecutionGateway(
            schema,
            (engine) => metrics.observeExecution(engine),
            provenQueries,
          ),
        }
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
      ...(replicas ? [replicas.apolloPlugin()] : []),
    ],
  });
  await apollo.start();

  const contextFor =
    (
      authorization: string | undefined,
      requestId: string,
      clientRequestId: string | undefined,
      clientAddress?: string,
      made?: (context: Context) => void,
    ) =>
    async (): Promise<Context> => {
      const started = performance.now();
      const em = orm.em.fork();
      try {
        const viewer = await authenticate(services.tokens, services.viewers, em, bearerToken(authorization));
        const requestLog = log.child(clientRequestId ? { requestId, clientRequestId } : { requestId });
        const context: Context = {
          em,
          loaders: createLoaders(services.loaderFactories, em),
          viewer,
          requestId,
          log: requestLog,
          services,
          clientAddress,
        };
        made?.(context);
        return context;
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
    if (deps.cluster) {
      // Which worker answered: for operators following one request, and the tests of the cluster.
      res.setHeader('x-niudai-worker', String(deps.cluster.slot));
      metrics.observeHttpRequest();
    }
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const handle = async () => {
      if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
      if (path === '/readyz')
        return sendJson(res, ...(await (deps.cluster?.readiness() ?? readiness(orm, services))));
      if (path === '/metrics') {
        const rendered = deps.cluster ? await deps.cluster.metrics() : await metrics.render();
        if (!rendered) return sendJson(res, 503, { error: 'The primary process did not answer.' });
        res.writeHead(200, { 'content-type': rendered.contentType });
        return void res.end(rendered.body);
      }
      if (isOpenDataPath(path)) return serveOpenDataFromReplica(path, req, res);
      if (path === UNSUBSCRIBE_PATH)
        return serveUnsubscribe(
          orm.em.fork(),
          config.jwtSecret,
          new URL(req.url ?? '/', 'http://localhost'),
          req,
          res,
        );
      if (isDocumentPath(path))
        return serveDocuments(
          path,
          new URL(req.url ?? '/', 'http://localhost'),
          req,
          res,
          contextFor(req.headers.authorization, requestId, clientRequestId, req.socket.remoteAddress),
          async (ctx) => {
            if (rateLimits.mutations.enabled)
              await rateLimits.mutations.consume(callerKey(ctx.viewer?.userId, ctx.clientAddress));
          },
        );
      if (isConsolePath(path)) return consoleServer.serve(path, req, res);
      if (path !== '/graphql') return sendJson(res, 404, { error: 'Not found; the API is at /graphql.' });
      const body = parseBody(req, await readBody(req, config.limits.maxBodyBytes));
      const address = req.socket.remoteAddress;
      if (!replicas) {
        const context = contextFor(req.headers.authorization, requestId, clientRequestId, address);
        const viaApollo = (made: () => Promise<Context>) => executeGraphQL(apollo, req, res, body, made);
        if (provenQueries) await provenQueries.answer(req, res, body, context, provenObserver, viaApollo);
        else await viaApollo(context);
        return;
      }
      // An anonymous query may read from a replica; if the replica failed under it, it runs again on
      // the primary before anything is answered.
      let first: Context | null = null;
      await executeGraphQL(
        apollo,
        req,
        res,
        body,
        contextFor(req.headers.authorization, requestId, clientRequestId, address, (context) => {
          first = context;
          replicas.allow(context);
        }),
        () =>
          first && replicas.failedOn(first)
            ? contextFor(req.headers.authorization, requestId, clientRequestId, address)
            : null,
      );
    };
    /** Open data is public and tolerates lag: a replica serves it when one is reachable. */
    const serveOpenDataFromReplica = async (path: string, req: IncomingMessage, res: ServerResponse) => {
      const settings = { publicUrl: config.publicUrl, ...config.openData };
      const url = new URL(req.url ?? '/', 'http://localhost');
      const routed = replicas?.fork();
      if (!routed) return serveOpenData(orm.em.fork(), settings, url, req, res);
      try {
        await serveOpenData(routed.em, settings, url, req, res);
      } catch (error) {
        // Before the first byte the file is served from the primary instead; once streaming, it is cut.
        if (!replicas?.failed(routed.replica, error) || res.headersSent) throw error;
        await serveOpenData(orm.em.fork(), settings, url, req, res);
      }
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
  // The worker a WebSocket was handed to (it stays there): the same header as on HTTP responses.
  const workerSlot = deps.cluster?.slot;
  if (workerSlot !== undefined)
    ws.wss.on('headers', (headers) => headers.push(`x-niudai-worker: ${workerSlot}`));

  return {
    httpServer,
    services,
    notificationWorker,
    listen: (port, host = config.host) =>
      new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          const { port: actual } = httpServer.address() as AddressInfo;
          resolve(`http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${actual}`);
        });
      }),
    stop: async () => {
      await stopSweep();
      await stopRollupCompaction();
      stopWebhookWake();
      await webhookWorker.stop();
      await notificationWorker.stop();
      await services.notificationSignals.stop();
      if (digest) await digest.stop();
      await mailWorker?.stop();
      if (smsWorker) await smsWorker.stop();
      stopEventMetrics();
      stopReferenceReload();
      stopRecentViewers();
      services.reference.stop();
      await ws.dispose();
      detachCommitNotifier();
      await services.events.stop();
      await apollo.stop(); // drains HTTP requests in flight, then closes the server
      if (httpServer.listening) await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      await replicas?.close();
    },
    readiness: () => readiness(orm, services),
    metrics,
    webhookRegistered: () => webhookWorker.endpointRegistered(),
    replicas,
  };
}

/** A client's `x-request-id`, kept for correlation only when it is a short plain token (else ignored). */
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;
function clientRequestIdOf(header: string | string[] | undefined): string | undefined {
  return typeof header === 'string' && CLIENT_REQUEST_ID.test(header) ? header : undefined;
}

/** Ready: the events relay is listening, the database answers and no migration is pending. */
async function readiness(orm: MikroORM, services?: Services): Promise<Readiness> {
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
