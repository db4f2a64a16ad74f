/**
 * The README's "How it is built" section matches the tree: every path it names exists, and every folder of src/
 * and every area folder of test/ is named in it (itself or a path inside it), so the map cannot drift from the code.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** The `## How it is built` section: its map (a code block) and the notes under it. */
function section(): string {
  return (readme.split(/^## How it is built$/m)[1] ?? '').split(/^## /m)[0] ?? '';
}

/** Every path-like word of the map: src/…, test/…, scripts/…, bench/…, examples/…, as written. */
function namedPaths(map: string): string[] {
  return [...new Set(map.match(/(?<![\w/.-])(?:src|test|scripts|bench|examples)\/[\w./-]*/g) ?? [])];
}

/** Folders under `dir`, relative to the repository, recursively (or only the first level). */
function folders(dir: string, recursive: boolean): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const path = relative(root, join(root, dir, entry.name));
    out.push(path);
    if (recursive) out.push(...folders(path, true));
  }
  return out;
}

describe('README "How it is built"', () => {
  const named = namedPaths(section());

  it('has a map naming paths', () => {
    expect(named.length).toBeGreaterThan(20);
  });

  it('names only paths that exist', () => {
    expect(named.filter((p) => !existsSync(join(root, p)))).toEqual([]);
  });

  it('names every folder of src/ and every area folder of test/ (itself or a path inside it)', () => {
    const isNamed = (folder: string) => named.some((p) => p === folder || p.startsWith(`${folder}/`));
    // test/gql (codegen) and test/artifacts (browser screenshots) are written by the run and git-ignored
    const generated = new Set(['test/gql', 'test/artifacts']);
    const expected = [...folders('src', true), ...folders('test', false).filter((f) => !generated.has(f))];
    expect(expected.filter((f) => !isNamed(f))).toEqual([]);
  });
});
