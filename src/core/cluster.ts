/**
 * `WORKERS=N` (N > 1): one primary process and N workers sharing the port through node:cluster.
 *
 * The primary owns what must exist once: the embedded PostgreSQL, migrations and reference data (main.ts,
 * before forking), and the supervision of the workers: it restarts a worker that dies, answers the
 * questions only the whole cluster can answer (`/readyz`: is every worker ready; `/metrics`: the sum
 * over workers, prom-client's AggregatorRegistry), and on SIGTERM stops every worker and waits for all
 * of them before PostgreSQL stops. Each worker is a whole hub (createApp): its own relay, subscribers,
 * pool. The background jobs (the sweep, webhook delivery) run on worker slot 1 only; its
 * replacement after a crash takes them over. They would be safe on every worker (their rows are
 * claimed FOR UPDATE SKIP LOCKED), but N timers and N pollers would only multiply the database's work.
 *
 * A request reaches one worker; that worker asks the primary over the IPC channel, which asks every
 * worker. Messages carry a `type` prefixed `niudai:`; prom-client's own cluster messages are separate.
 *
 * @module
 */
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { AggregatorRegistry, type Registry } from 'prom-client';

/** Which worker a process is (1…N, stable across restarts): set by the primary in the worker's environment. */
export const WORKER_SLOT_ENV = 'NIUDAI_WORKER_SLOT';
/** The slot whose worker runs the background jobs. */
export const JOBS_SLOT = 1;

/** An HTTP status and JSON body, as `/readyz` answers. */
export type Readiness = [number, unknown];

/** How long the primary waits for a worker's answer (and a worker for the primary's). */
const ANSWER_TIMEOUT_MS = 5_000;
/** A worker that dies is forked again after this, doubled per crash in a row, up to the cap. */
const RESTART_MIN_MS = 100;
const RESTART_MAX_MS = 10_000;
/** A worker that has not exited this long after SIGTERM is killed (its drain allows 10 s). */
const STOP_GRACE_MS = 30_000;

type Question = 'readiness' | 'metrics';
type Message =
  | { type: 'niudai:ask'; id: number; question: Question }
  | { type: 'niudai:answer'; id: number; value: unknown }
  | { type: 'niudai:readiness?'; id: number }
  | { type: 'niudai:readiness'; id: number; value: Readiness }
  | { type: 'niudai:webhook-registered' };

function isMessage(value: unknown): value is Message {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { type?: unknown }).type === 'string' &&
    (value as { type: string }).type.startsWith('niudai:')
  );
}

/** Pending questions by id, each settled by its answer or its timeout. */
class Pending<T> {
  private next = 0;
  private readonly waiting = new Map<number, (value: T) => void>();

  /** Sends with a fresh id; resolves with the answer, or `fallback` after the timeout. */
  ask(send: (id: number) => void, fallback: T): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        resolve(fallback);
      }, ANSWER_TIMEOUT_MS);
      this.waiting.set(id, (value) => {
        clearTimeout(timer);
        this.waiting.delete(id);
        resolve(value);
      });
      try {
        send(id);
      } catch {
        this.waiting.get(id)?.(fallback); // the channel is closed
      }
    });
  }

  settle(id: number, value: T): void {
    this.waiting.get(id)?.(value);
  }
}

export interface ClusterPrimaryOptions {
  workers: number;
  /** Added to every worker's environment (DATABASE_URL of the embedded server, the JWT secret). */
  env: Record<string, string>;
  log: Logger;
}

/** The primary: forks, supervises, aggregates and stops the workers. */
export class ClusterPrimary {
  private readonly slots = new Map<number, Worker>();
  /** Slots whose current worker is listening. */
  private readonly listening = new Set<number>();
  private readonly crashesInARow = new Map<number, number>();
  private readonly restartTimers = new Set<NodeJS.Timeout>();
  private readonly readinessAnswers = new Pending<Readiness>();
  private readonly aggregator = new AggregatorRegistry();
  private stopping = false;
  private address: string | null = null;
  /** Set while start() waits for every worker to listen. */
  private allListening: ((address: string) => void) | null = null;

  constructor(private readonly options: ClusterPrimaryOptions) {
    cluster.on('message', (worker, message: unknown) => this.onMessage(worker, message));
  }

  /**
   * Forks every worker; resolves with the URL once all of them listen. A worker that dies before
   * that fails the start (the same error would only repeat).
   */
  start(): Promise<string> {
    return new Promise((resolve, reject) => {
      const onEarlyExit = (worker: Worker, code: number | null, signal: string | null) => {
        this.allListening = null;
        reject(new Error(`worker ${worker.id} exited (${signal ?? code}) before serving`));
      };
      this.allListening = (address) => {
        this.allListening = null;
        cluster.off('exit', onEarlyExit);
        resolve(address);
      };
      cluster.once('exit', onEarlyExit);
      for (let slot = 1; slot <= this.options.workers; slot++) this.fork(slot);
    });
  }

  private fork(slot: number): void {
    const worker = cluster.fork({ ...this.options.env, [WORKER_SLOT_ENV]: String(slot) });
    this.slots.set(slot, worker);
    worker.on('listening', ({ address, port }) => {
      this.listening.add(slot);
      this.crashesInARow.delete(slot);
      const host = address === '0.0.0.0' || address === '::' || address === null ? '127.0.0.1' : address;
      this.address ??= `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
      if (this.listening.size === this.options.workers) this.allListening?.(this.address);
    });
    worker.on('exit', (code, signal) => {
      if (this.slots.get(slot) === worker) {
        this.slots.delete(slot);
        this.listening.delete(slot);
      }
      // Before every worker served once, start() fails instead (see onEarlyExit).
      if (this.stopping || this.allListening) return;
      const crashes = (this.crashesInARow.get(slot) ?? 0) + 1;
      this.crashesInARow.set(slot, crashes);
      const delay = Math.min(RESTART_MAX_MS, RESTART_MIN_MS * 2 ** (crashes - 1));
      this.options.log.error(
        { slot, pid: worker.process.pid, code, signal, restartInMs: delay },
        'worker exited; starting a new one',
      );
      const timer = setTimeout(() => {
        this.restartTimers.delete(timer);
        if (!this.stopping) this.fork(slot);
      }, delay);
      this.restartTimers.add(timer);
    });
  }

  private onMessage(worker: Worker, message: unknown): void {
    if (!isMessage(message)) return;
    if (message.type === 'niudai:readiness') this.readinessAnswers.settle(message.id, message.value);
    else if (message.type === 'niudai:webhook-registered') {
      this.slots.get(JOBS_SLOT)?.send(message);
    } else if (message.type === 'niudai:ask') {
      const answer = message.question === 'metrics' ? this.metrics() : this.readiness();
      void answer.then((value) => {
        if (worker.isConnected()) worker.send({ type: 'niudai:answer', id: message.id, value });
      });
    }
  }

  /** 200 only when every slot has a listening worker and each of them is ready. */
  async readiness(): Promise<Readiness> {
    if (this.stopping) return [503, { status: 'stopping' }];
    for (let slot = 1; slot <= this.options.workers; slot++) {
      if (!this.listening.has(slot)) return [503, { status: 'worker not serving', worker: slot }];
    }
    const answers = await Promise.all(
      [...this.slots].map(async ([slot, worker]) => {
        const answer = await this.readinessAnswers.ask(
          (id) => worker.send({ type: 'niudai:readiness?', id }),
          [503, { status: 'worker not answering' }],
        );
        return { slot, answer };
      }),
    );
    const notReady = answers.find(({ answer }) => answer[0] !== 200);
    if (notReady) return [503, { ...(notReady.answer[1] as object), worker: notReady.slot }];
    return [200, { status: 'ready', workers: answers.length }];
  }

  /** Every worker's metrics, summed (or as each metric's aggregator says), as Prometheus text. */
  async metrics(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.aggregator.contentType, body: await this.aggregator.clusterMetrics() };
  }

  /** Sends SIGTERM to every worker and waits until all have exited; resolves whether all exited 0. */
  async stop(): Promise<boolean> {
    this.stopping = true;
    for (const timer of this.restartTimers) clearTimeout(timer);
    const exits = [...this.slots.values()].map(
      (worker) =>
        new Promise<boolean>((resolve) => {
          if (worker.process.exitCode !== null || worker.process.signalCode !== null)
            return resolve(worker.process.exitCode === 0);
          const kill = setTimeout(() => worker.process.kill('SIGKILL'), STOP_GRACE_MS);
          worker.once('exit', (code) => {
            clearTimeout(kill);
            resolve(code === 0);
          });
          worker.process.kill('SIGTERM');
        }),
    );
    return (await Promise.all(exits)).every(Boolean);
  }
}

/** What a worker's own app answers for the primary. */
export interface WorkerLocal {
  readiness: () => Promise<Readiness>;
  registry: Registry;
  /** An endpoint was registered on another worker: the webhook worker should look now. */
  webhookRegistered: () => void;
}

/**
 * A worker's side of the cluster: the answers that need every worker (asked of the primary), and
 * the questions the primary asks this worker, answered once {@link ClusterWorker.serve} is called.
 */
export class ClusterWorker {
  readonly slot: number;
  private readonly answers = new Pending<unknown>();
  private local: WorkerLocal | null = null;

  constructor() {
    this.slot = Number(process.env[WORKER_SLOT_ENV]);
    // Installs prom-client's answer to the primary's metrics requests (registries set in serve()).
    new AggregatorRegistry();
    process.on('message', (message: unknown) => this.onMessage(message));
  }

  /** Whether this worker runs the background jobs. */
  get runsJobs(): boolean {
    return this.slot === JOBS_SLOT;
  }

  serve(local: WorkerLocal): void {
    this.local = local;
    AggregatorRegistry.setRegistries([local.registry]);
  }

  /** The cluster's readiness (every worker), or 503 when the primary does not answer. */
  async readiness(): Promise<Readiness> {
    return (await this.ask('readiness', [503, { status: 'primary not answering' }])) as Readiness;
  }

  /** The cluster's metrics; null when the primary does not answer. */
  async metrics(): Promise<{ contentType: string; body: string } | null> {
    return (await this.ask('metrics', null)) as { contentType: string; body: string } | null;
  }

  /** Tells the jobs worker (through the primary) that an endpoint was registered here. */
  webhookRegistered(): void {
    if (!this.runsJobs && process.connected) process.send?.({ type: 'niudai:webhook-registered' });
  }

  private ask(question: Question, fallback: unknown): Promise<unknown> {
    if (!process.connected) return Promise.resolve(fallback);
    return this.answers.ask((id) => process.send?.({ type: 'niudai:ask', id, question }), fallback);
  }

  private onMessage(message: unknown): void {
    if (!isMessage(message)) return;
    if (message.type === 'niudai:answer') this.answers.settle(message.id, message.value);
    else if (message.type === 'niudai:webhook-registered') this.local?.webhookRegistered();
    else if (message.type === 'niudai:readiness?') {
      const local = this.local;
      const answer: Promise<Readiness> = local
        ? local.readiness()
        : Promise.resolve([503, { status: 'starting' }]);
      void answer.then((value) => {
        if (process.connected) process.send?.({ type: 'niudai:readiness', id: message.id, value });
      });
    }
  }
}
