/** Where a diff is in an ODCS document: the role of each node (schema, property, quality rule...) and its readable path. */
import type { JsonObject, JsonValue } from '../odcs.js';
import type { ChangeTarget, ElementKind } from './types.js';

export type Role =
  | 'document'
  | 'schemaList'
  | 'schema'
  | 'propertyList'
  | 'property'
  | 'items'
  | 'qualityList'
  | 'quality'
  | 'serverList'
  | 'server'
  | 'slaList'
  | 'sla'
  | 'other';

export type TargetContext = Omit<ChangeTarget, 'whole' | 'field'>;

export interface Node {
  role: Role;
  /** Readable path of this node. */
  readable: string;
  /** Readable path nested properties hang from (a schema's or a property's readable; `items` inherits it). */
  entityReadable: string;
  /** Dotted path of the property that owns this node (null at schema level). */
  propertyBase: string | null;
  /** The innermost element matched in both documents. */
  target: TargetContext;
}

export const ENTITY_ROLES: Partial<Record<Role, ElementKind>> = {
  schema: 'schema',
  property: 'property',
  quality: 'quality',
  server: 'server',
  sla: 'slaProperty',
};

export function isPlainObject(v: JsonValue | undefined): v is JsonObject {
  return v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v);
}

function childRole(parent: Role, key: string): Role {
  switch (parent) {
    case 'document':
      return key === 'schema' ? 'schemaList' : key === 'servers' ? 'serverList' : key === 'slaProperties' ? 'slaList' : 'other';
    case 'schema':
      return key === 'properties' ? 'propertyList' : key === 'quality' ? 'qualityList' : 'other';
    case 'property':
    case 'items':
      return key === 'properties' ? 'propertyList' : key === 'items' ? 'items' : key === 'quality' ? 'qualityList' : 'other';
    default:
      return 'other';
  }
}

function itemRole(list: Role): Role {
  switch (list) {
    case 'schemaList':
      return 'schema';
    case 'propertyList':
      return 'property';
    case 'qualityList':
      return 'quality';
    case 'serverList':
      return 'server';
    case 'slaList':
      return 'sla';
    default:
      return 'other';
  }
}

export function keyChild(node: Node, key: string): Node {
  const role = childRole(node.role, key);
  const readable = node.readable ? `${node.readable}.${key}` : key;
  return {
    role,
    readable,
    // nested properties hang from the schema / property, skipping `properties` and `items`
    entityReadable: role === 'propertyList' || role === 'items' ? node.entityReadable : readable,
    propertyBase: node.role === 'property' || node.role === 'items' || node.role === 'propertyList' ? node.propertyBase : null,
    target: node.target,
  };
}

export function itemChild(list: Node, label: string): { node: Node; role: Role; propertyPath: string | null } {
  const role = itemRole(list.role);
  let readable: string;
  let propertyPath: string | null = null;
  if (role === 'schema') readable = label.startsWith('[') ? `schema${label}` : label;
  else if (role === 'property') {
    readable = label.startsWith('[') ? `${list.readable}${label}` : `${list.entityReadable}.${label}`;
    propertyPath = list.propertyBase ? `${list.propertyBase}.${label}` : label;
  } else readable = label.startsWith('[') ? `${list.readable}${label}` : `${list.readable}.${label}`;
  return {
    role,
    propertyPath,
    node: { role, readable, entityReadable: readable, propertyBase: role === 'property' ? propertyPath : list.propertyBase, target: list.target },
  };
}
