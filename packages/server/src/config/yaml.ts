/**
 * YAML → plain JS with positions. Parses as YAML 1.1 (what Prometheus's go-yaml v2 reads: `yes`/`no`
 * booleans, `<<` merge keys), keeps every node's line:column, and wraps non-string scalars so string
 * fields can still see the text as written (`version: 1.10` is the label value "1.10", not 1.1).
 */
import type { Document, Node as YamlNode } from 'yaml';
import { LineCounter, isAlias, isMap, isPair, isScalar, isSeq, parseDocument } from 'yaml';
import { ConfigError } from './errors.ts';

export type PathSegment = string | number;
export type Path = readonly PathSegment[];

export interface Position {
  line: number;
  col: number;
}

const SCALAR_MARK = Symbol('yaml-scalar');

/** A non-string YAML scalar: its resolved value plus the source text as written. */
export interface YamlScalar {
  readonly [SCALAR_MARK]: true;
  readonly value: number | boolean | bigint | Date | Uint8Array | unknown;
  readonly source: string;
}

export function isYamlScalar(value: unknown): value is YamlScalar {
  return typeof value === 'object' && value !== null && SCALAR_MARK in value;
}

/** Unwraps a YamlScalar to its resolved value; anything else passes through. */
export function unwrapScalar(value: unknown): unknown {
  return isYamlScalar(value) ? value.value : value;
}

interface PosNode {
  pos: Position;
  keys: Map<string, Position>;
  children: Map<PathSegment, PosNode>;
}

export interface ParsedYaml {
  /** Plain objects, arrays, strings, null (in sequences), undefined (null map values) and YamlScalars. */
  value: unknown;
  /** Position of the node at `path` (or of its nearest existing ancestor). */
  locate(path: Path): Position;
  /** Position of the mapping key at `path`, falling back to `locate`. */
  locateKey(path: Path): Position;
  /** Whether the mapping at `path` spells out `key` (even with a null value). */
  hasKey(path: Path, key: string): boolean;
}

export interface ParseYamlOptions {
  filename: string;
  /** Read an empty document as this value (default `{}`). */
  emptyValue?: unknown;
}

/** Parses YAML text; syntax errors become a ConfigError naming file:line:col. */
export function parseYaml(text: string, options: ParseYamlOptions): ParsedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    version: '1.1',
    prettyErrors: false,
    merge: true,
    uniqueKeys: true,
    strict: true,
  });
  const toPos = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, col };
  };
  if (doc.errors.length > 0) {
    const lines = doc.errors.map((e) => {
      const p = toPos(e.pos[0]);
      return `${options.filename}:${p.line}:${p.col}: yaml: ${cleanYamlMessage(e.message)}`;
    });
    throw new ConfigError(dedupe(lines));
  }
  const rootPos: PosNode = { pos: { line: 1, col: 1 }, keys: new Map(), children: new Map() };
  let value: unknown;
  if (doc.contents === null) {
    value = options.emptyValue ?? {};
  } else {
    const converter = new Converter(doc, toPos, options.filename);
    const result = converter.convert(doc.contents as YamlNode, 0);
    value = result.value === undefined ? (options.emptyValue ?? {}) : result.value;
    Object.assign(rootPos, result.pos);
  }
  const walk = (path: Path): { node: PosNode; complete: boolean } => {
    let node = rootPos;
    for (const seg of path) {
      const next = node.children.get(seg);
      if (next === undefined) return { node, complete: false };
      node = next;
    }
    return { node, complete: true };
  };
  return {
    value,
    locate: (path) => walk(path).node.pos,
    locateKey: (path) => {
      if (path.length === 0) return rootPos.pos;
      const parent = walk(path.slice(0, -1));
      const last = path[path.length - 1];
      if (parent.complete && typeof last === 'string') {
        const key = parent.node.keys.get(last);
        if (key !== undefined) return key;
      }
      return walk(path).node.pos;
    },
    hasKey: (path, key) => {
      const found = walk(path);
      return found.complete && found.node.keys.has(key);
    },
  };
}

function cleanYamlMessage(message: string): string {
  // The yaml library appends " at line L, column C" (and a source excerpt) to some messages.
  return message.replace(/ at line \d+, column \d+:?[\s\S]*$/, '').trim();
}

function dedupe(lines: string[]): string {
  return [...new Set(lines)].join('\n');
}

const MAX_ALIAS_DEPTH = 64;

class Converter {
  private readonly doc: Document;
  private readonly toPos: (offset: number) => Position;
  private readonly filename: string;

  constructor(doc: Document, toPos: (offset: number) => Position, filename: string) {
    this.doc = doc;
    this.toPos = toPos;
    this.filename = filename;
  }

  private fail(offset: number, message: string): never {
    const p = this.toPos(offset);
    throw new ConfigError(`${this.filename}:${p.line}:${p.col}: ${message}`);
  }

  convert(node: YamlNode | null, depth: number): { value: unknown; pos: PosNode } {
    const start = node?.range?.[0] ?? 0;
    const pos: PosNode = { pos: this.toPos(start), keys: new Map(), children: new Map() };
    if (node === null) return { value: undefined, pos };
    if (isAlias(node)) {
      if (depth > MAX_ALIAS_DEPTH) this.fail(start, 'yaml: aliases nested too deeply');
      const target = node.resolve(this.doc);
      if (target === undefined) this.fail(start, `yaml: unknown anchor '${node.source}' referenced`);
      const inner = this.convert(target as YamlNode, depth + 1);
      // Errors inside an alias point at the use site's children as the anchor defines them.
      return { value: inner.value, pos: { ...inner.pos, pos: pos.pos } };
    }
    if (isScalar(node)) {
      const v = node.value;
      if (v === null || v === undefined) return { value: undefined, pos };
      if (typeof v === 'string') return { value: v, pos };
      const source = typeof node.source === 'string' ? node.source : String(v);
      const wrapped: YamlScalar = { [SCALAR_MARK]: true, value: v, source };
      return { value: wrapped, pos };
    }
    if (isSeq(node)) {
      const out: unknown[] = [];
      node.items.forEach((item, i) => {
        const child = this.convert(item as YamlNode | null, depth);
        out.push(child.value === undefined ? null : child.value);
        pos.children.set(i, child.pos);
      });
      return { value: out, pos };
    }
    if (isMap(node)) {
      const out: Record<string, unknown> = {};
      const merges: { value: unknown; pos: PosNode }[] = [];
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const keyNode = pair.key as YamlNode | null;
        const keyText = this.keyText(keyNode);
        if (keyText === '<<' && isScalar(keyNode) && keyNode.type === 'PLAIN') {
          merges.push(...this.mergeSources(pair.value as YamlNode | null, depth));
          continue;
        }
        const child = this.convert(pair.value as YamlNode | null, depth);
        // `key:` followed by nothing: point at the key itself.
        if (child.value === undefined) child.pos.pos = this.toPos(keyNode?.range?.[0] ?? 0);
        Object.defineProperty(out, keyText, { value: child.value, enumerable: true, writable: true, configurable: true });
        pos.children.set(keyText, child.pos);
        pos.keys.set(keyText, this.toPos(keyNode?.range?.[0] ?? 0));
      }
      for (const merged of merges) {
        if (typeof merged.value !== 'object' || merged.value === null || Array.isArray(merged.value) || isYamlScalar(merged.value)) {
          this.fail(node.range?.[0] ?? 0, 'yaml: map merge requires map or sequence of maps as the value');
        }
        for (const [k, v] of Object.entries(merged.value as Record<string, unknown>)) {
          if (Object.prototype.hasOwnProperty.call(out, k)) continue;
          Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
          const childPos = merged.pos.children.get(k);
          if (childPos) pos.children.set(k, childPos);
          const keyPos = merged.pos.keys.get(k);
          if (keyPos) pos.keys.set(k, keyPos);
        }
      }
      return { value: out, pos };
    }
    return this.fail(start, 'yaml: unsupported node');
  }

  private mergeSources(value: YamlNode | null, depth: number): { value: unknown; pos: PosNode }[] {
    if (value !== null && isSeq(value)) return value.items.map((item) => this.convert(item as YamlNode, depth + 1));
    return [this.convert(value, depth + 1)];
  }

  private keyText(key: YamlNode | null): string {
    if (key === null) return '';
    if (isScalar(key)) {
      if (key.value === null || key.value === undefined) return '';
      if (typeof key.value === 'string') return key.value;
      return typeof key.source === 'string' ? key.source : String(key.value);
    }
    return this.fail(key.range?.[0] ?? 0, 'yaml: invalid map key: mapping keys must be scalars');
  }
}
