/** Finding the contract that holds an ODCS id (what import updates), on every backend. */
import { describe, expect, it } from 'vitest';
import { backends } from '../support/backends.js';
import { contractDocument } from '../support/fixtures.js';
import { useBackend } from './helpers.js';

describe.each(backends)('$name backend', (backend) => {
  const storage = useBackend(backend);

  it('finds the contract by the ODCS id of its current document, the oldest when several share it', async () => {
    const first = await storage().contracts.create({ document: contractDocument({ id: 'urn:shared', name: 'odcs_a' }) }, null);
    await new Promise((r) => setTimeout(r, 5));
    await storage().contracts.create({ document: contractDocument({ id: 'urn:shared', name: 'odcs_b' }) }, null);
    const other = await storage().contracts.create({ document: contractDocument({ id: 'urn:other', name: 'odcs_c' }) }, null);
    expect((await storage().contracts.getByOdcsId('urn:shared'))?.id).toBe(first.id);
    expect((await storage().contracts.getByOdcsId('urn:other'))?.name).toBe('odcs_c');
    expect(await storage().contracts.getByOdcsId('urn:missing')).toBeNull();

    // An update that changes the document's id moves the contract to the new id.
    await storage().contracts.update({ id: other.id, expectedRevision: 1, document: contractDocument({ id: 'urn:moved', name: 'odcs_c' }) }, null);
    expect(await storage().contracts.getByOdcsId('urn:other')).toBeNull();
    expect((await storage().contracts.getByOdcsId('urn:moved'))?.id).toBe(other.id);
  });
});
