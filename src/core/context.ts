import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { TokenService, Viewer, ViewerSource } from './auth.js';
import type { Config } from './config.js';
import type { EventHub } from './events/event-hub.js';
import type { ExecutionDeadline } from './graphql/execution-limits.js';
import type { Node } from './relay/node.js';
import type { RecentViewers } from './rights/recent-viewers.js';

/**
 * The services, built once per process by the composition root (src/services.ts). Core declares
 * the ones it uses itself; src/services.ts adds the modules' own by declaration merging, so that
 * resolvers see every service while core/ imports no module.
 */
export interface Services {
  config: Config;
  tokens: TokenService;
  /** Reads the signed-in account for requests and subscriptions (the accounts module's ViewerService). */
  viewers: ViewerSource;
  /** The accounts' rights read recently, which `viewers.loadRecent` reuses (createApp keeps it current). */
  recentViewers: RecentViewers<unknown>;
  /** Answers `node(id)` for every type a module registered (relay/node.resolver.ts's NodeRegistry). */
  nodes: NodeSource;
  /** The real-time feed: match index and subscriber streams (its relay is started by createApp). */
  events: EventHub;
  /** How each module builds its per-operation loaders (see {@link RequestLoaders}). */
  loaderFactories: LoaderFactories;
}

/**
 * The per-operation batch loaders (dataloaders), one set per unit of work: each module declares its
 * own here by declaration merging (`declare module '…/core/context.js'`) and gives its factory to
 * the composition root (`loaderFactories` in src/services.ts), so core/ names none.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- the modules fill it in
export interface RequestLoaders {}

/** Builds one module's loaders for a unit of work. */
export type LoaderFactories = { [K in keyof RequestLoaders]: (em: EntityManager) => RequestLoaders[K] };

/** The loaders of one unit of work, each built on first use. */
export function createLoaders(factories: LoaderFactories, em: EntityManager): RequestLoaders {
  const loaders = Object.create(loadersPrototype(factories)) as RequestLoaders & {
    [UNIT_OF_WORK]: EntityManager;
  };
  loaders[UNIT_OF_WORK] = em;
  return loaders;
}

const UNIT_OF_WORK = Symbol('unitOfWork');
const prototypes = new WeakMap<LoaderFactories, object>();

/**
 * One getter per module on a prototype shared by every set of loaders built from `factories`: the
 * first read builds that module's loaders for the set's unit of work and keeps them as an own
 * property. Why not a getter per set: every request builds a set, most use one module's loaders or
 * none, and defining a closure per module per request was 1 % of the lookup's CPU.
 */
function loadersPrototype(factories: LoaderFactories): object {
  let prototype = prototypes.get(factories);
  if (prototype) return prototype;
  prototype = {};
  for (const key of Object.keys(factories) as (keyof RequestLoaders)[]) {
    Object.defineProperty(prototype, key, {
      get(this: RequestLoaders & { [UNIT_OF_WORK]: EntityManager }) {
        const built = factories[key](this[UNIT_OF_WORK]);
        Object.defineProperty(this, key, { value: built, enumerable: true });
        return built;
      },
    });
  }
  prototypes.set(factories, prototype);
  return prototype;
}

/**
 * Gives the context another unit of work (a fork: a replica's, or a live event's) with its loaders,
 * so that no loader keeps reading through the old one. Subscribers handed the same live event share
 * the fork and its loaders, and so batch together.
 */
export function useUnitOfWork(
  ctx: Context,
  em: EntityManager,
  loaders: RequestLoaders = createLoaders(ctx.services.loaderFactories, em),
): void {
  ctx.em = em;
  ctx.loaders = loaders;
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
  /** The loaders of `em` (per operation; {@link useUnitOfWork} changes both). */
  loaders: RequestLoaders;
  /** The client's network address (the TCP peer), for per-address rate limits; absent in scripts. */
  clientAddress?: string;
  /** The operation's time budget (LIMIT_EXECUTION_MS); resolvers do not start past it. */
  deadline?: ExecutionDeadline;
}

/** The part of a Context that services need: who acts, and the unit of work to act in. */
export type Actor = Pick<Context, 'em' | 'viewer' | 'requestId'>;
