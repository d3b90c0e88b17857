import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { Services } from './services.js';

/**
 * The changes time makes (docs/domain.md, "Time"), every `intervalSeconds` (0: never): demands
 * expire and claims lapse, projects' application periods close. Each is written like a mutation's
 * change (audited, with its outbox event). A run still going when the next tick comes is not
 * doubled. Returns the function that stops the timer and waits for a run in progress, for
 * `App.stop()`.
 */
export function startSweep(
  services: Pick<Services, 'demandSweep' | 'projectPublishing'>,
  orm: MikroORM,
  log: Pick<Logger, 'error' | 'info'>,
  intervalSeconds: number,
): () => Promise<void> {
  if (intervalSeconds <= 0) return async () => {};
  let running: Promise<void> | null = null;
  const run = async () => {
    const now = new Date();
    const { expired, lapsed } = await services.demandSweep.run(orm.em.fork(), now);
    const closed = await services.projectPublishing.closeEndedApplicationPeriods(orm.em.fork(), now);
    if (expired || lapsed || closed) log.info({ expired, lapsed, closed }, 'sweep');
  };
  const timer = setInterval(() => {
    if (running) return;
    running = run()
      .catch((err: unknown) => log.error({ err }, 'sweep failed'))
      .finally(() => (running = null));
  }, intervalSeconds * 1000);
  timer.unref(); // never keeps the process alive on its own
  return async () => {
    clearInterval(timer);
    await running;
  };
}
