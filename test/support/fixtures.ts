/** Test data: the official ODCS examples from ../shared/odcs, and small documents built in code. */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { JsonObject } from '../../src/domain/odcs.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const odcsDir = resolve(root, '..', 'shared', 'odcs');

/** Every official example, parsed from YAML, in file-name order. */
export function officialExamples(): { file: string; document: JsonObject }[] {
  const dir = join(odcsDir, 'examples');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.odcs.yaml'))
    .sort()
    .map((file) => ({ file, document: parse(readFileSync(join(dir, file), 'utf8')) as JsonObject }));
}

export function officialJsonSchema(): object {
  return JSON.parse(readFileSync(join(odcsDir, 'odcs-json-schema-v3.1.0.json'), 'utf8')) as object;
}

export interface PropertySpec {
  name: string;
  logicalType?: string;
  description?: string;
  classification?: string;
  primaryKey?: boolean;
  primaryKeyPosition?: number;
  required?: boolean;
  [key: string]: unknown;
}

/** A small valid ODCS v3.1 document; `schemas` maps schema name to its properties. */
export function contractDocument(options: {
  id?: string;
  name?: string;
  version?: string;
  purpose?: string;
  team?: string;
  schemas?: Record<string, PropertySpec[]>;
  extra?: JsonObject;
}): JsonObject {
  const schemas = options.schemas ?? { orders: [{ name: 'order_id', logicalType: 'string', primaryKey: true }] };
  const doc: JsonObject = {
    apiVersion: 'v3.1.0',
    kind: 'DataContract',
    id: options.id ?? `urn:test:${options.name ?? 'contract'}`,
    ...(options.name !== undefined ? { name: options.name } : {}),
    version: options.version ?? '1.0.0',
    status: 'draft',
    ...(options.purpose ? { description: { purpose: options.purpose } } : {}),
    ...(options.team ? { team: { name: options.team } } : {}),
    schema: Object.entries(schemas).map(([name, properties]) => ({
      name,
      physicalType: 'table',
      properties: properties.map((p) => ({ logicalType: 'string', ...p }) as JsonObject),
    })),
    ...(options.extra ?? {}),
  };
  return doc;
}

/** A deep copy of a JSON value (to edit a fixture without touching the original). */
export function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** A small document with one schema `orders` holding the given properties, as written (no defaults added). */
export function ordersDocument(properties: JsonObject[], extra: JsonObject = {}): JsonObject {
  return {
    apiVersion: 'v3.1.0',
    kind: 'DataContract',
    id: 'urn:test:orders',
    version: '1.0.0',
    status: 'active',
    schema: [{ name: 'orders', physicalType: 'table', properties }],
    ...extra,
  };
}
