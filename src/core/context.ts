import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { Viewer } from './auth.js';
import type { Services } from '../services.js';
import type { ExecutionDeadline } from './graphql/execution-limits.js';

/**
 * What every resolver receives, built the same way for HTTP and graphql-ws: a fresh EntityManager
 * fork (its identity map and dataloaders are per operation), the viewer, and the services.
 */
export interface Context {
  em: EntityManager;
  viewer: Viewer | null;
  requestId: string;
  log: Logger;
  services: Services;
  /** The client's network address (the TCP peer), for per-address rate limits; absent in scripts. */
  clientAddress?: string;
  /** The operation's time budget (LIMIT_EXECUTION_MS); resolvers do not start past it. */
  deadline?: ExecutionDeadline;
}

/** The part of a Context that services need: who acts, and the unit of work to act in. */
export type Actor = Pick<Context, 'em' | 'viewer' | 'requestId'>;
