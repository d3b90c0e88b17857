import type { Server as HttpServer } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import { CloseCode, type Disposable, type ExecutionResult } from 'graphql-ws';
import {
  GraphQLError,
  getOperationAST,
  specifiedRules,
  type DocumentNode,
  type FormattedExecutionResult,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from 'graphql';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { authenticate, type Viewer } from '../auth.js';
import { withoutSuggestions, type RequestLimits } from './limits.js';
import { createLoaders, type Context, type Services } from '../context.js';
import { sharedSubscribe } from '../events/shared-execution.js';
import { liveFrames } from './live-frames.js';
import { SocketWrites } from './socket-writes.js';
import { ValidatedDocuments } from './document-cache.js';
import { randomUUID } from 'node:crypto';
import {
  AppError,
  ErrorCode,
  RateLimitedError,
  ServiceUnavailableError,
  UnauthenticatedError,
} from '../errors.js';
import { isDatabaseOutage } from '../db/database-outage.js';
import { callerKey, spendsMutationBudget, type Limiter } from '../rate-limit.js';

/** Operations one socket may run at once (default); each live subscription holds a buffer and a match-index entry. */
export const MAX_OPERATIONS_PER_SOCKET = 20;

/** Sockets one user may hold open on one process (default). */
export const MAX_SOCKETS_PER_USER = 10;

/** Sockets without a signed-in user that one client address may hold open on one process (default). */
export const MAX_ANONYMOUS_SOCKETS_PER_ADDRESS = 8;

/** Close codes of our own, next to graphql-ws's (4400 bad request, 4408 init timeout, 4409 duplicate id, …). */
export enum HubCloseCode {
  /** The access token expired while the socket was open; reconnect with a fresh one. */
  TokenExpired = 4401,
  /** The user (or, signed out, the address) already holds the maximum number of open sockets; close one first. */
  TooManyConnections = 4429,
  /**
   * The database could not be reached while the connection (or an operation's account re-check)
   * was being set up: nothing was refused, reconnect with backoff. graphql-ws's client retries it
   * (it gives up on 1011 and on most other codes below 2000).
   */
  ServiceUnavailable = 4503,
}

/** A refusal that ends a connection for good (4403): the token or the account, not the service. */
function isRefusal(error: unknown): boolean {
  if (!(error instanceof AppError)) return false;
  const code = error.extensions.code;
  return code === ErrorCode.UNAUTHENTICATED || code === ErrorCode.FORBIDDEN;
}

/** What the socket remembers between its operations. */
interface SocketState {
  userId: number | null;
  socket: WebSocket;
  /** The TCP peer, for per-address limits of anonymous callers. */
  clientAddress?: string;
  /** Whether this socket counts against its user's socket cap (released once on close). */
  counted?: boolean;
  /** Whether this socket counts against its address's anonymous socket cap (released once on close). */
  countedAnonymous?: boolean;
  tokenExpiresAt: Date | null;
  tokenTimer?: NodeJS.Timeout;
}

type SocketExtra = Extra & { state?: SocketState };

export interface WsDeps {
  httpServer: HttpServer;
  schema: GraphQLSchema;
  orm: MikroORM;
  services: Services;
  limits: RequestLimits;
  log: Logger;
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  maxPayloadBytes: number;
  /** Closes (4408) a socket that sends no `connection_init` within this time; 10 s when omitted. */
  connectionInitWaitTimeoutMs?: number;
  /** Operations at once per socket; {@link MAX_OPERATIONS_PER_SOCKET} when omitted. */
  maxOperationsPerSocket?: number;
  /** Open sockets per signed-in user; {@link MAX_SOCKETS_PER_USER} when omitted. */
  maxSocketsPerUser?: number;
  /** Open sockets without a user per client address; {@link MAX_ANONYMOUS_SOCKETS_PER_ADDRESS} when omitted. */
  maxAnonymousSocketsPerAddress?: number;
  /** The per-user mutation budget, shared with HTTP; none when omitted. */
  mutationLimiter?: Limiter;
}

/** The token from `connectionParams`: `{ authorization: "Bearer …" }` or `{ token: "…" }`. */
function tokenFrom(params: Readonly<Record<string, unknown>> | undefined): string | null {
  const raw = params?.authorization ?? params?.Authorization ?? params?.token;
  if (typeof raw !== 'string' || raw === '') return null;
  return raw.replace(/^Bearer\s+/i, '');
}

/**
 * graphql-ws on the HTTP server's /graphql path. graphql-ws skips Apollo's pipeline, so this applies
 * the same parse limits, validation rules (armor's, no introspection in production), context and
 * error masking itself.
 */
export function attachWebSocket(deps: WsDeps): { dispose: () => Promise<void>; wss: WebSocketServer } {
  const { schema, orm, services, limits, log } = deps;
  const wss = new WebSocketServer({
    server: deps.httpServer,
    path: '/graphql',
    maxPayload: deps.maxPayloadBytes,
    // No extension is negotiated: live frames are written beside ws's sender (socket-writes.ts),
    // which is stateless between messages only without compression.
    perMessageDeflate: false,
  });
  /** Each socket's write path, made as it connects. */
  const writes = new WeakMap<WebSocket, SocketWrites>();
  const documents = new ValidatedDocuments(
    schema,
    [...specifiedRules, ...limits.validationRules],
    limits.maxTokens,
  );
  const maxOperations = deps.maxOperationsPerSocket ?? MAX_OPERATIONS_PER_SOCKET;
  const maxSockets = deps.maxSocketsPerUser ?? MAX_SOCKETS_PER_USER;
  const maxAnonymousSockets = deps.maxAnonymousSocketsPerAddress ?? MAX_ANONYMOUS_SOCKETS_PER_ADDRESS;
  /** User id → their sockets open on this process. */
  const socketsByUser = new Map<number, Set<WebSocket>>();
  /** Client address → sockets open on this process without a signed-in user. */
  const anonymousSocketsByAddress = new Map<string, number>();
  const decrement = <K>(counts: Map<K, number>, key: K) => {
    const left = (counts.get(key) ?? 1) - 1;
    if (left > 0) counts.set(key, left);
    else counts.delete(key);
  };
  const release = (state: SocketState | undefined) => {
    clearTimeout(state?.tokenTimer);
    if (state?.countedAnonymous && state.clientAddress !== undefined) {
      state.countedAnonymous = false;
      decrement(anonymousSocketsByAddress, state.clientAddress);
    }
    if (!state?.counted || !state.userId) return;
    state.counted = false;
    const sockets = socketsByUser.get(state.userId);
    sockets?.delete(state.socket);
    if (sockets?.size === 0) socketsByUser.delete(state.userId);
  };
  /**
   * Counts a socket without a signed-in user against its address, or closes it (4429) when the
   * address holds the maximum already: without this, one address could keep any number of sockets.
   * Behind a reverse proxy every client has the proxy's address: raise the cap there.
   */
  const admitAnonymous = (state: SocketState, socket: Extra['socket']): boolean => {
    const address = state.clientAddress;
    if (address === undefined) return true;
    const open = anonymousSocketsByAddress.get(address) ?? 0;
    if (open >= maxAnonymousSockets) {
      log.info(
        { clientAddress: address, open },
        'websocket refused: too many anonymous sockets from this address',
      );
      socket.close(
        HubCloseCode.TooManyConnections,
        `At most ${maxAnonymousSockets} connections without signing in per address; close one or sign in.`,
      );
      return false;
    }
    anonymousSocketsByAddress.set(address, open + 1);
    state.countedAnonymous = true;
    return true;
  };
  // A suspended (or deleted) account keeps no socket open: when its rights change, re-read it and
  // close its sockets with 4403, which ends every subscription on them at once.
  const closeIfRefused = async (userId: number) => {
    try {
      await services.viewers.load(orm.em.fork(), userId, new Date(8.64e15));
    } catch (error) {
      if (!(error instanceof UnauthenticatedError)) {
        log.warn({ userId, errorClass: (error as Error).name }, 'websocket: account re-check failed');
        return;
      }
      for (const socket of socketsByUser.get(userId) ?? [])
        socket.close(CloseCode.Forbidden, 'Forbidden: this account is suspended');
    }
  };
  const stopWatchingRights = services.events.rights.onUserRightsChanged((userId) => {
    if (socketsByUser.has(userId)) void closeIfRefused(userId);
  });

  /**
   * Closes a socket whose set-up failed without a refusal: 4503 (reconnect) when the database could
   * not be reached, else 4500 with nothing of the error (graphql-ws would send its message).
   */
  const closeUnrefused = (socket: WebSocket, error: unknown) => {
    const outage = isDatabaseOutage(error);
    const errorClass = error instanceof Error ? error.name : typeof error;
    const code = (error as { code?: unknown } | null)?.code;
    if (outage) {
      log.warn({ errorClass, code }, 'websocket closed: the database is unavailable');
      socket.close(HubCloseCode.ServiceUnavailable, 'Service unavailable: try again');
    } else {
      log.error({ errorClass, code }, 'websocket closed: unexpected error while setting up');
      socket.close(CloseCode.InternalServerError, 'Internal server error');
    }
  };

  // Over WebSocket, an operation that failed because the database could not be reached says so
  // (SERVICE_UNAVAILABLE: try again, resume a subscription after its last cursor); anything else
  // is formatted, and masked, as over HTTP.
  const format = (errors: readonly GraphQLError[]): GraphQLFormattedError[] =>
    errors.map((error) => {
      const outage = isDatabaseOutage(error);
      if (outage) log.warn({ path: error.path }, 'websocket operation failed: the database is unavailable');
      const formatted = deps.formatError(error.toJSON(), outage ? new ServiceUnavailableError() : error);
      return limits.hideSuggestions
        ? { ...formatted, message: withoutSuggestions(formatted.message) }
        : formatted;
    });

  /**
   * Every result pushed (a query's, each subscription event's) keeps to the size ceiling; a query
   * or mutation stopped at its deadline sends the timeout alone; errors are formatted. Without
   * errors the payload is the JSON `ResultLimits.check` made, once per result: subscribers sharing
   * an execution share it.
   */
  const checkedResult = (
    result: ExecutionResult,
    deadline: Context['deadline'],
  ): { json: string } | { replacement: FormattedExecutionResult } => {
    const checked = limits.results.check(result, deadline);
    if (checked.refusal) return { replacement: checked.refusal };
    if (result.errors) return { replacement: { ...result, errors: format(result.errors) } };
    return { json: checked.json };
  };

  /**
   * The bytes of a payload's JSON. Subscribers sharing one executed result are handed the same
   * string one after another (fan-out.ts), so the last one converted is kept.
   */
  let lastPayloadJson: string | undefined;
  let lastPayloadBytes = Buffer.alloc(0);
  /** The last live result and its payload's bytes: checked once, not once per subscriber. */
  let lastLive: { result: ExecutionResult | null; bytes: Buffer } = { result: null, bytes: lastPayloadBytes };
  const payloadBytes = (json: string): Buffer => {
    if (json !== lastPayloadJson) {
      lastPayloadBytes = Buffer.from(json);
      lastPayloadJson = json;
    }
    return lastPayloadBytes;
  };

  // Before graphql-ws's own listener, so its sends go through the socket's write path.
  wss.on('connection', (socket, request) => writes.set(socket, new SocketWrites(socket, request.socket)));
  const server: Disposable = useServer<Record<string, unknown>, { state?: SocketState }>(
    {
      schema,
      // Subscribers of one permission class that sent the same operation share each event's execution.
      subscribe: sharedSubscribe,
      connectionInitWaitTimeout: deps.connectionInitWaitTimeoutMs ?? 10_000,
      onConnect: async (ctx) => {
        const extra = ctx.extra as SocketExtra;
        const state: SocketState = {
          userId: null,
          socket: extra.socket,
          tokenExpiresAt: null,
          clientAddress: extra.request.socket.remoteAddress,
        };
        extra.state = state;
        const token = tokenFrom(ctx.connectionParams);
        if (token === null) return admitAnonymous(state, extra.socket);
        try {
          const viewer = await authenticate(services.tokens, services.viewers, orm.em.fork(), token);
          if (!viewer) return admitAnonymous(state, extra.socket);
          const open = socketsByUser.get(viewer.userId)?.size ?? 0;
          if (open >= maxSockets) {
            log.info({ userId: viewer.userId, open }, 'websocket refused: too many sockets for this user');
            extra.socket.close(
              HubCloseCode.TooManyConnections,
              `At most ${maxSockets} connections per user; close one first.`,
            );
            return false;
          }
          let sockets = socketsByUser.get(viewer.userId);
          if (!sockets) socketsByUser.set(viewer.userId, (sockets = new Set()));
          sockets.add(extra.socket);
          state.counted = true;
          state.userId = viewer.userId;
          state.tokenExpiresAt = viewer.tokenExpiresAt;
          // An expired token must not keep a socket alive: close it when the token runs out.
          const ms = Math.min(viewer.tokenExpiresAt.getTime() - Date.now(), 2 ** 31 - 1);
          state.tokenTimer = setTimeout(
            () => extra.socket.close(HubCloseCode.TokenExpired, 'Token expired'),
            ms,
          );
          state.tokenTimer.unref();
          return true;
        } catch (error) {
          if (isRefusal(error)) {
            log.info({ reason: (error as Error).message }, 'websocket connection refused');
            return false; // graphql-ws closes with 4403 Forbidden
          }
          closeUnrefused(extra.socket, error);
          return false;
        }
      },
      onDisconnect: (ctx) => release((ctx.extra as SocketExtra).state),
      onClose: (ctx) => release((ctx.extra as SocketExtra).state),
      onSubscribe: async (ctx, _id, payload) => {
        // graphql-ws has already registered this operation: more than the cap fails it alone, not the socket.
        if (Object.keys(ctx.subscriptions).length > maxOperations)
          return [
            new AppError(
              ErrorCode.RATE_LIMITED,
              `At most ${maxOperations} operations at once on one connection; complete one first.`,
            ),
          ];
        let document: DocumentNode;
        try {
          const validated = documents.get(payload.query);
          if ('errors' in validated) return validated.errors;
          document = validated.document;
        } catch (error) {
          return [error instanceof GraphQLError ? error : new GraphQLError('Syntax error')];
        }
        const operation = getOperationAST(document, payload.operationName);
        if (!operation) return [new GraphQLError('Unable to identify the operation to run.')];
        // The same cost as over HTTP, with this operation's variables, before anything runs.
        const tooComplex = limits.refuseTooComplex(document, payload.operationName, payload.variables);
        if (tooComplex) return [tooComplex];
        if (deps.mutationLimiter?.enabled && spendsMutationBudget(operation)) {
          const state = (ctx.extra as SocketExtra).state;
          try {
            // The same budget as HTTP: reconnecting or switching transport does not refill it.
            await deps.mutationLimiter.consume(callerKey(state?.userId, state?.clientAddress));
          } catch (error) {
            if (error instanceof RateLimitedError) return [error];
            throw error;
          }
        }
        return { schema, document, operationName: payload.operationName, variableValues: payload.variables };
      },
      context: async (ctx, _id, _payload, args): Promise<Context> => {
        const state = (ctx.extra as SocketExtra).state;
        const em = orm.em.fork();
        let viewer: Viewer | null = null;
        if (state?.userId && state.tokenExpiresAt) {
          // Re-read the account per operation: a suspension takes effect for new subscriptions at once.
          // A suspended account's socket is closed (graphql-ws closes when the context throws).
          // The relay's position is taken first: rights changes relayed after it are re-checked by
          // the subscription's live rights (rights-watch.ts).
          const rightsAsOf = services.events.position;
          try {
            viewer = await services.viewers.load(em, state.userId, state.tokenExpiresAt);
          } catch (error) {
            // Closed before graphql-ws closes it (4500, with the error's message outside production).
            if (isRefusal(error)) state.socket.close(CloseCode.Forbidden, 'Forbidden');
            else closeUnrefused(state.socket, error);
            throw error;
          }
          viewer.rightsAsOf = rightsAsOf;
        }
        const requestId = randomUUID();
        return {
          em,
          loaders: createLoaders(services.loaderFactories, em),
          viewer,
          requestId,
          log: log.child({ requestId }),
          services,
          clientAddress: state?.clientAddress,
          // Queries and mutations have a time budget; a subscription lives as long as the client wants.
          deadline:
            getOperationAST(args.document, args.operationName)?.operation === 'subscription'
              ? undefined
              : limits.results.deadline(),
        };
      },
      onError: (_ctx, _id, _payload, errors) => format(errors),
      // A query's or mutation's result (and a subscription refused before its first event) goes
      // through graphql-ws's own `next`.
      onNext: (_ctx, _id, _payload, args, result) => {
        const checked = checkedResult(result, (args.contextValue as Context).deadline);
        return 'replacement' in checked ? checked.replacement : undefined;
      },
      // A live subscription writes its events' frames itself (live-frames.ts): graphql-ws still
      // sends its `complete` or `error`.
      onOperation: (ctx, id, _payload, args, result) => {
        if (!(Symbol.asyncIterator in result)) return undefined;
        const deadline = (args.contextValue as Context).deadline;
        const { socket } = ctx.extra as SocketExtra;
        return liveFrames(result[Symbol.asyncIterator](), {
          id,
          socket: writes.get(socket)!,
          payload: (event) => {
            // A subscription has no deadline: its bytes depend on the result alone, and the
            // subscribers of one shared execution hand over the same result one after another.
            if (deadline === undefined && event === lastLive.result) return lastLive.bytes;
            const checked = checkedResult(event, deadline);
            const bytes = payloadBytes(
              'json' in checked ? checked.json : JSON.stringify(checked.replacement),
            );
            if (deadline === undefined) lastLive = { result: event, bytes };
            return bytes;
          },
        });
      },
    },
    wss,
  );

  return {
    wss,
    dispose: async () => {
      stopWatchingRights();
      for (const client of wss.clients) client.close(1001, 'Server shutting down');
      await server.dispose();
    },
  };
}
