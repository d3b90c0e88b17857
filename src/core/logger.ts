import pino, { type Logger } from 'pino';
import { DriverException } from '@mikro-orm/core';

/** Paths never written to the log, whatever object carries them. */
const REDACT = [
  'password',
  '*.password',
  '*.*.password',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'req.headers.authorization',
  'variables.input.password',
  'variables.input.contact',
  'connectionParams',
];

/** What may be logged of a database error: never its message, detail, parameters or query. */
export interface DatabaseErrorSummary {
  type: string;
  code?: string;
  constraint?: string;
  table?: string;
  column?: string;
  routine?: string;
  /** The class of the error that carried the database error, when it was wrapped. */
  wrappedIn?: string;
}

type ErrorFields = Error & Record<string, unknown>;

/**
 * A database or driver error: MikroORM's exceptions, and node-postgres' errors (which carry the
 * server's SQLSTATE in `code` and its `severity`). Their messages inline SQL values (a worker's
 * contact, a password hash), so they are told apart from every other error.
 */
function isDatabaseError(error: ErrorFields): boolean {
  return (
    error instanceof DriverException ||
    typeof error.sqlState === 'string' ||
    (typeof error.severity === 'string' && typeof error.code === 'string' && /^[0-9A-Z]{5}$/.test(error.code))
  );
}

/** The error itself, then what it wraps (GraphQL's `originalError`, `cause`), outermost first. */
function errorChain(error: Error): ErrorFields[] {
  const chain: ErrorFields[] = [];
  let current: unknown = error;
  while (current instanceof Error && !chain.includes(current as ErrorFields) && chain.length < 10) {
    chain.push(current as ErrorFields);
    const next: unknown = (current as ErrorFields).originalError ?? (current as ErrorFields).cause;
    current = next;
  }
  return chain;
}

const asString = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/**
 * A database error found in `error` or in what it wraps, as the fields that may be logged; undefined
 * when there is none. Errors that wrap one repeat its message in their own, so the whole error is
 * replaced by the summary.
 */
export function databaseErrorSummary(error: unknown): DatabaseErrorSummary | undefined {
  if (!(error instanceof Error)) return undefined;
  const chain = errorChain(error);
  const database = chain.find(isDatabaseError);
  if (!database) return undefined;
  const summary: DatabaseErrorSummary = {
    type: database.name,
    code: asString(database.sqlState) ?? asString(database.code),
    constraint: asString(database.constraint),
    table: asString(database.table),
    column: asString(database.column),
    routine: asString(database.routine),
  };
  if (database !== error) summary.wrappedIn = error.name;
  for (const key of Object.keys(summary) as (keyof DatabaseErrorSummary)[])
    if (summary[key] === undefined) delete summary[key];
  return summary;
}

/** Any value as it may be logged: a database error becomes its summary, anything else is kept. */
function loggable(value: unknown): unknown {
  return databaseErrorSummary(value) ?? value;
}

/**
 * Every log call, whatever its shape (`log.error(err)`, `log.error({ err }, msg)`, `log.warn(msg, err)`),
 * goes through this: database errors anywhere in the arguments are replaced by their summaries, and
 * a database error given alone does not become the line's message.
 */
function withoutDatabaseMessages(this: Logger, args: unknown[], method: (...a: unknown[]) => void): void {
  const [first, ...rest] = args;
  const summary = databaseErrorSummary(first);
  if (summary) {
    const message = typeof rest[0] === 'string' ? rest.shift() : 'database error';
    return method.apply(this, [{ err: summary }, message, ...rest.map(loggable)]);
  }
  if (first !== null && typeof first === 'object' && !(first instanceof Error)) {
    const fields = Object.fromEntries(Object.entries(first).map(([key, value]) => [key, loggable(value)]));
    return method.apply(this, [fields, ...rest.map(loggable)]);
  }
  return method.apply(this, [first, ...rest.map(loggable)]);
}

/**
 * Structured JSON logs (pino); secrets, personal contact data and database error messages are kept
 * out. Logs go to stdout unless a `destination` is given (tests capture the lines to prove nothing
 * secret is written). Every logger of the hub and its scripts is made here.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    redact: { paths: REDACT, censor: '[redacted]' },
    base: { service: 'niudai' },
    hooks: { logMethod: withoutDatabaseMessages as never },
  };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * A logger for Apollo Server, which writes errors into its message text (`Unexpected error
 * processing request: ${error}`): only Apollo's own text before the interpolated part is kept; the
 * errors themselves reach the log through formatError and the hub's plugins, structured.
 */
export function apolloLogger(log: Logger) {
  const line =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...parts: unknown[]) => {
      const [first] = parts;
      if (first instanceof Error) return log[level]({ err: first }, 'apollo server');
      const text = typeof first === 'string' ? first : 'apollo server';
      const fixed = text.includes(': ') ? text.slice(0, text.indexOf(': ')) : text;
      log[level]({ component: 'apollo' }, fixed);
    };
  return { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
}
