/**
 * Tracing, opt-in through the standard OpenTelemetry variables: with OTEL_TRACES_EXPORTER (otlp or console) or
 * OTEL_EXPORTER_OTLP_ENDPOINT / OTEL_EXPORTER_OTLP_TRACES_ENDPOINT set (and OTEL_SDK_DISABLED not true), every
 * request becomes a trace (tracing-plugin.ts). The OTLP exporter reads its own OTEL_EXPORTER_OTLP_* variables
 * (endpoint, headers, timeout); OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES name the service. With none of
 * them set, nothing of OpenTelemetry is loaded: this file imports the SDK only inside startTracing.
 */
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Tracing } from './tracing-plugin.js';

export type { Tracing } from './tracing-plugin.js';

export function tracingRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  if ((env.OTEL_SDK_DISABLED ?? '').toLowerCase() === 'true') return false;
  const exporter = (env.OTEL_TRACES_EXPORTER ?? '').trim().toLowerCase();
  if (exporter === 'none') return false;
  return exporter !== '' || Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

export interface TracingOptions {
  /** Where spans go instead of the exporter the environment names (tests pass an InMemorySpanExporter). */
  exporter?: SpanExporter;
  env?: NodeJS.ProcessEnv;
}

/** Builds the tracer provider and the server's tracing (call only when tracingRequested(), or with an exporter). */
export async function startTracing(options: TracingOptions = {}): Promise<Tracing> {
  const env = options.env ?? process.env;
  const [{ NodeTracerProvider }, base, resources, { createTracing }] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/resources'),
    import('./tracing-plugin.js'),
  ]);
  let exporter = options.exporter;
  if (!exporter) {
    const kind = (env.OTEL_TRACES_EXPORTER ?? 'otlp').split(',')[0]!.trim().toLowerCase();
    if (kind === 'console') exporter = new base.ConsoleSpanExporter();
    else if (kind === 'otlp') exporter = new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter();
    else throw new Error(`OTEL_TRACES_EXPORTER=${kind}: only otlp (http/protobuf… sent as OTLP/HTTP JSON), console or none are supported`);
  }
  const processor = options.exporter ? new base.SimpleSpanProcessor(exporter) : new base.BatchSpanProcessor(exporter);
  const resource = resources
    .resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME ?? 'griot-registry' })
    .merge(resources.detectResources({ detectors: [resources.envDetector] }));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [processor] });
  // Sets the AsyncLocalStorage context manager and the W3C trace-context propagator (once per process).
  provider.register();
  return createTracing(provider.getTracer('griot-registry'), () => provider.shutdown());
}
