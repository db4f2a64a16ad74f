/**
 * The ODCS id is a contract's identity, on every backend: unique across contracts (a second create is an
 * AlreadyExistsError naming the holder), kept by every later version, freed by a delete; a document without a
 * name still gets a unique readable handle.
 */
import { describe, expect, it } from 'vitest';
import { AlreadyExistsError, ValidationError } from '../../src/domain/errors.js';
import { backends } from '../support/backends.js';
import { contractDocument } from '../support/fixtures.js';
import { rejection, useBackend } from './helpers.js';

describe.each(backends)('$name backend', (backend) => {
  const storage = useBackend(backend);

  it('refuses a second contract with the same ODCS id, naming the contract that holds it; nothing is written', async () => {
    const first = await storage().contracts.create({ document: contractDocument({ id: 'urn:shared', name: 'odcs_a' }) }, null);
    const error = await rejection(storage().contracts.create({ document: contractDocument({ id: 'urn:shared', name: 'odcs_b' }) }, null), AlreadyExistsError);
    expect(error).toMatchObject({ resource: 'Contract', field: 'odcsId', value: 'urn:shared', existing: { id: first.id, name: 'odcs_a' } });
    expect(error.message).toBe(`Contract with odcsId "urn:shared" already exists: contract "odcs_a" (id ${first.id})`);
    expect(await storage().contracts.getByName('odcs_b')).toBeNull();
    expect((await storage().contracts.list({}, { field: 'name', direction: 'asc' }, { first: 10 })).items.map((c) => c.name)).toEqual(['odcs_a']);
    expect((await storage().contracts.getByOdcsId('urn:shared'))?.id).toBe(first.id);
    expect(await storage().contracts.getByOdcsId('urn:missing')).toBeNull();

    // Refused by its id first, so a name clash of the same create does not hide which contract has the id.
    await rejection(storage().contracts.create({ document: contractDocument({ id: 'urn:shared', name: 'odcs_a' }) }, null), AlreadyExistsError).then((e) =>
      expect(e.field).toBe('odcsId'),
    );
    // A name clash alone leaves the id free for the next create.
    await rejection(storage().contracts.create({ document: contractDocument({ id: 'urn:fresh', name: 'odcs_a' }) }, null), AlreadyExistsError).then((e) =>
      expect(e.field).toBe('name'),
    );
    expect((await storage().contracts.create({ document: contractDocument({ id: 'urn:fresh', name: 'odcs_fresh' }) }, null)).name).toBe('odcs_fresh');
  });

  it('keeps the ODCS id across versions: an update or rollback to another id is refused at its path', async () => {
    const c = await storage().contracts.create({ document: contractDocument({ id: 'urn:kept', name: 'odcs_kept' }) }, null);
    const moved = await rejection(
      storage().contracts.update({ id: c.id, expectedRevision: 1, document: contractDocument({ id: 'urn:moved', name: 'odcs_kept' }) }, null),
      ValidationError,
    );
    expect(moved.issues).toEqual([expect.objectContaining({ path: 'document.id', code: 'immutable' })]);
    expect(moved.issues[0]!.message).toContain('must stay "urn:kept"');
    const updated = await storage().contracts.update({ id: c.id, expectedRevision: 1, document: contractDocument({ id: 'urn:kept', name: 'odcs_kept', purpose: 'Documented' }) }, null);
    expect(updated.versionCount).toBe(2);
    expect((await storage().contracts.getByOdcsId('urn:kept'))?.id).toBe(c.id);
    expect(await storage().contracts.getByOdcsId('urn:moved')).toBeNull();
  });

  it('frees the id when the contract is deleted', async () => {
    const c = await storage().contracts.create({ document: contractDocument({ id: 'urn:freed', name: 'odcs_freed' }) }, null);
    await storage().contracts.delete(c.id, null, null);
    expect(await storage().contracts.getByOdcsId('urn:freed')).toBeNull();
    const again = await storage().contracts.create({ document: contractDocument({ id: 'urn:freed', name: 'odcs_freed' }) }, null);
    expect((await storage().contracts.getByOdcsId('urn:freed'))?.id).toBe(again.id);
  });

  it('names a contract whose document has no name by the name given, else the default offered, else its ODCS id', async () => {
    const byId = await storage().contracts.create({ document: contractDocument({ id: 'urn:no-name:1' }) }, null);
    expect(byId.name).toBe('urn:no-name:1');
    const byDefault = await storage().contracts.create({ document: contractDocument({ id: 'urn:no-name:2' }), defaultName: 'from-file' }, null);
    expect(byDefault.name).toBe('from-file');
    const given = await storage().contracts.create({ document: contractDocument({ id: 'urn:no-name:3' }), name: 'given', defaultName: 'from-file' }, null);
    expect(given.name).toBe('given');
    const documentName = await storage().contracts.create({ document: contractDocument({ id: 'urn:named', name: 'in_document' }), defaultName: 'from-file' }, null);
    expect(documentName.name).toBe('in_document');
    for (const c of [byId, byDefault, given, documentName]) expect((await storage().contracts.getByName(c.name))?.id).toBe(c.id);
  });
});
