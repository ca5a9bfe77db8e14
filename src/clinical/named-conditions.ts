/**
 * Named conditions (rules/conditions.json): a condition that several rules share — "a programme was chosen",
 * "no red flag that rules out imaging advice" — is written once and named, and a rule refers to it as
 * `{ "condition": "programme-chosen" }`. References are replaced by the named condition when the rules are
 * loaded, so the engine and the evidence of a finding see ordinary conditions. A named condition may not refer
 * to another one, and one that no rule uses is refused, like every other field of rules/.
 */

export interface ConditionReference {
  readonly condition: string;
}

/** The shape of a condition tree; leaves are whatever the rule schema allows. */
export type Tree<Leaf> =
  | Leaf
  | ConditionReference
  | { all: Tree<Leaf>[]; note?: string }
  | { any: Tree<Leaf>[]; note?: string }
  | { not: Tree<Leaf>; note?: string };

/** Leaves only: what a tree is once its references are replaced. */
export type ExpandedTree<Leaf> =
  | Leaf
  | { all: ExpandedTree<Leaf>[]; note?: string }
  | { any: ExpandedTree<Leaf>[]; note?: string }
  | { not: ExpandedTree<Leaf>; note?: string };

export const isReference = (node: object): node is ConditionReference => 'condition' in node;

/**
 * Replaces every reference in a rule's conditions by its named condition.
 * @param node - the rule's conditions
 * @param named - the named conditions of rules/conditions.json
 * @param used - collects the names that were used, to find the unused ones
 * @param problem - called with a message for each unknown name
 */
export function expandReferences<Leaf extends object>(
  node: Tree<Leaf>,
  named: ReadonlyMap<string, Tree<Leaf>>,
  used: Set<string>,
  problem: (message: string) => void
): ExpandedTree<Leaf> {
  const expand = (child: Tree<Leaf>): ExpandedTree<Leaf> => expandReferences(child, named, used, problem);
  if (isReference(node)) {
    const target = named.get(node.condition);
    used.add(node.condition);
    if (target === undefined) {
      problem(`unknown named condition "${node.condition}" (conditions.json: ${[...named.keys()].join(', ')})`);
      return { all: [] };
    }
    return expand(target);
  }
  if ('all' in node) {
    return { ...node, all: node.all.map(expand) };
  }
  if ('any' in node) {
    return { ...node, any: node.any.map(expand) };
  }
  if ('not' in node) {
    return { ...node, not: expand(node.not) };
  }
  return node;
}

/** The names a tree refers to (named conditions must not refer to each other). */
export function referencesIn<Leaf extends object>(node: Tree<Leaf>): string[] {
  if (isReference(node)) {
    return [node.condition];
  }
  if ('all' in node) {
    return node.all.flatMap(referencesIn);
  }
  if ('any' in node) {
    return node.any.flatMap(referencesIn);
  }
  if ('not' in node) {
    return referencesIn(node.not);
  }
  return [];
}
