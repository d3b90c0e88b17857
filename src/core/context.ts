import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { TokenService, Viewer, ViewerSource } from './auth.js';
import type { Config } from './config.js';
import type { EventHub } from './events/event-hub.js';
import type { ExecutionDeadline } from './graphql/execution-limits.js';
import type { Node } from './relay/node.js';

/**
 * The services, built once per process by the composition root (src/services.ts). Core declares
 * the ones it uses itself; src/services.ts adds the modules' own by declaration merging, so that
 * resolvers see every service while core/ imports no module.
 */
export interface Services {
  config: Config;
  tokens: TokenService;
  /** Reads the signed-in account on every request (the accounts module's ViewerService). */
  viewers: ViewerSource;
  /** Answers `node(id)` for every type a module registered (relay/node.resolver.ts's NodeRegistry). */
  nodes: NodeSource;
  /** The real-time feed: match index and subscriber streams (its relay is started by createApp). */
  events: EventHub;
}

/** Answers `node(id)`: the object of a global id if the viewer may see it, else null. */
export interface NodeSource {
  fetch(ctx: Context, globalId: string): Promise<Node | null>;
}

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
