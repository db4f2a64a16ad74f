/**
 * The costs of operations already measured (src/http/limits.ts), so that the same operation is not walked again on
 * every request. A cost depends on the document (yoga's parser cache hands back the same DocumentNode for the same
 * text), the operation chosen and, through the variables, only on what src/schema/complexity.ts and the complexity
 * plugin read from arguments: numbers (`first`, `last`), list lengths (`ids`) and booleans (`@include`, `@skip`),
 * never on the caller (fieldComplexity ignores its context). The key is therefore the variables' shape: numbers,
 * booleans and nulls as they are, lists with their length and items, strings as empty or not, and every input
 * object as one mark (a cost never reads inside strings or input objects). Entries go with their document, and at
 * most MAX_SHAPES shapes are kept per document.
 */
import type { DocumentNode } from 'graphql';

const MAX_SHAPES = 64;

/** What of the variables can change a cost; any value a cost reads inside is kept exactly. */
export function variablesShape(values: Record<string, unknown>): string {
  let out = '';
  for (const name in values) out += `${name}=${shapeOf(values[name])};`;
  return out;
}

function shapeOf(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value === 'number' ? 'n' : 'b'}${String(value)}`;
  if (typeof value === 'string') return value === '' ? 'e' : 's';
  if (Array.isArray(value)) return `[${value.length}:${value.map(shapeOf).join(',')}]`;
  return 'o';
}

export class CostCache {
  private readonly byDocument = new WeakMap<DocumentNode, Map<string, number>>();

  private keyOf(operationName: string | undefined, variables: Record<string, unknown>): string {
    return `${operationName ?? ''}\u0001${variablesShape(variables)}`;
  }

  get(document: DocumentNode, operationName: string | undefined, variables: Record<string, unknown>): number | undefined {
    return this.byDocument.get(document)?.get(this.keyOf(operationName, variables));
  }

  set(document: DocumentNode, operationName: string | undefined, variables: Record<string, unknown>, cost: number): void {
    let shapes = this.byDocument.get(document);
    if (!shapes) this.byDocument.set(document, (shapes = new Map()));
    if (shapes.size >= MAX_SHAPES) shapes.clear();
    shapes.set(this.keyOf(operationName, variables), cost);
  }
}
