/**
 * Prints the GraphQL schema to schema.graphql. With --check (part of `npm test`) it fails when
 * - the committed schema.graphql differs from the printed one (the changes are listed, named by graphql-inspector), or
 * - a breaking change since the released schema (schema.released.graphql) is not recorded in CHANGELOG.md, or a
 *   removal skips deprecation (rules in schema-changes.ts).
 * `--current FILE` checks that file instead of the schema built from the code (no drift check);
 * `--released FILE` and `--changelog FILE` replace the defaults (used by test/schema/changes.test.ts).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { schemaChanges, unrecordedBreakingChanges } from './schema-changes.js';

const root = new URL('../', import.meta.url);
const { values } = parseArgs({
  options: {
    check: { type: 'boolean', default: false },
    current: { type: 'string' },
    released: { type: 'string', default: new URL('schema.released.graphql', root).pathname },
    changelog: { type: 'string', default: new URL('CHANGELOG.md', root).pathname },
  },
});
const file = new URL('schema.graphql', root);

function readOrEmpty(path: URL | string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

async function printed(): Promise<string> {
  const { schema } = await import('../src/schema/index.js');
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}

if (!values.check) {
  writeFileSync(file, await printed());
  console.log('wrote schema.graphql');
} else {
  let failed = false;
  let current: string;
  if (values.current) {
    current = readFileSync(values.current, 'utf8');
  } else {
    current = await printed();
    const committed = readOrEmpty(file);
    if (committed !== current) {
      failed = true;
      const changes = committed ? await schemaChanges(committed, current) : [];
      console.error('schema.graphql is out of date: run `npm run schema` and commit the result.');
      for (const c of changes) console.error(`  ${c.criticality.level.toLowerCase()}: ${c.message}`);
    } else {
      console.log('schema.graphql is up to date.');
    }
  }
  const problems = await unrecordedBreakingChanges(readFileSync(values.released, 'utf8'), current, readOrEmpty(values.changelog));
  if (problems.length) {
    failed = true;
    console.error(`${problems.length} breaking change(s) since the released schema are not recorded:`);
    for (const p of problems) console.error(`  ${p.path}: ${p.message} -> ${p.fix}`);
  } else {
    console.log('every breaking change since the released schema is recorded in CHANGELOG.md.');
  }
  process.exit(failed ? 1 : 0);
}
