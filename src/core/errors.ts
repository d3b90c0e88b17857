import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { ArgumentValidationError } from 'type-graphql';
import type { ValidationError as ClassValidatorError } from 'class-validator';
import type { Logger } from 'pino';

/**
 * The codes clients may rely on (docs/api.md, "Errors"). Anything else is masked as
 * INTERNAL_SERVER_ERROR.
 */
export enum ErrorCode {
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  NOT_FOUND = 'NOT_FOUND',
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  CONFLICT = 'CONFLICT',
  RATE_LIMITED = 'RATE_LIMITED',
  /** The operation's computed cost is over LIMIT_MAX_COST; nothing ran. */
  QUERY_TOO_COMPLEX = 'QUERY_TOO_COMPLEX',
  /** The result is larger than LIMIT_MAX_RESPONSE_BYTES; it was not sent. */
  RESPONSE_TOO_LARGE = 'RESPONSE_TOO_LARGE',
  /** The operation ran past LIMIT_EXECUTION_MS and was stopped. */
  EXECUTION_TIMEOUT = 'EXECUTION_TIMEOUT',
  /**
   * The database could not be reached (down, restarting): nothing was decided. Try again; a
   * subscription ended with it is resumed by subscribing again with `after` = the last cursor.
   */
  SERVICE_UNAVAILABLE = 'SERVICE_UNAVAILABLE',
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
}

/**
 * One invalid input field: `path` is the dotted path from the field's arguments (e.g.
 * `input.creditCode`, or `first` for a plain argument).
 */
export interface FieldProblem {
  path: string;
  message: string;
}

/** A deliberate, expected failure: its message and extensions are safe to show to the client. */
export class AppError extends GraphQLError {
  constructor(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { ...extensions, code } });
    this.name = 'AppError';
  }
}

export class UnauthenticatedError extends AppError {
  constructor(message = 'You must be signed in to do this.') {
    super(ErrorCode.UNAUTHENTICATED, message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'You are not allowed to do this.', extensions: Record<string, unknown> = {}) {
    super(ErrorCode.FORBIDDEN, message, extensions);
  }
}

export class NotFoundError extends AppError {
  constructor(what: string, id?: string) {
    super(ErrorCode.NOT_FOUND, id ? `${what} ${id} was not found.` : `${what} was not found.`);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, extensions: Record<string, unknown> = {}) {
    super(ErrorCode.CONFLICT, message, extensions);
  }
}

export class RateLimitedError extends AppError {
  constructor(retryAfterSeconds: number) {
    super(ErrorCode.RATE_LIMITED, `Too many attempts; try again in ${retryAfterSeconds} s.`, {
      retryAfterSeconds,
    });
  }
}

export class QueryTooComplexError extends AppError {
  constructor(cost: number, maxCost: number) {
    super(
      ErrorCode.QUERY_TOO_COMPLEX,
      `The query costs ${Number.isFinite(cost) ? cost : 'too much to count'}, over the limit of ${maxCost}: ` +
        'ask for smaller pages (`first`), fewer nested lists or fewer aliases.',
      { cost: Number.isFinite(cost) ? cost : null, maxCost },
    );
  }
}

export class ResponseTooLargeError extends AppError {
  constructor(maxBytes: number) {
    super(
      ErrorCode.RESPONSE_TOO_LARGE,
      `The response would exceed ${maxBytes} bytes; ask for smaller pages or fewer fields.`,
      { maxBytes },
    );
  }
}

export class ExecutionTimeoutError extends AppError {
  constructor(limitMs: number) {
    super(
      ErrorCode.EXECUTION_TIMEOUT,
      `The operation ran longer than ${limitMs} ms and was stopped; ask for less at once.`,
      { limitMs },
    );
  }
}

export class ServiceUnavailableError extends AppError {
  constructor() {
    super(
      ErrorCode.SERVICE_UNAVAILABLE,
      'The service is briefly unavailable; try again (a subscription: resume after your last cursor).',
    );
  }
}

export class BadUserInputError extends AppError {
  constructor(fields: FieldProblem[], message?: string) {
    super(ErrorCode.BAD_USER_INPUT, message ?? fields.map((f) => `${f.path}: ${f.message}`).join('; '), {
      fields,
    });
  }

  /** A single bad field, the common case in services. */
  static field(path: string, message: string): BadUserInputError {
    return new BadUserInputError([{ path, message }]);
  }
}

/**
 * An argument that failed validation, with the name of the argument it came from (null when the
 * failing properties are the field's arguments themselves, as with an `@ArgsType` class).
 */
export class InvalidArgumentError extends ArgumentValidationError {
  constructor(
    errors: ClassValidatorError[],
    readonly argumentName: string | null,
  ) {
    super(errors);
  }
}

/** Flattens class-validator's nested errors into `{ path, message }` pairs (`prefix` empty: none). */
export function fieldProblems(errors: ClassValidatorError[], prefix: string | null): FieldProblem[] {
  return errors.flatMap((error) => {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ path, message }));
    return [...own, ...fieldProblems(error.children ?? [], path)];
  });
}

/** Codes that graphql-js, Apollo and armor raise deliberately for bad requests: safe to pass through. */
const PASS_THROUGH_CODES = new Set<string>([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_REQUEST',
]);

/**
 * The error behind the wrappers: Apollo's around a resolver's error, and graphql-ws's around an
 * error that ends a subscription's stream (a GraphQLError without a path, e.g. FORBIDDEN when the
 * subscriber's rights end).
 */
function originalOf(error: unknown): unknown {
  let current = unwrapResolverError(error);
  while (current instanceof GraphQLError && !(current instanceof AppError) && current.originalError)
    current = current.originalError;
  return current;
}

/**
 * The one place where errors become what clients see. Deliberate errors keep their code; validation
 * errors from class-validator become BAD_USER_INPUT with their fields; everything else (database
 * errors, bugs) is logged in full and reaches the client as a bare INTERNAL_SERVER_ERROR.
 */
export function formatError(log: Pick<Logger, 'error'>) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = originalOf(error);
    if (original instanceof AppError) {
      return {
        message: original.message,
        path: formatted.path,
        locations: formatted.locations,
        extensions: original.extensions,
      };
    }
    if (original instanceof ArgumentValidationError) {
      const argumentName = original instanceof InvalidArgumentError ? original.argumentName : 'input';
      const fields = fieldProblems(
        original.extensions.validationErrors as ClassValidatorError[],
        argumentName,
      );
      return {
        message: fields.map((f) => `${f.path}: ${f.message}`).join('; ') || 'Invalid input.',
        path: formatted.path,
        locations: formatted.locations,
        extensions: { code: ErrorCode.BAD_USER_INPUT, fields },
      };
    }
    const code = formatted.extensions?.code;
    // Errors that graphql-js raised for the document itself carry no original error.
    const isRequestError =
      typeof code === 'string' &&
      PASS_THROUGH_CODES.has(code) &&
      (original === undefined || original === null || original instanceof GraphQLError);
    if (isRequestError) return { ...formatted, extensions: { code } };
    if (original instanceof GraphQLError && original.originalError === undefined && !formatted.path) {
      // A validation error from a rule (armor's limits, graphql-js rules): about the request, not a crash.
      return {
        message: formatted.message,
        locations: formatted.locations,
        extensions: { code: code ?? 'GRAPHQL_VALIDATION_FAILED' },
      };
    }
    log.error({ err: original ?? error, path: formatted.path }, 'unexpected error (masked for the client)');
    return {
      message: 'Internal server error.',
      path: formatted.path,
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}
