/** A logger whose lines a test reads back: the real pino logger, writing JSON lines into memory. */
import { Writable } from 'node:stream';
import { createLogger, type Logger, type LogLevel } from '../../src/observability/logger.js';

export interface CapturedLog {
  logger: Logger;
  /** Everything written so far, as written. */
  text(): string;
  /** Every line, parsed. */
  lines(): Record<string, unknown>[];
}

export function captureLog(level: LogLevel = 'debug'): CapturedLog {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = createLogger({ level, format: 'json', destination });
  const text = () => chunks.join('');
  return {
    logger,
    text,
    lines: () =>
      text()
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
