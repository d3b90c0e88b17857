/**
 * Prometheus metrics (`GET /metrics`), with `prom-client`, the standard Prometheus client for Node.
 *
 * Each app owns its own {@link Registry}: tests run several apps in one process, and the library's
 * global default registry would reject the second app's metrics as duplicates. Gauges whose value
 * already lives somewhere else (open sockets, pool use, relay position) are read at scrape time by a
 * `collect` callback instead of being kept in step by hand.
 *
 * @module
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { ExecutionEngine } from './graphql/compiled-execution.js';
import { getOperationAST } from 'graphql';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { FeedEvent } from './events/match-index.js';

/** Where the scrape-time gauges read their values; each is optional so the metrics work in part. */
export interface MetricSources {
  /** WebSocket connections open on this process. */
  openSockets?: () => number;
  /** Live event-feed subscriptions on this process (entries of the match index). */
  activeSubscriptions?: () => number;
  /** The seq of the last event the relay handed on, and whether its LISTEN connection is up. */
  relay?: () => { position: number; connected: boolean } | null;
  /** The ORM whose pool is reported and whose `event` table gives the newest seq. */
  orm?: MikroORM;
  /** Read replicas (1-based position) and whether each is believed reachable. */
  replicas?: () => { position: number; up: boolean }[];
  /** This process's worker slot under WORKERS > 1 (src/core/cluster.ts); absent for a single process. */
  worker?: number;
}

/** Outcome label of a GraphQL request: `ok`, or the first error's code (a small, fixed set). */
export type GraphQLOutcome = string;

/** At most this many distinct operation names are labelled; later ones are counted as `other`. */
export const MAX_OPERATION_NAMES = 200;

const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/**
 * The `operation` label for a client-chosen operation name. Names are bounded in shape and in number,
 * so a client cannot blow up the series count: anonymous operations are `anonymous`, odd names
 * `invalid`, and names beyond the first {@link MAX_OPERATION_NAMES} seen are `other`.
 */
export function operationLabel(name: string | null | undefined, seen: Set<string>): string {
  if (!name) return 'anonymous';
  if (!OPERATION_NAME.test(name)) return 'invalid';
  if (seen.has(name)) return name;
  if (seen.size >= MAX_OPERATION_NAMES) return 'other';
  seen.add(name);
  return name;
}

/** The hub's metrics for one app: build one per `createApp`, expose {@link HubMetrics.render}. */
export class HubMetrics {
  readonly registry = new Registry();
  private readonly operationNames = new Set<string>();
  private readonly requests: Counter<'operation' | 'outcome'>;
  private readonly duration: Histogram<'operation' | 'outcome'>;
  private readonly relayed: Counter;
  private readonly delivered: Counter;
  private readonly webhookAttempts: Counter<'outcome'>;
  private readonly executions: Counter<'engine'>;
  private readonly workerRequests: Counter<'worker'> | null = null;
  private readonly workerLabel: string | null = null;

  constructor(sources: MetricSources = {}) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: 'niudai_graphql_requests_total',
      help: 'GraphQL operations over HTTP, by operation name and outcome (ok or the error code).',
      labelNames: ['operation', 'outcome'],
      registers,
    });
    this.duration = new Histogram({
      name: 'niudai_graphql_request_duration_seconds',
      help: 'Time to answer a GraphQL operation over HTTP, by operation name and outcome.',
      labelNames: ['operation', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    new Gauge({
      name: 'niudai_websocket_sockets_open',
      help: 'graphql-ws sockets open on this process.',
      registers,
      collect() {
        this.set(sources.openSockets?.() ?? 0);
      },
    });
    new Gauge({
      name: 'niudai_subscriptions_active',
      help: 'Live event-feed subscriptions (demandPublished, projectPublished, …) on this process.',
      registers,
      collect() {
        this.set(sources.activeSubscriptions?.() ?? 0);
      },
    });
    this.relayed = new Counter({
      name: 'niudai_events_relayed_total',
      help: 'Outbox events the relay read and handed to the match index.',
      registers,
    });
    this.delivered = new Counter({
      name: 'niudai_events_delivered_total',
      help: 'Events handed to live subscribers (one per matching subscriber).',
      registers,
    });
    new Gauge({
      name: 'niudai_events_relay_connected',
      help: '1 while the relay LISTEN connection is up, else 0 (across workers: the lowest).',
      registers,
      aggregator: 'min',
      collect() {
        this.set(sources.relay?.()?.connected ? 1 : 0);
      },
    });
    const orm = sources.orm;
    new Gauge({
      name: 'niudai_events_relay_lag',
      help: 'Newest event seq in the outbox minus the last seq this process relayed (across workers: the highest).',
      registers,
      aggregator: 'max',
      async collect() {
        const relay = sources.relay?.();
        if (!orm || !relay) return this.set(0);
        try {
          const rows = await orm.em
            .getConnection()
            .execute<{ head: string }[]>('select coalesce(max("seq"), 0) as "head" from "event"');
          this.set(Math.max(0, Number(rows[0]?.head ?? 0) - relay.position));
        } catch {
          // The database is down: leave the last value; readiness reports the outage.
        }
      },
    });
    new Gauge({
      name: 'niudai_db_pool_connections',
      help: 'Database pool connections by state: used, free, pending (acquires waiting), max.',
      labelNames: ['state'],
      registers,
      collect() {
        const client = orm?.em.getConnection().getKnex().client as
          | {
              pool?: {
                numUsed(): number;
                numFree(): number;
                numPendingAcquires(): number;
              };
              config?: { pool?: { max?: number } };
            }
          | undefined;
        const pool = client?.pool;
        if (!pool) return;
        this.set({ state: 'used' }, pool.numUsed());
        this.set({ state: 'free' }, pool.numFree());
        this.set({ state: 'pending' }, pool.numPendingAcquires());
        const max = client.config?.pool?.max;
        if (typeof max === 'number') this.set({ state: 'max' }, max);
      },
    });
    this.webhookAttempts = new Counter({
      name: 'niudai_webhook_attempts_total',
      help: 'Webhook delivery attempts made by this process, by outcome (delivered, failed).',
      labelNames: ['outcome'],
      registers,
    });
    new Gauge({
      name: 'niudai_db_replica_up',
      help: 'Per read replica (position in DATABASE_REPLICA_URLS): 1 while its reads go to it, 0 while they go to the primary (across workers: the lowest).',
      labelNames: ['replica'],
      registers,
      aggregator: 'min',
      collect() {
        for (const { position, up } of sources.replicas?.() ?? [])
          this.set({ replica: String(position) }, up ? 1 : 0);
      },
    });
    if (sources.worker !== undefined) {
      this.workerLabel = String(sources.worker);
      this.workerRequests = new Counter({
        name: 'niudai_worker_http_requests_total',
        help: 'HTTP requests answered, by worker slot (WORKERS > 1).',
        labelNames: ['worker'],
        registers,
      });
    }
    this.executions = new Counter({
      name: 'niudai_graphql_executions_total',
      help: 'HTTP operations executed, by engine: compiled (graphql-jit) or interpreted (graphql-js).',
      labelNames: ['engine'],
      registers,
    });
  }

  /** Records one GraphQL operation. */
  observeRequest(operationName: string | null | undefined, outcome: GraphQLOutcome, seconds: number): void {
    const labels = { operation: operationLabel(operationName, this.operationNames), outcome };
    this.requests.inc(labels);
    this.duration.observe(labels, seconds);
  }

  /** Records one event read by the relay and how many live subscribers it was handed to. */
  observeEvent(_event: FeedEvent, matched: number): void {
    this.relayed.inc();
    if (matched > 0) this.delivered.inc(matched);
  }

  /** Records one HTTP request answered by this worker (only under WORKERS > 1). */
  observeHttpRequest(): void {
    if (this.workerRequests && this.workerLabel) this.workerRequests.inc({ worker: this.workerLabel });
  }

  /** Records which engine executed one HTTP operation (compiled-execution.ts). */
  observeExecution(engine: ExecutionEngine): void {
    this.executions.inc({ engine });
  }

  /** Records one webhook delivery attempt. */
  observeWebhookAttempt(delivered: boolean): void {
    this.webhookAttempts.inc({ outcome: delivered ? 'delivered' : 'failed' });
  }

  /** The Prometheus text exposition and its content type. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /**
   * Apollo plugin: counts and times every operation over HTTP. The outcome is `ok` or the first
   * error's code (already masked by then, so the label set stays small).
   */
  apolloPlugin<TContext extends object>(): ApolloServerPlugin<TContext> {
    return {
      requestDidStart: async () => {
        const started = performance.now();
        return {
          willSendResponse: async ({ operationName, request, document, response, errors }) => {
            const body = response.body;
            const resultErrors = body.kind === 'single' ? body.singleResult.errors : undefined;
            const first = (errors ?? resultErrors ?? [])[0];
            const code = first?.extensions?.code;
            const outcome = first ? (typeof code === 'string' ? code : 'ERROR') : 'ok';
            // A request that failed validation has no resolved operation yet: name it from the document.
            const name =
              operationName ??
              (document ? getOperationAST(document, request.operationName)?.name?.value : undefined) ??
              request.operationName;
            this.observeRequest(name, outcome, (performance.now() - started) / 1000);
          },
        };
      },
    };
  }
}
