/** The logger itself: JSON lines with level, time and message; secrets redacted wherever they appear in an object. */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, startupLoggerOptions } from '../../src/observability/logger.js';
import { captureLog } from '../support/log.js';

describe('logger', () => {
  it('writes one JSON object a line with level, ISO time, name and message', () => {
    const log = captureLog('info');
    log.logger.info({ port: 4000 }, 'serving');
    log.logger.debug('not at info');
    const lines = log.lines();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 30, name: 'griot-registry', port: 4000, msg: 'serving' });
    expect(new Date(String(lines[0]!.time)).toISOString()).toBe(lines[0]!.time);
  });

  it('redacts API keys, authorization headers and tokens wherever they are logged', () => {
    const log = captureLog();
    log.logger.warn(
      { apiKey: 'key-111', token: 'tok-222', headers: { 'x-api-key': 'key-333', authorization: 'Bearer tok-444' }, req: { headers: { authorization: 'Bearer tok-555' } } },
      'careless',
    );
    const text = log.text();
    for (const secret of ['key-111', 'tok-222', 'key-333', 'tok-444', 'tok-555']) expect(text).not.toContain(secret);
    expect(log.lines()[0]).toMatchObject({ apiKey: '[redacted]', headers: { 'x-api-key': '[redacted]', authorization: '[redacted]' } });
  });

  it('keeps an error stack in one field of one line', () => {
    const log = captureLog();
    log.logger.error({ err: new Error('boom') }, 'unexpected error');
    const [line] = log.lines();
    expect(line).toMatchObject({ level: 50, msg: 'unexpected error', err: { type: 'Error', message: 'boom' } });
    expect(String((line!.err as { stack: string }).stack)).toContain('logger.test.ts');
    expect(log.text().trim().split('\n')).toHaveLength(1);
  });

  it('writes readable lines in the pretty format', () => {
    let out = '';
    const destination = new Writable({ write: (chunk: Buffer, _e, done) => ((out += chunk.toString()), done()) });
    createLogger({ format: 'pretty', destination }).info({ port: 4000 }, 'serving');
    expect(out).toMatch(/INFO.*serving/);
    expect(out).toContain('port: 4000');
    expect(() => JSON.parse(out)).toThrow();
  });

  it('before config is read, takes the level and format the environment asks for, else the defaults', () => {
    expect(startupLoggerOptions({})).toEqual({ level: 'info', format: 'pretty' });
    expect(startupLoggerOptions({ NODE_ENV: 'production' })).toEqual({ level: 'info', format: 'json' });
    expect(startupLoggerOptions({ NODE_ENV: 'production', GRIOT_LOG_LEVEL: 'warn', GRIOT_LOG_FORMAT: 'pretty' })).toEqual({ level: 'warn', format: 'pretty' });
    expect(startupLoggerOptions({ NODE_ENV: 'test', GRIOT_LOG_LEVEL: 'loud', GRIOT_LOG_FORMAT: 'xml' })).toEqual({ level: 'info', format: 'json' });
  });
});
