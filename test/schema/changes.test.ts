/**
 * The API change check (`npm run schema:check`, scripts/print-schema.ts) run as a process on temporary schemas:
 * a breaking edit fails with the change named, and passes once CHANGELOG.md records it under `## Unreleased`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const committed = readFileSync(join(root, 'schema.graphql'), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'schema-changes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
async function check(files: { released: string; current: string; changelog: string }) {
  const base = join(dir, String(n++));
  for (const [k, v] of Object.entries(files)) writeFileSync(`${base}.${k}`, v);
  const args = ['scripts/print-schema.ts', '--check', '--released', `${base}.released`, '--current', `${base}.current`, '--changelog', `${base}.changelog`];
  try {
    const { stdout } = await promisify(execFile)(join(root, 'node_modules/.bin/tsx'), args, { cwd: root });
    return { code: 0, out: stdout };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, out: err.stdout + err.stderr };
  }
}

/** The committed schema with `apiVersion: String!` of Contract made nullable (breaking for clients that rely on it). */
const breaking = committed.replace(/(type Contract implements Node \{[\s\S]*?apiVersion: )String!/, '$1String');
const changelog = (lines: string[], heading = 'Unreleased') => `# Changelog\n\n## ${heading}\n\n${lines.join('\n')}\n\n## 0.1.0\n\n- \`Contract.name\` first release.\n`;

describe('schema:check on API changes', () => {
  it('the edit under test really changes the schema', () => {
    expect(breaking).not.toBe(committed);
  });

  it('passes when nothing changed', async () => {
    const r = await check({ released: committed, current: committed, changelog: changelog([]) });
    expect(r.code, r.out).toBe(0);
  });

  it('fails on an unrecorded breaking change, naming it', async () => {
    const r = await check({ released: committed, current: breaking, changelog: changelog(['- Something else.']) });
    expect(r.code).toBe(1);
    expect(r.out).toContain("Contract.apiVersion: Field 'Contract.apiVersion' changed type from 'String!' to 'String'");
    expect(r.out).toContain('name `Contract.apiVersion` in CHANGELOG.md under "## Unreleased"');
  });

  it('passes once CHANGELOG.md names the change path under ## Unreleased', async () => {
    const r = await check({ released: committed, current: breaking, changelog: changelog(['- `Contract.apiVersion` may be null.']) });
    expect(r.code, r.out).toBe(0);
  });

  it('a record under a released heading, or without backticks, does not count', async () => {
    const released = await check({ released: committed, current: breaking, changelog: `# Changelog\n\n## Unreleased\n\n## 0.1.0\n\n- \`Contract.apiVersion\`\n` });
    expect(released.code).toBe(1);
    const bare = await check({ released: committed, current: breaking, changelog: changelog(['- Contract.apiVersion may be null.']) });
    expect(bare.code).toBe(1);
  });

  it('a removal must have been deprecated in the released schema, even when recorded', async () => {
    const withField = committed.replace(/type Contract implements Node \{\n/, 'type Contract implements Node {\n  """Going away."""\n  legacyField: String\n');
    const deprecated = withField.replace('legacyField: String', 'legacyField: String @deprecated(reason: "Use name.")');
    const record = changelog(['- `Contract.legacyField` removed.']);
    const undeprecated = await check({ released: withField, current: committed, changelog: record });
    expect(undeprecated.code).toBe(1);
    expect(undeprecated.out).toContain('mark `Contract.legacyField` @deprecated');
    const ok = await check({ released: deprecated, current: committed, changelog: record });
    expect(ok.code, ok.out).toBe(0);
  });
});
