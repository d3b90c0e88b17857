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

/** Structured JSON logs (pino); secrets and personal contact data are redacted. */
export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' }, base: { service: 'niudai' } });
}
