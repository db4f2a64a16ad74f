/**
 * A structural diff of two ODCS documents, aware of the standard's shape: items of arrays of objects are
 * matched by identity (so reordering is not a change), every change carries a JSON path, a readable path
 * (`orders.customer_email.logicalType`) and the element it is about (schema, property, quality rule, server,
 * SLA), which is what the breaking-change rules in breaking-rules/ judge. Pure: no I/O.
 *
 * Decisions:
 * - Granularity: the most specific path where the documents differ. Array items of arrays of objects
 *   (schemas, properties, quality rules, servers, SLAs, custom properties, ...) are atomic when added or
 *   removed: an added property is ONE `added` change whose `after` is the whole property.
 * - A key present on one side only, whose value on the other side is a non-empty object or a non-empty array
 *   of objects, is compared as if the missing side were empty: adding `quality: [r1, r2]` to a property
 *   reports two added quality rules, adding `logicalTypeOptions: {maxLength: 5}` reports one added
 *   `logicalTypeOptions.maxLength`. Adding an empty container (`tags: []`) or a scalar array
 *   (`enum: ['a', 'b']`) is one change of the whole value.
 * - Matching items of arrays of objects: first identical items (deep equality, so moved but unchanged items
 *   are never reported), then by the first identity key both items have, in the order `id`, `name`,
 *   `property` (customProperties, slaProperties), `server` (servers), `username` (team members), `role`
 *   (roles), `channel` (support), `url` (authoritativeDefinitions). Two items that both have the key but
 *   with different values are different items (a renamed property is removed + added, unless both carry the
 *   same `id`, in which case it is one change of `.name`). Items with no identity key in common are paired
 *   by position among the items left over.
 * - Arrays of scalars: set-like arrays (`tags`, `transformSourceObjects`, `examples`, allowed values `enum`,
 *   `validValues`, `allowedValues`, `missingValues`, and `logicalTypeOptions.required`) are compared as
 *   multisets: each added or removed element is its own change (`before`/`after` is the element) and order
 *   is ignored. Every other scalar array (`mustBeBetween`, relationship `from`/`to`, ...) is ordered and a
 *   difference is one `changed` of the whole array.
 * - Absent and `null` differ: absent -> null is an `added` change with `after: null`.
 * - Order of changes: document order — the after document's order, with removed things placed where they
 *   were: right after the nearest preceding thing both documents have (so before anything added there, as a
 *   unified diff shows a replacement).
 */
export { canonicalJson, jsonEqual, renderJsonPath, valueAt } from './json.js';
export { type Change, type ChangeTarget, type DiffKind, type ElementKind, IDENTITY_KEYS, type Path, type PathPart, SET_LIKE_ARRAY_KEYS } from './types.js';
export { diffDocuments } from './walk.js';
