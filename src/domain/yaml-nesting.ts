/**
 * How deep a YAML text nests, measured without recursion, before the yaml library's recursive steps run on it.
 *
 * The yaml library parses a text into tokens without recursion, but it composes those tokens into nodes and turns
 * nodes into values recursively, one call level per nesting level. Letting a deep text run those steps into a stack
 * overflow is not safe to catch: the overflow can strike inside the engine's regular-expression compiler (yaml
 * tests every scalar against the core schema's patterns), where V8 aborts the whole process ("RegExpCompiler
 * Allocation failed - process out of memory") instead of throwing a RangeError. So the tokens are measured first,
 * and then the composed nodes with their aliases followed (an alias nests its anchor's node where it is used).
 * Pure: no I/O.
 */
import type { CST } from 'yaml';
import { type Document, isAlias, isMap, isNode, isPair, isSeq, type Node } from 'yaml';

/** Whether the token stream of one text nests collections (block or flow) more than `maxDepth` deep. */
export function tokensNestDeeperThan(tokens: readonly CST.Token[], maxDepth: number): boolean {
  const stack: { token: CST.Token; depth: number }[] = tokens.map((token) => ({ token, depth: 0 }));
  while (stack.length) {
    const { token, depth } = stack.pop()!;
    if (token.type === 'document') {
      if (token.value) stack.push({ token: token.value, depth });
    } else if (token.type === 'block-map' || token.type === 'block-seq' || token.type === 'flow-collection') {
      if (depth + 1 > maxDepth) return true;
      for (const item of token.items as CST.CollectionItem[]) {
        if (item.key) stack.push({ token: item.key, depth: depth + 1 });
        if (item.value) stack.push({ token: item.value, depth: depth + 1 });
      }
    }
  }
  return false;
}

/**
 * The nesting of a composed document's value with every alias replaced by its anchor's node, or null when it is
 * deeper than `maxDepth` (or an alias sits inside its own anchor). Each node is measured once, so aliases of
 * aliases cost no more than the nodes they name.
 */
export function expandedDepthWithin(doc: Document, maxDepth: number): number | null {
  const measured = new Map<Node, number>();
  const open = new Set<Node>();
  const children = (node: Node): Node[] => {
    if (isAlias(node)) {
      const target = node.resolve(doc);
      return target ? [target as Node] : [];
    }
    if (isMap(node)) return node.items.flatMap((pair) => (isPair(pair) ? [pair.key, pair.value] : [])).filter((n): n is Node => isNode(n));
    if (isSeq(node)) return node.items.filter((n): n is Node => isNode(n));
    return [];
  };
  const own = (node: Node): number => (isMap(node) || isSeq(node) ? 1 : 0);
  const root = doc.contents as Node | null;
  if (!root) return 0;
  // Post-order with an explicit stack: a node's depth once all of its children's are known.
  const stack: { node: Node; expanded: boolean }[] = [{ node: root, expanded: false }];
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    if (measured.has(top.node)) {
      stack.pop();
      continue;
    }
    const next = children(top.node);
    if (!top.expanded) {
      top.expanded = true;
      open.add(top.node);
      for (const child of next) {
        if (open.has(child)) return null; // an alias inside its own anchor: endless nesting
        if (!measured.has(child)) stack.push({ node: child, expanded: false });
      }
      continue;
    }
    const depth = own(top.node) + Math.max(0, ...next.map((child) => measured.get(child) ?? 0));
    if (depth > maxDepth) return null;
    measured.set(top.node, depth);
    open.delete(top.node);
    stack.pop();
  }
  return measured.get(root) ?? 0;
}
