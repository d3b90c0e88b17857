import pino, { type Logger } from 'pino';

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

/**
 * Structured JSON logs (pino); secrets and personal contact data are redacted. Logs go to stdout
 * unless a `destination` is given (tests capture the lines to prove nothing secret is written).
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options = { level, redact: { paths: REDACT, censor: '[redacted]' }, base: { service: 'niudai' } };
  return destination ? pino(options, destination) : pino(options);
}
