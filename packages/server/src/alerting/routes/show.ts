/**
 * The routing tree as text, the way `amtool config routes show` and `amtool config routes test --tree`
 * print it (github.com/xlab/treeprint layout).
 */
import type { LabelSet } from '../types.ts';
import { formatMatchers, matchesAll } from '../matchers/index.ts';
import type { Route } from './tree.ts';

interface TreeNode {
  text: string;
  children: TreeNode[];
}

const SEPARATOR = '  ';

function slug(route: Route, showContinue: boolean, showReceiver: boolean): string {
  let text = route.matchers.length === 0 ? 'default-route' : formatMatchers(route.matchers);
  if (route.continue && showContinue) text += `${SEPARATOR}continue: true`;
  if (showReceiver) text += `${SEPARATOR}receiver: ${route.options.receiver}`;
  return text;
}

function render(children: readonly TreeNode[], prefix: string, lines: string[]): void {
  children.forEach((child, i) => {
    const last = i === children.length - 1;
    const textLines = child.text.split('\n');
    lines.push(`${prefix}${last ? '└── ' : '├── '}${textLines[0]}`);
    // treeprint indents under a non-last branch with "│", two no-break spaces and a space.
    const continuation = `${prefix}${last ? '    ' : '│\u00a0\u00a0 '}`;
    for (const extra of textLines.slice(1)) lines.push(`${continuation}${extra}`);
    render(child.children, continuation, lines);
  });
}

function print(root: TreeNode): string {
  const lines = ['.'];
  render([root], '', lines);
  return `${lines.join('\n')}\n`;
}

function fullTree(route: Route): TreeNode {
  return { text: slug(route, true, true), children: route.routes.map(fullTree) };
}

/** `amtool config routes show`: "Routing tree:" and the whole tree with receivers, as amtool writes it. */
export function formatRoutingTree(root: Route): string {
  return `Routing tree:\n${print(fullTree(root))}\n`;
}

function matchingTree(route: Route, labels: LabelSet): TreeNode {
  const node: TreeNode = { text: slug(route, false, false), children: [] };
  for (const child of route.routes) {
    if (!matchesAll(child.matchers, labels)) continue;
    node.children.push(matchingTree(child, labels));
    if (!child.continue) break;
  }
  if (node.children.length === 0) node.text = slug(route, false, true);
  return node;
}

/** `amtool config routes test --tree`: "Matching routes:" and the branches the labels take. */
export function formatMatchingTree(root: Route, labels: LabelSet): string {
  return `Matching routes:\n${print(matchingTree(root, labels))}\n\n`;
}
