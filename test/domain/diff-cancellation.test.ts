/**
 * A diff stops when its request is no longer wanted (issue 10.2): the walk calls the cancellation stop point once
 * per list item (schema, property, quality rule…), so a client that left or a spent budget ends a large diff at
 * its next item instead of after the whole document. The server registers the hooks (src/http/cancellation.ts);
 * here a hook that stops after a number of checks stands in for it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { setStopHooks } from '../../src/domain/cancellation.js';
import { diffDocuments } from '../../src/domain/diff/index.js';
import type { JsonObject } from '../../src/domain/odcs.js';

function contract(properties: number, type: string): JsonObject {
  return {
    apiVersion: 'v3.1.0', kind: 'DataContract', id: 'urn:diff:stop', version: '1.0.0', status: 'draft',
    schema: Array.from({ length: 4 }, (_, s) => ({
      name: `table_${s}`,
      properties: Array.from({ length: properties }, (_, p) => ({ name: `column_${p}`, logicalType: type })),
    })),
  };
}

class Stopped extends Error {}

afterEach(() => setStopHooks(null));

describe('diff cancellation', () => {
  it('without a stop the diff runs to the end (every changed property is reported)', () => {
    const changes = diffDocuments(contract(250, 'string'), contract(250, 'integer'));
    expect(changes.filter((c) => c.kind === 'changed')).toHaveLength(1000);
  });

  it('ends at the next item once the work is stopped, after a bounded number of checks', () => {
    let checks = 0;
    let stopAt = 20;
    setStopHooks({
      check() {
        checks++;
        if (checks > stopAt) throw new Stopped('the request was stopped');
      },
      readSignal: () => undefined,
    });
    expect(() => diffDocuments(contract(250, 'string'), contract(250, 'integer'))).toThrow(Stopped);
    // It stopped at the first check after the stop: no further items were walked.
    expect(checks).toBe(stopAt + 1);
    // The walk checks per item: a full diff of 4 × 250 properties passes more than 1,000 checks.
    checks = 0;
    stopAt = Number.POSITIVE_INFINITY;
    diffDocuments(contract(250, 'string'), contract(250, 'integer'));
    expect(checks).toBeGreaterThan(1000);
  });
});
