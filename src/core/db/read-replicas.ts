/**
 * Read replicas (`DATABASE_REPLICA_URLS`): PostgreSQL streaming standbys that serve the reads which
 * tolerate a little lag.
 *
 * **What goes to a replica:** GraphQL queries over HTTP by anonymous callers (the public directory,
 * its search and statistics, the public project list, the transparency reports, anything else they
 * may read) and the open-data files. **What stays on the primary:** every mutation, every request of a
 * signed-in viewer (so she always reads her own writes, whichever worker or process served the write:
 * no per-user bookkeeping that one process could not see), subscriptions and WebSocket operations
 * (the live feed replays from the outbox), and everything the background jobs do.
 *
 * Each replica has its own MikroORM instance, and a request routed to it gets a fork of that ORM in
 * place of the primary's: every read of the request then goes there, raw SQL included (MikroORM's own
 * `replicas` option chooses per query, and `preferReadReplicas` would send signed-in reads there too).
 *
 * **Fallback:** a replica whose connection fails is marked down at once and its reads go to the
 * primary; the GraphQL query that hit the failure is run again on the primary before anything is
 * answered (an open-data file already streaming cannot be: it is cut, as on any database failure).
 * A down replica is tried again every `DATABASE_REPLICA_RETRY_SECONDS` with `select 1`.
 *
 * @module
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { connectOrm } from './db.js';
import { useUnitOfWork, type Context } from '../context.js';

/** How long a replica may take to give a connection before the attempt counts as failed. */
const REPLICA_CONNECT_TIMEOUT_MS = 3_000;

/** One replica: its ORM and whether it is believed reachable. */
export interface ReadReplica {
  /** 1-based position in DATABASE_REPLICA_URLS: its name in logs and metrics (the URL holds a password). */
  readonly position: number;
  readonly orm: MikroORM;
  up: boolean;
}

/** Node's socket errors and PostgreSQL's SQLSTATEs that mean the server is gone or refuses connections. */
const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
]);

/**
 * Whether `error` (or what it wraps) says the database could not be reached, as opposed to a
 * problem with the query itself: the code or class that says so, else null.
 */
export function connectionFailure(error: unknown): string | null {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 8; depth++) {
    const { code, name, message } = e as { code?: unknown; name?: unknown; message?: unknown };
    if (typeof code === 'string' && (CONNECTION_ERROR_CODES.has(code) || code.startsWith('08'))) return code;
    if (name === 'ConnectionException' || name === 'KnexTimeoutError') return name;
    if (typeof message === 'string' && /^Connection terminated/.test(message)) return 'connection terminated';
    const next = e as { originalError?: unknown; cause?: unknown };
    e = next.originalError ?? next.cause;
  }
  return null;
}

/**
 * A request's routing, kept on its context under a symbol: Apollo runs the operation on a shallow copy
 * of the context it was given, which keeps the symbol and so shares this object with the original.
 */
const ROUTING = Symbol('readReplicaRouting');
type RoutedContext = Context & { [ROUTING]?: { replica: ReadReplica | null; failed: boolean } };

/** The replicas, which are up, and the routing of requests to them. */
export class ReadReplicas {
  private next = 0;
  private readonly retryTimers = new Map<ReadReplica, NodeJS.Timeout>();
  private constructor(
    readonly replicas: ReadReplica[],
    private readonly log: Pick<Logger, 'warn' | 'info'>,
    private readonly retryMs: number,
  ) {}

  /** Connects to every URL (an unreachable one starts down and is retried). */
  static async connect(urls: string[], log: Logger, retrySeconds: number): Promise<ReadReplicas> {
    const replicas = await Promise.all(
      urls.map(async (url, index) => ({
        position: index + 1,
        orm: await connectOrm(url, log, {
          // A standby is read-only: never try to create its database.
          ensureDatabase: false,
          driverOptions: {
            acquireConnectionTimeout: REPLICA_CONNECT_TIMEOUT_MS,
            connection: { connectionTimeoutMillis: REPLICA_CONNECT_TIMEOUT_MS },
          },
        }),
        up: true,
      })),
    );
    const set = new ReadReplicas(replicas, log, retrySeconds * 1000);
    await Promise.all(replicas.map((replica) => set.check(replica)));
    return set;
  }

  /** A reachable replica, taken in turn; null when none is (read from the primary). */
  pick(): ReadReplica | null {
    for (let i = 0; i < this.replicas.length; i++) {
      const replica = this.replicas[(this.next + i) % this.replicas.length]!;
      if (replica.up) {
        this.next = (this.next + i + 1) % this.replicas.length;
        return replica;
      }
    }
    return null;
  }

  /** A fork of a reachable replica's ORM for one lag-tolerant read, with the replica; null: use the primary. */
  fork(): { em: EntityManager; replica: ReadReplica } | null {
    const replica = this.pick();
    return replica ? { em: replica.orm.em.fork(), replica } : null;
  }

  /**
   * Records that a read on `replica` failed with `error`; a connection failure marks the replica down
   * (until a check succeeds). Returns whether it was one.
   */
  failed(replica: ReadReplica, error: unknown): boolean {
    const reason = connectionFailure(error);
    if (!reason) return false;
    this.markDown(replica, reason);
    return true;
  }

  /** Lets this request's context read from a replica if its operation turns out to be an anonymous query. */
  allow(context: Context): void {
    (context as RoutedContext)[ROUTING] = { replica: null, failed: false };
  }

  /** Whether the context's operation read from a replica that failed (run it again on the primary). */
  failedOn(context: Context): boolean {
    return (context as RoutedContext)[ROUTING]?.failed === true;
  }

  /**
   * Apollo plugin: once the operation is known, an anonymous query of an eligible context reads from
   * a replica (its EntityManager is swapped before any resolver runs); a connection failure there
   * marks the replica down and the context as failed.
   */
  apolloPlugin(): ApolloServerPlugin<Context> {
    return {
      requestDidStart: async () => ({
        didResolveOperation: async ({ operation, contextValue }) => {
          const routing = (contextValue as RoutedContext)[ROUTING];
          if (operation?.operation !== 'query' || contextValue.viewer || !routing) return;
          const routed = this.fork();
          if (!routed) return;
          useUnitOfWork(contextValue, routed.em);
          routing.replica = routed.replica;
        },
        didEncounterErrors: async ({ contextValue, errors }) => {
          const routing = (contextValue as RoutedContext)[ROUTING];
          const replica = routing?.replica;
          if (replica && errors.some((error) => this.failed(replica, error))) routing.failed = true;
        },
      }),
    };
  }

  async close(): Promise<void> {
    for (const timer of this.retryTimers.values()) clearTimeout(timer);
    this.retryTimers.clear();
    await Promise.all(this.replicas.map((replica) => replica.orm.close()));
  }

  private markDown(replica: ReadReplica, reason: string): void {
    if (replica.up) {
      replica.up = false;
      // Only the code: a database error's message may hold SQL values.
      this.log.warn(
        { replica: replica.position, reason },
        'read replica unreachable: its reads go to the primary',
      );
    }
    this.scheduleCheck(replica);
  }

  private scheduleCheck(replica: ReadReplica): void {
    if (this.retryTimers.has(replica)) return;
    const timer = setTimeout(() => {
      this.retryTimers.delete(replica);
      void this.check(replica);
    }, this.retryMs);
    timer.unref();
    this.retryTimers.set(replica, timer);
  }

  /** `select 1` on the replica: up on success (logged when it comes back), down otherwise. */
  private async check(replica: ReadReplica): Promise<void> {
    try {
      await replica.orm.em.getConnection().execute('select 1');
      if (!replica.up) this.log.info({ replica: replica.position }, 'read replica reachable again');
      replica.up = true;
    } catch (error) {
      this.markDown(replica, connectionFailure(error) ?? (error instanceof Error ? error.name : 'error'));
    }
  }
}
