/** The shape of a diff: paths, change kinds, the element a change is on, and the keys that decide matching. */
import type { JsonValue } from '../odcs.js';

export type PathPart = string | number;
export type Path = PathPart[];

export type DiffKind = 'added' | 'removed' | 'changed';

/** The kinds of ODCS elements a change can be about. */
export type ElementKind = 'document' | 'schema' | 'property' | 'quality' | 'server' | 'slaProperty';

/** The element a change is on (when it adds or removes the element itself) or inside. */
export interface ChangeTarget {
  element: ElementKind;
  /** true when the change adds or removes the element itself (then `field` is []). */
  whole: boolean;
  /** Name of the schema object the change is in (null for changes outside `schema[]`). */
  schema: string | null;
  /** Dotted path of the property inside its schema (`address.street`), when the change is in a property. */
  property: string | null;
  /** Readable path of the element (`orders.address.street`, `servers.prod-db`, `` for the document). */
  readablePath: string;
  /** Path of the element in the before / after document; null on the side where it does not exist. */
  beforePath: Path | null;
  afterPath: Path | null;
  /** Path of the enclosing schema object in each document (null outside `schema[]`). */
  schemaBeforePath: Path | null;
  schemaAfterPath: Path | null;
  /** Keys from the element to the changed value, in the document `Change.path` refers to. */
  field: Path;
}

export interface Change {
  kind: DiffKind;
  /** Path in the AFTER document for added/changed, in the BEFORE document for removed. */
  path: Path;
  /** `path` rendered: `$.schema[0].properties[3].logicalType`. */
  jsonPath: string;
  /** `orders.customer_email.logicalType`, `servers.prod-db.type`, `slaProperties.latency.value`. */
  readablePath: string;
  /** The value before (null when absent). */
  before: JsonValue;
  /** The value after (null when absent). */
  after: JsonValue;
  /** Where the value is in each document; null on the side where it is absent. */
  beforePath: Path | null;
  afterPath: Path | null;
  target: ChangeTarget;
}

/** Arrays of scalars whose order carries no meaning; compared as multisets. */
export const SET_LIKE_ARRAY_KEYS: ReadonlySet<string> = new Set([
  'tags',
  'transformSourceObjects',
  'examples',
  'enum',
  'validValues',
  'allowedValues',
  'missingValues',
  'required',
]);

/** Identity keys of items of arrays of objects, strongest first. */
export const IDENTITY_KEYS = ['id', 'name', 'property', 'server', 'username', 'role', 'channel', 'url'] as const;
/** Identity keys that make a readable label (a URL does not). */
export const LABEL_KEYS = ['name', 'property', 'server', 'username', 'role', 'channel', 'id'] as const;
