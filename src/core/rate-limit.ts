import { createHash } from 'node:crypto';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, type OperationDefinitionNode } from 'graphql';
import type { Context } from './context.js';
import type { RateLimitConfig, RateLimitRule } from './config.js';
import { RateLimitedError } from './errors.js';

/** The table created by migration Migration20261126122603 (rate-limiter-flexible's layout). */
export const RATE_LIMIT_TABLE = 'rate_limit';

/** What a limiter counts; also the key prefix of its rows in {@link RATE_LIMIT_TABLE}. */
export enum RateLimitKind {
  SignInAccount = 'signin-account',
  SignInAddress = 'signin-address',
  SignUpAddress = 'signup-address',
  Mutation = 'mutation',
  SmsRecipient = 'sms-recipient',
}

/**
 * One counter kind. `consume` spends a point and throws RATE_LIMITED (with `retryAfterSeconds`)
 * when none is left; `refund` gives one back; `reset` forgets the key.
 */
export interface Limiter {
  readonly enabled: boolean;
  consume(key: string): Promise<void>;
  refund(key: string): Promise<void>;
  reset(key: string): Promise<void>;
}

/** The limiters of one process. Their counters live in PostgreSQL, so every process shares them. */
export interface RateLimits {
  signInAccount: Limiter;
  signInAddress: Limiter;
  signUpAddress: Limiter;
  mutations: Limiter;
}

const OFF: Limiter = {
  enabled: false,
  consume: async () => {},
  refund: async () => {},
  reset: async () => {},
};

/** Whole seconds until the limiter lets the key through again; at least 1. */
export function retryAfterSeconds(msBeforeNext: number): number {
  return Math.max(1, Math.ceil(msBeforeNext / 1000));
}

/** The table's key column holds 255 characters with the prefix: long keys (an email can be 254) are hashed. */
function storeKey(key: string): string {
  return key.length <= 200 ? key : `sha256:${createHash('sha256').update(key).digest('base64url')}`;
}

function limiter(orm: MikroORM, kind: RateLimitKind, rule: RateLimitRule): Limiter {
  if (rule.points <= 0) return OFF;
  const store = new RateLimiterPostgres({
    // The ORM's own knex pool: no second pool, and it reconnects after a database restart like the ORM.
    storeClient: orm.em.getConnection().getKnex(),
    storeType: 'knex',
    tableName: RATE_LIMIT_TABLE,
    tableCreated: true,
    keyPrefix: kind,
    points: rule.points,
    duration: rule.windowSeconds,
    // Expired rows are overwritten on the next hit; the sweep's timer is unref'd, so it never holds a process.
    clearExpiredByTimeout: true,
  });
  return {
    enabled: true,
    async consume(key) {
      try {
        await store.consume(storeKey(key));
      } catch (rejection) {
        // rate-limiter-flexible rejects with a RateLimiterRes when the points are spent, an Error otherwise.
        if (rejection instanceof RateLimiterRes)
          throw new RateLimitedError(retryAfterSeconds(rejection.msBeforeNext));
        throw rejection;
      }
    },
    async refund(key) {
      await store.reward(storeKey(key), 1);
    },
    async reset(key) {
      await store.delete(storeKey(key));
    },
  };
}

/** Builds the limiters from the configuration; a rule with 0 points is off. */
export function createRateLimits(orm: MikroORM, config: RateLimitConfig): RateLimits {
  return {
    signInAccount: limiter(orm, RateLimitKind.SignInAccount, config.signInPerAccount),
    signInAddress: limiter(orm, RateLimitKind.SignInAddress, config.signInPerAddress),
    signUpAddress: limiter(orm, RateLimitKind.SignUpAddress, config.signUpPerAddress),
    mutations: limiter(orm, RateLimitKind.Mutation, config.mutationsPerUser),
  };
}

/** Text messages to one mobile number: at most `perDay` in any 24 hours. */
export function smsRecipientLimiter(orm: MikroORM, perDay: number): Limiter {
  return limiter(orm, RateLimitKind.SmsRecipient, { points: perDay, windowSeconds: 24 * 3600 });
}

/** Limiters that never limit: for services built outside an app (CLI, scripts). */
export const NO_RATE_LIMITS: RateLimits = {
  signInAccount: OFF,
  signInAddress: OFF,
  signUpAddress: OFF,
  mutations: OFF,
};

/** The key of a caller for per-user limits: the user, or the address for anonymous callers. */
export function callerKey(userId: number | null | undefined, address: string | undefined): string {
  return userId ? `user:${userId}` : `address:${address ?? 'unknown'}`;
}

/** Root mutation fields with a budget of their own, which the per-user mutation budget leaves alone. */
const OWN_BUDGET_FIELDS = new Set(['signIn']);

/**
 * Whether an operation spends the per-user mutation budget: every mutation, except one that only
 * signs in (`signIn` has its own per-login and per-address budgets, spent by failures only).
 */
export function spendsMutationBudget(operation: OperationDefinitionNode): boolean {
  if (operation.operation !== 'mutation') return false;
  return !operation.selectionSet.selections.every(
    (s) => s.kind === Kind.FIELD && OWN_BUDGET_FIELDS.has(s.name.value),
  );
}

/**
 * Spends one point of the caller's mutation budget per mutation request over HTTP (graphql-ws does
 * the same in its `onSubscribe`). A spent budget answers HTTP 429 with `Retry-After` and
 * RATE_LIMITED before any resolver runs.
 */
export function mutationRateLimitPlugin(mutations: Limiter): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      if (!mutations.enabled) return;
      return {
        async didResolveOperation({ operation, contextValue, response }) {
          if (!operation || !spendsMutationBudget(operation)) return;
          try {
            await mutations.consume(callerKey(contextValue.viewer?.userId, contextValue.clientAddress));
          } catch (error) {
            if (error instanceof RateLimitedError) {
              response.http.status = 429;
              response.http.headers.set('retry-after', String(error.extensions.retryAfterSeconds));
            }
            throw error;
          }
        },
      };
    },
  };
}
