import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { DemandService } from './demand.service.js';

/**
 * Runs `DemandService.sweep` every `intervalSeconds` (0: never). A run that is still going when the
 * next tick comes is not doubled. Returns the function that stops the timer and waits for a run in
 * progress, for `App.stop()`.
 */
export function startDemandSweep(
  demands: DemandService,
  orm: MikroORM,
  log: Pick<Logger, 'error' | 'info'>,
  intervalSeconds: number,
): () => Promise<void> {
  if (intervalSeconds <= 0) return async () => {};
  let running: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = demands
      .sweep(orm.em.fork(), new Date())
      .then(({ expired, lapsed }) => {
        if (expired || lapsed) log.info({ expired, lapsed }, 'demand sweep');
      })
      .catch((err: unknown) => log.error({ err }, 'demand sweep failed'))
      .finally(() => (running = null));
  }, intervalSeconds * 1000);
  timer.unref(); // never keeps the process alive on its own
  return async () => {
    clearInterval(timer);
    await running;
  };
}
