/**
 * The project's own model of an ODCS v3.1 data contract: the TypeScript shapes the registry reads, and a zod
 * schema that checks a document before anything is stored. Unknown keys are allowed (and kept verbatim by the
 * storage layer); known keys must have the type the standard gives them.
 */
import { z } from 'zod';
import type { ValidationIssue } from './errors.js';
import { formatPath } from './paths.js';

export const ODCS_API_VERSIONS = ['v3.1.0', 'v3.0.2', 'v3.0.1', 'v3.0.0', 'v2.2.2', 'v2.2.1', 'v2.2.0'] as const;
export const LOGICAL_TYPES = ['string', 'date', 'timestamp', 'time', 'number', 'integer', 'object', 'array', 'boolean'] as const;
export type LogicalType = (typeof LOGICAL_TYPES)[number];

/** A JSON object exactly as a client sent it. Key order is significant and preserved. */
export type JsonObject = { [key: string]: JsonValue };
export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;

export interface OdcsCustomProperty {
  property: string;
  value: JsonValue;
  [key: string]: JsonValue | undefined;
}

export interface OdcsProperty {
  name: string;
  logicalType?: LogicalType;
  physicalType?: string;
  physicalName?: string;
  description?: string;
  businessName?: string;
  required?: boolean;
  unique?: boolean;
  primaryKey?: boolean;
  primaryKeyPosition?: number;
  classification?: string;
  customProperties?: OdcsCustomProperty[];
  properties?: OdcsProperty[];
  items?: Omit<OdcsProperty, 'name'> & { name?: string };
  [key: string]: unknown;
}

export interface OdcsSchemaObject {
  name: string;
  physicalName?: string;
  physicalType?: string;
  logicalType?: 'object';
  description?: string;
  businessName?: string;
  properties?: OdcsProperty[];
  [key: string]: unknown;
}

export interface OdcsDocument {
  apiVersion: string;
  kind: 'DataContract';
  id: string;
  version: string;
  status: string;
  name?: string;
  description?: { usage?: string; purpose?: string; limitations?: string; [key: string]: unknown };
  schema?: OdcsSchemaObject[];
  [key: string]: unknown;
}

const text = z.string();
const tags = z.array(z.string());
const anyJson = z.unknown();
const customProperty = z.looseObject({ property: z.string().min(1), value: anyJson.refine((v) => v !== undefined, 'is required') });
const customProperties = z.array(customProperty);
const authoritativeDefinitions = z.array(z.looseObject({ url: z.string(), type: z.string() }));
const stableId = z.string().regex(/^[A-Za-z0-9_-]+$/, "may contain only letters, digits, '-' and '_'");

const quality = z.array(
  z.looseObject({
    id: stableId.optional(),
    name: text.optional(),
    description: text.optional(),
    type: z.enum(['text', 'library', 'sql', 'custom']).optional(),
    dimension: z
      .enum(['accuracy', 'completeness', 'conformity', 'consistency', 'coverage', 'timeliness', 'uniqueness'])
      .optional(),
    severity: text.optional(),
    customProperties: customProperties.optional(),
    tags: tags.optional(),
  }),
);

const baseProperty = {
  id: stableId.optional(),
  logicalType: z.enum(LOGICAL_TYPES).optional(),
  logicalTypeOptions: z.record(z.string(), anyJson).optional(),
  physicalType: text.optional(),
  physicalName: text.optional(),
  description: text.optional(),
  businessName: text.optional(),
  required: z.boolean().optional(),
  unique: z.boolean().optional(),
  primaryKey: z.boolean().optional(),
  primaryKeyPosition: z.int().optional(),
  partitioned: z.boolean().optional(),
  partitionKeyPosition: z.int().optional(),
  classification: text.optional(),
  encryptedName: text.optional(),
  transformSourceObjects: z.array(z.string()).optional(),
  transformLogic: text.optional(),
  transformDescription: text.optional(),
  examples: z.array(anyJson).optional(),
  criticalDataElement: z.boolean().optional(),
  quality: quality.optional(),
  tags: tags.optional(),
  customProperties: customProperties.optional(),
  authoritativeDefinitions: authoritativeDefinitions.optional(),
};

type PropertyShape = z.ZodType<unknown>;
const property: PropertyShape = z.lazy(() =>
  z.looseObject({
    ...baseProperty,
    name: z.string().min(1, 'must not be empty'),
    properties: z.array(property).optional(),
    items: itemProperty.optional(),
  }),
);
const itemProperty: PropertyShape = z.lazy(() =>
  z.looseObject({
    ...baseProperty,
    name: z.string().optional(),
    properties: z.array(property).optional(),
    items: itemProperty.optional(),
  }),
);

const schemaObject = z.looseObject({
  id: stableId.optional(),
  name: z.string().min(1, 'must not be empty'),
  physicalName: text.optional(),
  physicalType: text.optional(),
  logicalType: z.literal('object').optional(),
  description: text.optional(),
  businessName: text.optional(),
  dataGranularityDescription: text.optional(),
  properties: z.array(property).optional(),
  quality: quality.optional(),
  tags: tags.optional(),
  customProperties: customProperties.optional(),
  authoritativeDefinitions: authoritativeDefinitions.optional(),
});

const server = z.looseObject({
  id: stableId.optional(),
  server: z.string().min(1),
  type: z.string().min(1),
  description: text.optional(),
  environment: text.optional(),
  customProperties: customProperties.optional(),
});

const teamMember = z.looseObject({ username: z.string().min(1), name: text.optional(), role: text.optional() });
/** v3.1 team object, or the deprecated list of members (v3.0): chosen by shape so errors keep their full path. */
const teamObject = z.looseObject({ name: text.optional(), description: text.optional(), members: z.array(teamMember).optional() });
const teamList = z.array(teamMember);
const team = z.unknown().superRefine((value, ctx) => {
  const result = (Array.isArray(value) ? teamList : teamObject).safeParse(value);
  if (!result.success) for (const issue of result.error.issues) ctx.addIssue({ ...issue, path: issue.path } as never);
});

const slaProperty = z.looseObject({
  id: stableId.optional(),
  property: z.string().min(1),
  value: z.union([z.string(), z.number(), z.boolean(), z.null()]),
  unit: text.optional(),
  element: text.optional(),
});

export const odcsDocumentSchema = z.looseObject({
  apiVersion: z.enum(ODCS_API_VERSIONS),
  kind: z.literal('DataContract'),
  id: z.string().min(1, 'must not be empty'),
  version: z.string().min(1, 'must not be empty'),
  status: z.string().min(1, 'must not be empty'),
  name: text.optional(),
  tenant: text.optional(),
  domain: text.optional(),
  dataProduct: text.optional(),
  tags: tags.optional(),
  description: z
    .looseObject({
      usage: text.optional(),
      purpose: text.optional(),
      limitations: text.optional(),
      customProperties: customProperties.optional(),
      authoritativeDefinitions: authoritativeDefinitions.optional(),
    })
    .optional(),
  schema: z.array(schemaObject).optional(),
  servers: z.array(server).optional(),
  team: team.optional(),
  roles: z.array(z.looseObject({ role: z.string().min(1) })).optional(),
  slaDefaultElement: text.optional(),
  slaProperties: z.array(slaProperty).optional(),
  support: z.array(z.looseObject({ channel: z.string().min(1) })).optional(),
  price: z.looseObject({}).optional(),
  customProperties: customProperties.optional(),
  authoritativeDefinitions: authoritativeDefinitions.optional(),
  contractCreatedTs: text.optional(),
});

/**
 * Checks a document against the ODCS model plus the registry's own rules (schema names unique within a
 * contract, since the catalog is keyed by them). Returns every problem, each with its path; [] when valid.
 */
export function validateContractDocument(document: unknown, pathPrefix = ''): ValidationIssue[] {
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    return [{ path: pathPrefix || 'document', message: 'must be a JSON object (an ODCS data contract)', code: 'invalid_type' }];
  }
  const result = odcsDocumentSchema.safeParse(document);
  const issues: ValidationIssue[] = result.success
    ? []
    : result.error.issues.map((issue) => {
        const missing = valueAt(document, issue.path) === undefined;
        return {
          path: formatPath(issue.path, pathPrefix),
          message: missing ? 'is required' : describeIssue(issue),
          code: missing ? 'required' : issue.code,
        };
      });
  const schemas = (document as { schema?: unknown }).schema;
  if (Array.isArray(schemas)) {
    const seen = new Map<string, number>();
    schemas.forEach((s, i) => {
      const name = (s as { name?: unknown } | null)?.name;
      if (typeof name !== 'string') return;
      const key = name.toLowerCase();
      const first = seen.get(key);
      if (first !== undefined) {
        issues.push({
          path: formatPath(['schema', i, 'name'], pathPrefix),
          message: `duplicates the name of schema[${first}] (schema names must be unique within a contract, ignoring case)`,
          code: 'duplicate',
        });
      } else seen.set(key, i);
    });
  }
  return issues;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value: unknown = root;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_value' && 'values' in issue) {
    return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  return issue.message;
}

/** Walks every property of a schema, nested ones included, with its dotted path (`address.street`). */
export function* walkProperties(
  properties: readonly OdcsProperty[] | undefined,
  parentPath = '',
): Generator<{ path: string; property: OdcsProperty }> {
  for (const property of properties ?? []) {
    if (!property || typeof property.name !== 'string') continue;
    const path = parentPath ? `${parentPath}.${property.name}` : property.name;
    yield { path, property };
    if (Array.isArray(property.properties)) yield* walkProperties(property.properties, path);
    const items = property.items;
    if (items && Array.isArray(items.properties)) yield* walkProperties(items.properties as OdcsProperty[], path);
  }
}
