/** Contract evolution through the API: previews, enforced versions, accepted breaking changes, diffs, import/export. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ContractDiffDocument,
  ContractVersionsDocument,
  CreateContractDocument,
  ExportContractDocument,
  ImportContractDocument,
  PreviewContractUpdateDocument,
  SetContractSettingsDocument,
  UpdateContractEvolutionDocument,
} from '../gql/graphql.js';
import { mongoBackend } from '../support/backends.js';
import { createTestClient, type TestClient } from '../support/client.js';
import { contractDocument, odcsDir, officialExamples } from '../support/fixtures.js';

let client: TestClient;
let dispose: () => Promise<void>;

const v1 = (name: string) =>
  contractDocument({ name, schemas: { orders: [{ name: 'order_id', primaryKey: true }, { name: 'customer_email', classification: 'restricted' }] } });

async function create(name: string) {
  const r = await client.run(CreateContractDocument, { input: { document: v1(name) } });
  if (r.createContract.__typename !== 'CreateContractSuccess') throw new Error(JSON.stringify(r));
  return r.createContract.contract;
}

beforeAll(async () => {
  const backend = await mongoBackend.create();
  dispose = backend.dispose;
  client = createTestClient(backend.storage);
});
afterAll(() => dispose());

describe('previewContractUpdate', () => {
  it('shows the changes, the required bump and the compatibility verdict, and writes nothing', async () => {
    const c = await create('evo_preview');
    const removed = contractDocument({ name: 'evo_preview', schemas: { orders: [{ name: 'order_id', primaryKey: true }] } });
    const r = await client.run(PreviewContractUpdateDocument, { id: c.id, document: removed, version: '1.1.0' });
    const p = r.previewContractUpdate;
    expect(p).toMatchObject({ currentVersion: '1.0.0', declaredVersion: '1.1.0', version: null, minimumVersion: '2.0.0', requiredBump: 'MAJOR', needsAcceptBreakingChanges: true });
    expect(p.versionError).toMatch(/at least 2\.0\.0/);
    expect(p.changes).toEqual([
      expect.objectContaining({ ruleId: 'property-removed', level: 'BREAKING', kind: 'REMOVED', readablePath: 'orders.customer_email', path: '$.schema[0].properties[1]' }),
    ]);
    expect(p.changes[0]!.explanation).toContain('customer_email');
    expect(p.changes[0]!.suggestion.length).toBeGreaterThan(0);
    expect(p.compatibility).toMatchObject({ mode: 'BACKWARD', checkedAgainst: 1 });
    const versions = await client.run(ContractVersionsDocument, { id: c.id, version: '1.0.0' });
    expect(versions.contract!.versions.totalCount).toBe(1);
  });
});

describe('enforced versions', () => {
  it('refuses a breaking change without the flag, records it with the flag, and bumps additions by a minor', async () => {
    const c = await create('evo_update');
    const added = contractDocument({ name: 'evo_update', schemas: { orders: [{ name: 'order_id', primaryKey: true }, { name: 'customer_email', classification: 'restricted' }, { name: 'note' }] } });
    const minor = await client.run(UpdateContractEvolutionDocument, { input: { id: c.id, expectedRevision: 1, document: added } });
    expect(minor.updateContract).toMatchObject({
      __typename: 'UpdateContractSuccess',
      contract: { currentVersion: '1.1.0', current: { requiredBump: 'MINOR', breakingChangesAccepted: false, changes: [{ ruleId: 'property-added', readablePath: 'orders.note' }] } },
    });

    const removed = contractDocument({ name: 'evo_update', schemas: { orders: [{ name: 'order_id', primaryKey: true }, { name: 'note' }] } });
    const refused = await client.run(UpdateContractEvolutionDocument, { input: { id: c.id, expectedRevision: 2, document: removed } });
    expect(refused.updateContract).toMatchObject({ __typename: 'IncompatibleChangeError', requiredBump: 'major', changes: [{ ruleId: 'property-removed', readablePath: 'orders.customer_email' }] });
    const lowVersion = await client.run(UpdateContractEvolutionDocument, { input: { id: c.id, expectedRevision: 2, document: removed, version: '1.2.0', acceptBreakingChanges: true } });
    expect(lowVersion.updateContract).toMatchObject({ __typename: 'ValidationError', issues: [{ path: 'version', code: 'version_too_low' }] });

    const accepted = await client.run(UpdateContractEvolutionDocument, { input: { id: c.id, expectedRevision: 2, document: removed, acceptBreakingChanges: true } });
    expect(accepted.updateContract).toMatchObject({
      __typename: 'UpdateContractSuccess',
      contract: { currentVersion: '2.0.0', revision: 3, current: { requiredBump: 'MAJOR', breakingChangesAccepted: true, changes: [{ ruleId: 'property-removed' }] } },
    });

    const diff = await client.run(ContractDiffDocument, { id: c.id, from: '1.0.0', to: '2.0.0' });
    expect(diff.contract!.diff).toMatchObject({ requiredBump: 'MAJOR' });
    expect(diff.contract!.diff.changes.map((ch) => [ch.ruleId, ch.kind, ch.readablePath])).toEqual([
      ['property-removed', 'REMOVED', 'orders.customer_email'],
      ['property-added', 'ADDED', 'orders.note'],
    ]);
  });

  it('follows the contract’s own compatibility mode', async () => {
    const c = await create('evo_modes');
    const set = await client.run(SetContractSettingsDocument, { input: { id: c.id, expectedRevision: 1, compatibility: 'FULL' } });
    expect(set.setContractSettings).toMatchObject({ __typename: 'SetContractSettingsSuccess' });
    const modes = await client.run(ContractDiffDocument, { id: c.id, from: '1.0.0', to: '1.0.0' });
    expect(modes.contract).toMatchObject({ compatibility: 'FULL', compatibilityOverride: 'FULL', diff: { changes: [], requiredBump: 'NONE' } });
    const reset = await client.run(SetContractSettingsDocument, { input: { id: c.id, expectedRevision: 2, compatibility: null } });
    expect(reset.setContractSettings).toMatchObject({ __typename: 'SetContractSettingsSuccess', contract: { revision: 3 } });
    const back = await client.run(ContractDiffDocument, { id: c.id, from: '1.0.0', to: '1.0.0' });
    expect(back.contract).toMatchObject({ compatibility: 'BACKWARD', compatibilityOverride: null });
  });
});

/** Official examples with distinct ODCS ids (several examples share one: importing those again updates it). */
const distinctExamples = officialExamples().filter((e, i, all) => all.findIndex((o) => o.document.id === e.document.id) === i);

describe('ODCS import and export', () => {
  it('has distinct examples to import', () => expect(distinctExamples.length).toBeGreaterThanOrEqual(4));

  it.each(distinctExamples)('imports $file from YAML and exports the same document', async ({ file, document }) => {
    const text = readFileSync(join(odcsDir, 'examples', file), 'utf8');
    const imported = await client.run(ImportContractDocument, { input: { text, name: `import_${file}` } });
    if (imported.importContract.__typename !== 'ImportContractSuccess') throw new Error(JSON.stringify(imported));
    expect(imported.importContract.result.outcome).toBe('CREATED');
    const id = imported.importContract.result.contract.id;
    for (const format of ['YAML', 'JSON'] as const) {
      const exported = await client.run(ExportContractDocument, { id, format });
      const back = format === 'YAML' ? parse(exported.contract!.export) : JSON.parse(exported.contract!.export);
      expect(JSON.stringify(back)).toBe(JSON.stringify(document));
    }
    const again = await client.run(ImportContractDocument, { input: { text } });
    expect(again.importContract).toMatchObject({ __typename: 'ImportContractSuccess', result: { outcome: 'UNCHANGED', contract: { id, revision: 1 } } });
  });

  it('updates the contract with the same ODCS id, and reports bad text with its line', async () => {
    const base = contractDocument({ id: 'urn:import:orders', name: 'import_orders', schemas: { orders: [{ name: 'id' }] } });
    const first = await client.run(ImportContractDocument, { input: { text: JSON.stringify(base), format: 'JSON' } });
    expect(first.importContract).toMatchObject({ result: { outcome: 'CREATED' } });
    const changed = { ...base, description: { purpose: 'Now documented' } };
    const second = await client.run(ImportContractDocument, { input: { text: JSON.stringify(changed) } });
    expect(second.importContract).toMatchObject({ __typename: 'ImportContractSuccess', result: { outcome: 'UPDATED', contract: { currentVersion: '1.0.1', revision: 2 } } });
    const broken = await client.run(ImportContractDocument, { input: { text: 'kind: DataContract\n  bad: [indent\n' } });
    expect(broken.importContract).toMatchObject({ __typename: 'ValidationError', issues: [{ path: 'text', code: 'invalid_syntax' }] });
  });
});
