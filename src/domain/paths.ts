/** Renders a path such as ['schema', 0, 'properties', 3, 'logicalType'] as `schema[0].properties[3].logicalType`. */
export function formatPath(path: readonly PropertyKey[], prefix = ''): string {
  let out = prefix;
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(root)';
}
