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

/** pino-pretty, when it is installed (a dev dependency: a production install has JSON only). */
function prettyTarget(): string | undefined {
  try {
    return import.meta.resolve('pino-pretty');
  } catch {
    return undefined;
  }
}

/**
 * JSON lines on stdout (or `destination`, for tests that read them); readable colored lines instead
 * when `pretty` (development on a terminal) and pino-pretty is there.
 */
export function createLogger(level: string, destination?: DestinationStream, { pretty = false } = {}): Logger {
  const options = { level, redact: { paths: REDACT, censor: '[redacted]' } };
  if (destination) return pino(options, destination);
  const target = pretty ? prettyTarget() : undefined;
  return target
    ? pino({ ...options, transport: { target, options: { ignore: 'pid,hostname,req.headers,res.headers', singleLine: true } } })
    : pino(options);
}
