/**
 * How a folder import runs files side by side without changing what it does: files that could touch the same
 * contract or name go into one lane, imported one after another in file-path order as before; lanes run at the same
 * time (at most GRIOT_IMPORT_CONCURRENCY at once). Two files share a lane when they share an ODCS id (refused
 * earlier anyway) or a name either could give its contract (its document's `name`, its file stem, its ODCS id):
 * a create's name-is-free check and a rename then see the folder as a sequential import would. Pure.
 */
export interface LaneKeys {
  file: string;
  /** The document's ODCS id, when it parses and has one. */
  odcsId: string | null;
  /** The document's `name`, when it parses and has one. */
  name: string | null;
  /** The file's stem (orders.odcs.yaml → orders). */
  stem: string;
}

/** The lanes: lists of files in file-path order (the input's), lanes ordered by their first file. */
export function importLanes(files: readonly LaneKeys[]): string[][] {
  const parent = files.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  const owner = new Map<string, number>();
  files.forEach((f, i) => {
    // A new contract is named by its document's name, else its file stem, else its ODCS id (services/import.ts).
    const names = [f.name, f.stem, f.odcsId].flatMap((n) => (n === null ? [] : [`name\u0000${n}`]));
    const keys = [...(f.odcsId === null ? [] : [`odcs\u0000${f.odcsId}`]), ...names];
    for (const key of keys) {
      const other = owner.get(key);
      if (other === undefined) owner.set(key, i);
      else parent[find(i)] = find(other);
    }
  });
  const lanes = new Map<number, string[]>();
  files.forEach((f, i) => {
    const root = find(i);
    lanes.set(root, [...(lanes.get(root) ?? []), f.file]);
  });
  return [...lanes.values()]; // a lane enters the map at its first file
}
