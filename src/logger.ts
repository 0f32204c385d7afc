import { pino, type DestinationStream, type Logger } from 'pino';

/** Never let a credential reach a log line, whatever object gets logged. */
const REDACT = [
  'req.headers.cookie',
  'req.headers.authorization',
  'res.headers["set-cookie"]',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.apiKey',
];

/** JSON lines on stdout (or `destination`, for tests that read them). */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, redact: { paths: REDACT, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}
