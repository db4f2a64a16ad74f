/**
 * The one logger of the process (pino): JSON lines in production, readable lines in development, level from config
 * (GRIOT_LOG_LEVEL). The server, the start-up code and the CLI all log through it. Secrets are redacted by pino's
 * `redact` wherever they would appear in a logged object (API keys, Authorization headers, bearer tokens), as a
 * second line of defence: no code logs credentials on purpose.
 */
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import pretty from 'pino-pretty';
import { currentRequest } from './request-scope.js';

export type Logger = PinoLogger;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface LoggerOptions {
  level?: LogLevel;
  /** `json` (one object a line, the default) or `pretty` (readable, for a terminal). */
  format?: LogFormat;
  /** Where lines go; standard output by default. Tests pass a stream to read them back. */
  destination?: DestinationStream;
  /** Write to standard error instead of standard output (the CLI, whose standard output is its result). */
  stderr?: boolean;
}

/** Paths whose values are replaced by `[redacted]` in every line. */
export const REDACTED_PATHS = [
  'apiKey',
  'token',
  'secret',
  'password',
  'credential',
  'authorization',
  'cookie',
  '["x-api-key"]',
  '*.apiKey',
  '*.token',
  '*.secret',
  '*.password',
  '*.credential',
  '*.authorization',
  '*.cookie',
  '*["x-api-key"]',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["x-api-key"]',
];

export function createLogger(options: LoggerOptions = {}): Logger {
  const settings = {
    name: 'griot-registry',
    level: options.level ?? 'info',
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    // Every line logged while a request is handled carries its id.
    mixin: () => {
      const request = currentRequest();
      return request ? { requestId: request.id } : {};
    },
    // The stack of an error logged as `err` is kept in that field (one line, never printed as a multi-line block).
    serializers: { err: pino.stdSerializers.err },
  };
  const fd = options.stderr ? 2 : 1;
  if (options.format === 'pretty') {
    const stream = pretty({
      colorize: !options.destination && Boolean((options.stderr ? process.stderr : process.stdout).isTTY),
      sync: true,
      destination: options.destination ?? fd,
      ignore: 'pid,hostname,name',
      translateTime: 'SYS:HH:MM:ss.l',
    });
    return pino(settings, stream);
  }
  return pino(settings, options.destination ?? sharedDestination(fd));
}

/**
 * One buffered destination per file descriptor for the whole process: the start-up logger and the configured one
 * write through the same buffer, so their lines reach stdout in the order they were logged (two buffers on one fd
 * flush independently and could put `stopped` before the shutdown line).
 */
const destinations = new Map<number, DestinationStream>();
function sharedDestination(fd: number): DestinationStream {
  let destination = destinations.get(fd);
  if (!destination) destinations.set(fd, (destination = pino.destination({ dest: fd, sync: false })));
  return destination;
}

/**
 * The logger's settings before config could be read (a bad setting is itself logged): the level and format that
 * GRIOT_LOG_LEVEL / GRIOT_LOG_FORMAT / NODE_ENV would give when they are valid, else the defaults.
 */
export function startupLoggerOptions(env: NodeJS.ProcessEnv = process.env): Pick<LoggerOptions, 'level' | 'format'> {
  const level = LOG_LEVELS.find((l) => l === env.GRIOT_LOG_LEVEL) ?? 'info';
  const format = LOG_FORMATS.find((f) => f === env.GRIOT_LOG_FORMAT) ?? ((env.NODE_ENV ?? 'development') === 'development' ? 'pretty' : 'json');
  return { level, format };
}

/** A logger that writes nothing (the default of createServer when the caller passes none). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
