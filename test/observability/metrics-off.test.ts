/** GRIOT_METRICS=off: no registry, so /metrics is not served even where it would be open; on is the default. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/observability/logger.js';
import { setUpObservability } from '../../src/observability/setup.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import { ContractsWithCatalogDocument } from '../gql/graphql.js';
import { createTestClient } from '../support/client.js';

async function clientWith(env: Record<string, string>) {
  const config = loadConfig(env);
  const observability = await setUpObservability(config, silentLogger(), {});
  return createTestClient(createMemoryStorage(), undefined, { server: { observability: observability.server } });
}

describe('GRIOT_METRICS', () => {
  it('is on by default: /metrics on the loopback main port counts requests', async () => {
    const client = await clientWith({});
    await client.run(ContractsWithCatalogDocument, { first: 1 });
    const response = await client.fetch('/metrics');
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('griot_graphql_requests_total{operation="ContractsWithCatalog"');
  });

  it('off: nothing is measured and /metrics is not served', async () => {
    const config = loadConfig({ GRIOT_METRICS: 'off' });
    expect(config.metrics.enabled).toBe(false);
    const observability = await setUpObservability(config, silentLogger(), {});
    expect(observability.server.metrics).toBeUndefined();
    const client = createTestClient(createMemoryStorage(), undefined, { server: { observability: observability.server } });
    await client.run(ContractsWithCatalogDocument, { first: 1 });
    expect((await client.fetch('/metrics')).status).toBe(404);
    expect(() => loadConfig({ GRIOT_METRICS: 'maybe' })).toThrow(/GRIOT_METRICS/);
  });
});
