/**
 * The typed client example (examples/client) cannot rot: it is compiled with its own tsconfig (generated documents
 * from the committed schema) and run as a process against the server, served over http on loopback.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/auth/api-keys.js';
import { createServer } from '../../src/server.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import { contractDocument } from '../support/fixtures.js';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;
const outDir = mkdtempSync(join(tmpdir(), 'client-example-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('examples/client', () => {
  it('compiles, then lists, creates, previews and prints the breaking changes against a live server', async () => {
    const key = randomBytes(24).toString('base64url');
    const storage = createMemoryStorage();
    await storage.contracts.create({ document: contractDocument({ name: 'existing-orders' }) }, 'setup');
    const yoga = createServer({ storage, auth: { apiKeys: [{ name: 'example-editor', roles: ['editor'], sha256: hashApiKey(key) }] } });
    const server = createHttpServer(yoga);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      await run(join(root, 'node_modules/.bin/tsc'), ['-p', 'examples/client', '--outDir', outDir], { cwd: root });
      const { port } = server.address() as AddressInfo;
      const { stdout } = await run(process.execPath, [join(outDir, 'main.js'), 'example-orders'], {
        cwd: root,
        env: { ...process.env, GRIOT_URL: `http://127.0.0.1:${port}/graphql`, GRIOT_API_KEY: key },
      });
      const lines = stdout.split('\n');
      expect(lines[0]).toBe('contracts: 1');
      expect(lines[1]).toBe('  existing-orders 1.0.0 (DRAFT)');
      expect(stdout).toMatch(/^created: example-orders 1\.0\.0 \(.+\)$/m);
      expect(stdout).toContain('preview against 1.0.0: needs a MAJOR bump (at least 2.0.0)');
      expect(stdout).toMatch(/^breaking changes: 1 /m);
      expect(stdout).toContain('[property-removed] orders.customer_email: Property orders.customer_email was removed');
      expect((await storage.contracts.getByName('example-orders'))?.versionCount).toBe(1); // a preview writes nothing
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  }, 120_000);
});
