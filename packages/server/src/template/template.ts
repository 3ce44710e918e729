/**
 * A set of associated templates, like Go's *template.Template: parse text (with its `define`s) into
 * it, then execute the top-level template or any defined one by name.
 */
import { builtinFunctions } from './builtins.ts';
import { executeTree } from './exec.ts';
import type { MissingKey } from './exec.ts';
import type { FunctionMap } from './function.ts';
import { isEmptyList, parseTemplate } from './parse.ts';
import type { Tree } from './parse.ts';

export interface TemplateOptions {
  /** Extra functions; they override the predefined ones of the same name, as in Go. */
  functions?: FunctionMap;
  /** Go's `missingkey=` option: 'default' (prints `<no value>`), 'zero', or 'error'. */
  missingKey?: MissingKey;
  leftDelim?: string;
  rightDelim?: string;
}

export class Template {
  readonly name: string;
  private readonly trees = new Map<string, Tree>();
  private readonly functions: FunctionMap;
  private readonly missingKey: MissingKey;
  private readonly leftDelim: string | undefined;
  private readonly rightDelim: string | undefined;

  constructor(name: string, options: TemplateOptions = {}) {
    this.name = name;
    this.functions = { ...options.functions };
    this.missingKey = options.missingKey ?? 'default';
    this.leftDelim = options.leftDelim;
    this.rightDelim = options.rightDelim;
  }

  /** Adds functions (before parsing: names are checked at parse time). */
  addFunctions(functions: FunctionMap): this {
    Object.assign(this.functions, functions);
    return this;
  }

  /**
   * Parses `text` as the body of the template named `name` (default: this template's name) plus
   * its definitions. Throws TemplateParseError. A definition whose body is only space does not
   * replace an existing one; two non-empty definitions of one name are an error, as in Go.
   */
  parse(text: string, name = this.name): this {
    const trees = parseTemplate(name, text, {
      hasFunction: (functionName) => functionName === 'and' || functionName === 'or' || functionName in this.functions || functionName in builtinFunctions,
      leftDelim: this.leftDelim,
      rightDelim: this.rightDelim,
    });
    // A later Parse may redefine a template (Go allows it before execution); an empty body never replaces one.
    for (const tree of trees) {
      const existing = this.trees.get(tree.name);
      if (existing !== undefined && isEmptyList(tree.root) && !isEmptyList(existing.root)) continue;
      this.trees.set(tree.name, tree);
    }
    return this;
  }

  /**
   * A copy sharing this set's definitions and functions (trees are immutable), named `name`;
   * later parses into the copy leave this one untouched, like Go's Clone followed by New(name).
   */
  clone(name = this.name, options: { missingKey?: MissingKey } = {}): Template {
    const copy = new Template(name, {
      functions: this.functions,
      missingKey: options.missingKey ?? this.missingKey,
      leftDelim: this.leftDelim,
      rightDelim: this.rightDelim,
    });
    for (const [treeName, tree] of this.trees) copy.trees.set(treeName, tree);
    return copy;
  }

  /** Names of the defined templates, sorted. */
  definedTemplates(): string[] {
    return [...this.trees.keys()].sort();
  }

  has(name: string): boolean {
    return this.trees.has(name);
  }

  /** Executes the template named `name` (default: this one) with `data` as dot. Throws TemplateExecError. */
  async execute(data: unknown, name = this.name): Promise<string> {
    const tree = this.trees.get(name);
    if (tree === undefined) {
      if (name === this.name) throw new Error(`template: ${name}: "${name}" is an incomplete or empty template`);
      throw new Error(`template: no template ${JSON.stringify(name)} associated with template ${JSON.stringify(this.name)}`);
    }
    return await executeTree({ lookupTree: (treeName) => this.trees.get(treeName), functions: this.functions, missingKey: this.missingKey }, tree, data);
  }
}

/** Parses and executes in one step. */
export async function renderTemplate(text: string, data: unknown, options: TemplateOptions & { name?: string } = {}): Promise<string> {
  const template = new Template(options.name ?? 'template', options);
  template.parse(text);
  return await template.execute(data);
}
