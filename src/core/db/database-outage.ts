/**
 * A database outage (PostgreSQL down, restarting, a connection cut) is not an answer: nothing was
 * decided, and the same request can succeed a moment later. The live feeds retry their shared reads
 * through a short one and, past it, end the subscription with SERVICE_UNAVAILABLE so that the
 * client reconnects and resumes from its cursor; graphql-ws connections refused for it are closed
 * with {@link OUTAGE_CLOSE_CODE}, never 4403 Forbidden.
 *
 * @module
 */
import { ConnectionException } from '@mikro-orm/core';
import { ServiceUnavailableError } from '../errors.js';

/** Socket-level failures of the connection to PostgreSQL (node's errno codes). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs that mean "the server is not serving you right now": the connection exception class
 * (08…), the server shutting down or crashed (57P01 admin_shutdown — also a backend terminated by
 * an operator —, 57P02 crash_shutdown), still starting up (57P03) and too many connections (53300).
 */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);

/**
 * node-postgres reports a connection lost mid-query, and one that never came, as plain errors with
 * these messages; knex reports an exhausted wait for a pool connection as KnexTimeoutError.
 */
const LOST_CONNECTION =
  /^Connection terminated|^Client has encountered a connection error|timeout exceeded when trying to connect|^Knex: Timeout acquiring a connection/;

/** Whether `error` (or an error it wraps) says the database could not be reached, not what it answered. */
export function isDatabaseOutage(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    if (current instanceof ConnectionException) return true;
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code))
        return true;
    }
    if (current.name === 'KnexTimeoutError' || LOST_CONNECTION.test(current.message)) return true;
    current = (current as { originalError?: unknown }).originalError ?? current.cause;
  }
  return false;
}

/** SERVICE_UNAVAILABLE in place of an outage; any other error unchanged (and so still masked). */
export function unavailableIfOutage(error: unknown): unknown {
  return isDatabaseOutage(error) ? new ServiceUnavailableError() : error;
}

/**
 * Waits before each retry of a read during an outage: about 4 s in all, long enough for a
 * PostgreSQL restart or a failover to complete, short enough that a subscriber is told soon.
 */
export const OUTAGE_RETRY_DELAYS_MS: readonly number[] = [250, 500, 1_000, 2_000];

/**
 * Runs `read`, and again after each of `delays` while it fails with a database outage; past them,
 * throws SERVICE_UNAVAILABLE. Any other failure is thrown at once, as it is.
 */
export async function retryThroughOutage<T>(
  read: () => Promise<T>,
  delays: readonly number[] = OUTAGE_RETRY_DELAYS_MS,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await read();
    } catch (error) {
      if (!isDatabaseOutage(error)) throw error;
      const delay = delays[attempt];
      if (delay === undefined) throw new ServiceUnavailableError();
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
