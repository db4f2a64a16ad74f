/**
 * Conformance: catalog writes of contracts with many schemas. Every schema is one catalog entry, and an update or a
 * rebuild rewrites every entry (each matches). FerretDB 1.x on PostgreSQL holds one PostgreSQL connection per matching
 * statement of an update command until the command ends (README "FerretDB on PostgreSQL"): a command of ~50 of them
 * waited forever for a connection, and so did every other command on that server. These cases must finish with the
 * catalog right, on every backend.
 */
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/domain/odcs.js';
import { backends } from '../support/backends.js';
import { useBackend } from './helpers.js';

const SCHEMAS = 80;

function contractDoc(name: string, schemas: number, description: string): JsonObject {
  const schema = Array.from({ length: schemas }, (_, i) => ({
    name: `t${String(i).padStart(3, '0')}`,
    description,
    properties: [{ name: 'id', logicalType: 'string' }],
  }));
  return { apiVersion: 'v3.1.0', kind: 'DataContract', id: `urn:test:${name}`, name, version: '1.0.0', status: 'draft', schema };
}

describe.each(backends)('$name backend', (backend) => {
  const storage = useBackend(backend);

  async function descriptionsOf(contractId: string): Promise<{ revisions: Set<number>; descriptions: Set<string | null>; count: number }> {
    const [group] = await storage().schemaCatalog.listByContractIds([contractId]);
    const entries = [...(group ?? [])];
    return { revisions: new Set(entries.map((e) => e.contractRevision)), descriptions: new Set(entries.map((e) => e.description)), count: entries.length };
  }

  it(`updates a contract of ${SCHEMAS} schemas: every catalog entry rewritten`, async () => {
    const repo = storage().contracts;
    const c = await repo.create({ document: contractDoc('wide', SCHEMAS, 'first') }, 'alice');
    await repo.update({ id: c.id, expectedRevision: 1, document: contractDoc('wide', SCHEMAS, 'second') }, 'bob');
    expect(await descriptionsOf(c.id)).toEqual({ revisions: new Set([2]), descriptions: new Set(['second']), count: SCHEMAS });
  });

  it('updates two contracts of 40 schemas at once', async () => {
    const repo = storage().contracts;
    const [a, b] = await Promise.all(['a', 'b'].map((n) => repo.create({ document: contractDoc(n, 40, 'first') }, 'alice')));
    await Promise.all(
      [a!, b!].map((c) => repo.update({ id: c.id, expectedRevision: 1, document: contractDoc(c.name, 40, `second ${c.name}`) }, 'bob')),
    );
    expect(await descriptionsOf(a!.id)).toEqual({ revisions: new Set([2]), descriptions: new Set(['second a']), count: 40 });
    expect(await descriptionsOf(b!.id)).toEqual({ revisions: new Set([2]), descriptions: new Set(['second b']), count: 40 });
  });

  it(`rebuilds the catalog of a contract of ${SCHEMAS} schemas`, async () => {
    const c = await storage().contracts.create({ document: contractDoc('wide', SCHEMAS, 'first') }, 'alice');
    await storage().schemaCatalog.rebuild();
    expect(await descriptionsOf(c.id)).toEqual({ revisions: new Set([1]), descriptions: new Set(['first']), count: SCHEMAS });
  });
});
