/**
 * Tracing costs nothing when off: the real server process, started without any OTEL_* variable, serves a request
 * and shuts down without loading the OpenTelemetry SDK, resources or any exporter (only @opentelemetry/api, the
 * no-op facade prom-client imports, may be there); with OTEL_EXPORTER_OTLP_ENDPOINT set it loads them. The modules
 * a process loaded are recorded by a preload (loaded-modules.mjs: the ES module loader's resolve hook, and
 * require.cache at exit).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { baseEnv, graphql, run, tempDir } from '../process/spawn.js';

const PRELOAD = join(import.meta.dirname, 'loaded-modules.mjs');

async function loadedModules(extra: Record<string, string>): Promise<string[]> {
  const file = join(tempDir('modules'), 'loaded.txt');
  const env = baseEnv({ NODE_ENV: 'production', GRIOT_STORAGE: 'memory', GRIOT_ANONYMOUS_READ: 'true', GRIOT_DATA_DIR: tempDir('modules-data'), LOADED_MODULES_FILE: file, ...extra });
  for (const name of Object.keys(env)) if (name.startsWith('OTEL_') && !(name in extra)) delete env[name];
  const server = run(process.execPath, ['--import', PRELOAD, '--import', 'tsx', 'src/main.ts'], env);
  try {
    const [, url] = await server.waitFor(/serving (http:\/\/[^/\s]+)\/graphql/, 90_000);
    const response = await graphql(url!, '{ viewer { name } }', {}, null);
    expect(response.status).toBe(200);
    server.child.kill('SIGTERM');
    expect(await server.exited(60_000), server.output()).toBe(0);
  } finally {
    if (server.child.exitCode === null) server.child.kill('SIGKILL');
  }
  expect(existsSync(file)).toBe(true);
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  expect(lines.some((l) => l.startsWith('cjs '))).toBe(true); // the exit hook ran
  return lines;
}

/** The @opentelemetry packages among the modules, by name. */
function otelPackages(modules: string[]): string[] {
  return [...new Set(modules.flatMap((m) => m.match(/node_modules\/(@opentelemetry\/[^/]+)\//)?.[1] ?? []))].sort();
}

describe('tracing off costs nothing', () => {
  it('without OTEL_* the server loads no OpenTelemetry SDK or exporter; with an OTLP endpoint it does', { timeout: 240_000 }, async () => {
    const off = await loadedModules({});
    expect(off.some((m) => m.includes('/src/observability/request-log.ts'))).toBe(true); // the recording sees our own code
    expect(otelPackages(off).filter((p) => p !== '@opentelemetry/api')).toEqual([]);
    expect(off.some((m) => m.includes('/src/observability/tracing-plugin.ts'))).toBe(false);

    const on = await loadedModules({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_EXPORTER_OTLP_TIMEOUT: '500' });
    expect(otelPackages(on)).toEqual(expect.arrayContaining(['@opentelemetry/sdk-trace-node', '@opentelemetry/sdk-trace-base', '@opentelemetry/resources', '@opentelemetry/exporter-trace-otlp-http']));
    expect(on.some((m) => m.includes('/src/observability/tracing-plugin.ts'))).toBe(true);
  });
});
