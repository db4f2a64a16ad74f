/**
 * The breaking-change rules (src/domain/breaking-rules/) as pure functions: classification, servers, documentation and
 * the other changes.
 */
import { describe, expect, it } from 'vitest';
import { type Judgement, classificationRank, judgeChanges } from '../../src/domain/breaking-rules/index.js';
import type { JsonObject } from '../../src/domain/odcs.js';
import { ordersDocument } from '../support/fixtures.js';

const doc = ordersDocument;

/** The judgements between a document with property `before` and one with property `after` (plus others). */
function judgeProperty(before: JsonObject, after: JsonObject, others: JsonObject[] = []): Judgement[] {
  return judgeChanges(doc([before, ...others]), doc([after, ...others]));
}

const ids = (judgements: Judgement[]) => judgements.map((j) => j.ruleId);
const brief = (judgements: Judgement[]) => judgements.map((j) => `${j.ruleId} ${j.level} ${j.category} ${j.readablePath}`);

describe('classification', () => {
  const cls = (value?: string) => ({ name: 'email', ...(value ? { classification: value } : {}) });

  it.each([
    ['public', 'confidential', 'classification-more-sensitive'],
    ['internal', 'restricted', 'classification-more-sensitive'],
    ['restricted', 'PII', 'classification-more-sensitive'],
    ['tier-a', 'tier-b', 'classification-more-sensitive'],
    [undefined, 'restricted', 'classification-more-sensitive'],
    ['restricted', 'public', 'classification-less-sensitive'],
    ['Confidential', 'internal', 'classification-less-sensitive'],
    ['confidential', undefined, 'classification-less-sensitive'],
  ] as const)('%s -> %s is %s', (from, to, rule) => {
    const [j, ...rest] = judgeProperty(cls(from), cls(to));
    expect(rest).toEqual([]);
    expect(j).toMatchObject({ ruleId: rule, level: rule === 'classification-more-sensitive' ? 'warning' : 'info', readablePath: 'orders.email.classification' });
  });

  it('ranks public < internal < confidential < restricted < unknown', () => {
    const ranks = ['public', 'internal', 'confidential', 'restricted', 'pii'].map(classificationRank);
    expect([...ranks].sort((a, b) => a - b)).toEqual(ranks);
    expect(classificationRank('Highly Confidential')).toBe(classificationRank('restricted'));
    expect(classificationRank(null)).toBe(0);
    expect(ids(judgeProperty(cls('Public'), cls('public')))).toEqual(['other-changed']);
  });
});

describe('servers', () => {
  const servers = (...items: JsonObject[]) => doc([], { servers: items });

  it('server-removed is breaking, server-added info, server-changed a warning with every changed field', () => {
    const prod = { server: 'prod-db', type: 'postgres', host: 'db1', database: 'sales' };
    const dev = { server: 'dev-db', type: 'postgres', host: 'dev' };
    expect(brief(judgeChanges(servers(prod, dev), servers(prod)))).toEqual(['server-removed breaking breaking servers.dev-db']);
    expect(brief(judgeChanges(servers(prod), servers(dev, prod)))).toEqual(['server-added info addition servers.dev-db']);
    const judgements = judgeChanges(servers(prod), servers({ ...prod, host: 'db2', database: 'sales2' }));
    expect(brief(judgements)).toEqual(['server-changed warning other servers.prod-db']);
    expect(judgements[0]!.explanation).toBe('Server servers.prod-db changed (host: "db1" -> "db2"; database: "sales" -> "sales2"); consumers that connect to it must update their configuration.');
    expect(ids(judgeChanges(servers(prod), servers({ ...prod, environment: 'prod' })))).toEqual(['other-changed']);
    expect(ids(judgeChanges(servers(prod), servers({ ...prod, description: 'Main database' })))).toEqual(['documentation-changed']);
  });

  it('reordering servers is not a change', () => {
    const a = { server: 'a', type: 'postgres' };
    const b = { server: 'b', type: 's3' };
    expect(judgeChanges(servers(a, b), servers(b, a))).toEqual([]);
  });
});

describe('documentation and other changes', () => {
  it.each([
    [{ description: 'old' }, { description: 'new' }],
    [{}, { businessName: 'Customer e-mail' }],
    [{ tags: ['pii'] }, { tags: ['pii', 'contact'] }],
    [{}, { authoritativeDefinitions: [{ url: 'https://x', type: 'businessDefinition' }] }],
    [{ customProperties: [{ property: 'owner', value: 'a' }] }, { customProperties: [{ property: 'owner', value: 'b' }] }],
    [{ examples: ['a@b.c'] }, { examples: ['x@y.z'] }],
    [{ transformDescription: 'copied' }, { transformDescription: 'copied from CRM' }],
  ] as const)('%j -> %j is documentation-changed (info, docs)', (before, after) => {
    const judgements = judgeProperty({ name: 'email', ...before } as JsonObject, { name: 'email', ...after } as JsonObject);
    expect(judgements.length).toBeGreaterThan(0);
    for (const j of judgements) expect(j).toMatchObject({ ruleId: 'documentation-changed', level: 'info', category: 'docs', breaks: { backward: false, forward: false } });
  });

  it('judges document-level documentation and metadata', () => {
    const before = doc([], { description: { purpose: 'Orders' }, tags: ['sales'] });
    const after = doc([], { description: { purpose: 'All orders', usage: 'Reporting' }, tags: ['sales'], status: 'deprecated', team: { name: 'sales' } });
    expect(brief(judgeChanges(before, after))).toEqual([
      'other-changed info other status',
      'documentation-changed info docs description.purpose',
      'documentation-changed info docs description.usage',
      'other-changed info other team.name',
    ]);
    expect(judgeChanges(before, after)[1]!.explanation).toBe('Documentation changed at description.purpose ("Orders" -> "All orders"). It does not change the data.');
  });

  it('partitioning changes are info', () => {
    expect(brief(judgeProperty({ name: 'year', partitioned: false }, { name: 'year', partitioned: true }))).toEqual(['partitioning-changed info other orders.year.partitioned']);
  });
});
