/**
 * Parser for Go text/template, producing a tree per template (the top level plus each
 * `define`/`block`). Every node carries its offset; errors read like Go's:
 * `template: NAME:LINE: message` (Go reports parse errors by line only).
 */
import { Lexer } from './lexer.ts';
import type { Item } from './lexer.ts';

interface NodeBase {
  /** Offset in the source text (JavaScript string index). */
  position: number;
}

export interface TextNode extends NodeBase { kind: 'text'; text: string }
export interface CommentNode extends NodeBase { kind: 'comment'; text: string }
export interface ActionNode extends NodeBase { kind: 'action'; line: number; pipe: PipeNode }
export interface IfNode extends NodeBase { kind: 'if'; line: number; pipe: PipeNode; list: ListNode; elseList?: ListNode }
export interface WithNode extends NodeBase { kind: 'with'; line: number; pipe: PipeNode; list: ListNode; elseList?: ListNode }
export interface RangeNode extends NodeBase { kind: 'range'; line: number; pipe: PipeNode; list: ListNode; elseList?: ListNode }
export interface TemplateNode extends NodeBase { kind: 'template'; line: number; name: string; pipe?: PipeNode }
export interface BreakNode extends NodeBase { kind: 'break'; line: number }
export interface ContinueNode extends NodeBase { kind: 'continue'; line: number }
export interface ListNode extends NodeBase { kind: 'list'; nodes: Node[] }

export interface PipeNode extends NodeBase { kind: 'pipe'; line: number; isAssign: boolean; declarations: VariableNode[]; commands: CommandNode[] }
export interface CommandNode extends NodeBase { kind: 'command'; args: Operand[] }

export interface FieldNode extends NodeBase { kind: 'field'; identifiers: string[] }
export interface VariableNode extends NodeBase { kind: 'variable'; identifiers: string[] }
export interface ChainNode extends NodeBase { kind: 'chain'; node: Operand; fields: string[] }
export interface IdentifierNode extends NodeBase { kind: 'identifier'; name: string }
export interface DotNode extends NodeBase { kind: 'dot' }
export interface NilNode extends NodeBase { kind: 'nil' }
export interface BoolNode extends NodeBase { kind: 'bool'; value: boolean }
export interface StringNode extends NodeBase { kind: 'string'; quoted: string; text: string }
export interface NumberNode extends NodeBase {
  kind: 'number';
  text: string;
  isInt: boolean;
  isFloat: boolean;
  intValue: bigint;
  floatValue: number;
  isComplex: boolean;
}

export type Operand = FieldNode | VariableNode | ChainNode | IdentifierNode | DotNode | NilNode | BoolNode | StringNode | NumberNode | PipeNode;
export type Node = TextNode | CommentNode | ActionNode | IfNode | WithNode | RangeNode | TemplateNode | BreakNode | ContinueNode | ListNode;
export type AnyNode = Node | Operand | CommandNode;

interface EndNode { kind: 'end'; position: number }
interface ElseNode { kind: 'else'; position: number; line: number }

/** A parsed template body with the name it is defined under. */
export interface Tree {
  name: string;
  /** Name of the top-level template whose text this came from (Go's ParseName), for error locations. */
  parseName: string;
  text: string;
  root: ListNode;
}

export class TemplateParseError extends Error {
  readonly templateName: string;
  readonly line: number;
  readonly detail: string;
  constructor(templateName: string, line: number, detail: string) {
    super(`template: ${templateName}:${line}: ${detail}`);
    this.name = 'TemplateParseError';
    this.templateName = templateName;
    this.line = line;
    this.detail = detail;
  }
}

export interface ParseOptions {
  /** Function names known at parse time; unknown names are parse errors, as in Go. */
  hasFunction(name: string): boolean;
  leftDelim?: string;
  rightDelim?: string;
}

/** Parses `text` into its trees: the top-level one named `name` plus one per define/block. */
export function parseTemplate(name: string, text: string, options: ParseOptions): Tree[] {
  const lexer = new Lexer(text, options.leftDelim, options.rightDelim);
  const parser = new Parser(name, text, lexer.items, options);
  return parser.parseAll();
}

class Parser {
  private readonly items: Item[];
  private index = 0;
  private readonly parseName: string;
  private readonly text: string;
  private readonly options: ParseOptions;
  private variables: string[] = ['$'];
  private rangeDepth = 0;
  private actionLine = 0;
  private readonly trees: Tree[] = [];

  constructor(parseName: string, text: string, items: Item[], options: ParseOptions) {
    this.parseName = parseName;
    this.text = text;
    this.items = items;
    this.options = options;
  }

  private lastLine = 1;

  private next(): Item {
    const item = this.items[Math.min(this.index, this.items.length - 1)];
    this.index++;
    this.lastLine = item.line;
    return item;
  }
  private backup(count = 1): void {
    this.index -= count;
  }
  private peek(): Item {
    return this.items[Math.min(this.index, this.items.length - 1)];
  }
  private nextNonSpace(): Item {
    let item = this.next();
    while (item.type === 'space') item = this.next();
    return item;
  }
  private peekNonSpace(): Item {
    const item = this.nextNonSpace();
    this.backup();
    return item;
  }

  private error(message: string, line = this.lastLine): never {
    throw new TemplateParseError(this.parseName, line, message);
  }

  private unexpected(item: Item, context: string): never {
    if (item.type === 'error') {
      let extra = '';
      if (this.actionLine !== 0 && this.actionLine !== item.line) {
        extra = ` in action started at ${this.parseName}:${this.actionLine}`;
        if (item.value.endsWith(' action')) extra = extra.slice(' in action'.length);
      }
      this.error(`${item.value}${extra}`, item.line);
    }
    this.error(`unexpected ${describeItem(item)} in ${context}`, item.line);
  }

  private expect(type: Item['type'], context: string): Item {
    const item = this.nextNonSpace();
    if (item.type !== type) this.unexpected(item, context);
    return item;
  }

  parseAll(): Tree[] {
    const root: ListNode = { kind: 'list', position: this.peek().position, nodes: [] };
    while (this.peek().type !== 'eof') {
      if (this.peek().type === 'leftDelim') {
        const delimiterIndex = this.index;
        this.next();
        const keyword = this.nextNonSpace();
        if (keyword.type === 'keyword' && keyword.value === 'define') {
          this.parseDefinition();
          continue;
        }
        this.index = delimiterIndex;
      }
      const node = this.textOrAction();
      if (node.kind === 'end' || node.kind === 'else') this.error(`unexpected {{${node.kind}}}`);
      root.nodes.push(node);
    }
    this.trees.unshift({ name: this.parseName, parseName: this.parseName, text: this.text, root });
    return this.trees;
  }

  private parseDefinition(): void {
    const context = 'define clause';
    const nameItem = this.nextNonSpace();
    if (nameItem.type !== 'string' && nameItem.type !== 'rawString') this.unexpected(nameItem, context);
    const name = unquote(nameItem.value, (message) => this.error(message));
    this.expect('rightDelim', context);
    const savedVariables = this.variables;
    this.variables = ['$'];
    const [list, end] = this.itemList();
    if (end.kind !== 'end') this.error(`unexpected {{${end.kind}}} in ${context}`);
    this.variables = savedVariables;
    this.addTree({ name, parseName: this.parseName, text: this.text, root: list });
  }

  /** Go's Tree.add: an empty definition never replaces, two non-empty ones in one text are an error. */
  private addTree(tree: Tree): void {
    const existingIndex = this.trees.findIndex((candidate) => candidate.name === tree.name);
    if (existingIndex < 0) {
      this.trees.push(tree);
      return;
    }
    if (isEmptyList(this.trees[existingIndex].root)) {
      this.trees[existingIndex] = tree;
      return;
    }
    if (!isEmptyList(tree.root)) this.error(`template: multiple definition of template ${JSON.stringify(tree.name)}`);
  }

  private itemList(): [ListNode, EndNode | ElseNode] {
    const list: ListNode = { kind: 'list', position: this.peekNonSpace().position, nodes: [] };
    while (this.peekNonSpace().type !== 'eof') {
      const node = this.textOrAction();
      if (node.kind === 'end' || node.kind === 'else') return [list, node];
      list.nodes.push(node);
    }
    this.error('unexpected EOF');
  }

  private textOrAction(): Node | EndNode | ElseNode {
    const item = this.nextNonSpace();
    switch (item.type) {
      case 'text':
        return { kind: 'text', position: item.position, text: item.value };
      case 'leftDelim': {
        const savedActionLine = this.actionLine;
        this.actionLine = item.line;
        try {
          return this.action();
        } finally {
          this.actionLine = savedActionLine;
        }
      }
      case 'comment':
        return { kind: 'comment', position: item.position, text: item.value };
      default:
        this.unexpected(item, 'input');
    }
  }

  private action(): Node | EndNode | ElseNode {
    const item = this.nextNonSpace();
    if (item.type === 'keyword') {
      switch (item.value) {
        case 'block':
          return this.blockControl();
        case 'break':
        case 'continue': {
          const closing = this.nextNonSpace();
          if (closing.type !== 'rightDelim') this.unexpected(closing, `{{${item.value}}}`);
          if (this.rangeDepth === 0) this.error(`{{${item.value}}} outside {{range}}`);
          return { kind: item.value, position: item.position, line: item.line };
        }
        case 'else':
          return this.elseControl();
        case 'end':
          return { kind: 'end', position: this.expect('rightDelim', 'end').position };
        case 'if':
        case 'with':
        case 'range':
          return this.control(item.value);
        case 'template':
          return this.templateControl();
        default:
          break;
      }
    }
    this.backup();
    const first = this.peek();
    return { kind: 'action', position: first.position, line: first.line, pipe: this.pipeline('command', 'rightDelim') };
  }

  private elseControl(): ElseNode {
    const peeked = this.peekNonSpace();
    if (peeked.type === 'keyword' && (peeked.value === 'if' || peeked.value === 'with')) return { kind: 'else', position: peeked.position, line: peeked.line };
    const item = this.expect('rightDelim', 'else');
    return { kind: 'else', position: item.position, line: item.line };
  }

  private control(context: 'if' | 'with' | 'range'): IfNode | WithNode | RangeNode {
    const savedVariableCount = this.variables.length;
    const pipe = this.pipeline(context, 'rightDelim');
    if (context === 'range') this.rangeDepth++;
    const [list, next] = this.itemList();
    if (context === 'range') this.rangeDepth--;
    let elseList: ListNode | undefined;
    if (next.kind === 'else') {
      const following = this.peek();
      if ((context === 'if' || context === 'with') && following.type === 'keyword' && following.value === context) {
        // "{{else if x}}" is "{{else}}{{if x}}…{{end}}{{end}}" with the final end shared.
        this.next();
        elseList = { kind: 'list', position: next.position, nodes: [this.control(context)] };
      } else {
        const [list2, end] = this.itemList();
        if (end.kind !== 'end') this.error(`expected end; found {{${end.kind}}}`);
        elseList = list2;
      }
    }
    this.variables.length = savedVariableCount;
    return { kind: context, position: pipe.position, line: pipe.line, pipe, list, elseList } as IfNode | WithNode | RangeNode;
  }

  private templateName(item: Item, context: string): string {
    if (item.type !== 'string' && item.type !== 'rawString') this.unexpected(item, context);
    return unquote(item.value, (message) => this.error(message));
  }

  private templateControl(): TemplateNode {
    const context = 'template clause';
    const item = this.nextNonSpace();
    const name = this.templateName(item, context);
    let pipe: PipeNode | undefined;
    if (this.nextNonSpace().type !== 'rightDelim') {
      this.backup();
      pipe = this.pipeline(context, 'rightDelim');
    }
    return { kind: 'template', position: item.position, line: item.line, name, pipe };
  }

  private blockControl(): TemplateNode {
    const context = 'block clause';
    const item = this.nextNonSpace();
    const name = this.templateName(item, context);
    const pipe = this.pipeline(context, 'rightDelim');
    const savedVariables = this.variables;
    const savedRangeDepth = this.rangeDepth;
    this.variables = ['$'];
    this.rangeDepth = 0;
    const [list, end] = this.itemList();
    if (end.kind !== 'end') this.error(`unexpected {{${end.kind}}} in ${context}`);
    this.variables = savedVariables;
    this.rangeDepth = savedRangeDepth;
    this.addTree({ name, parseName: this.parseName, text: this.text, root: list });
    return { kind: 'template', position: item.position, line: item.line, name, pipe };
  }

  private pipeline(context: string, end: 'rightDelim' | 'rightParen'): PipeNode {
    const first = this.peekNonSpace();
    const pipe: PipeNode = { kind: 'pipe', position: first.position, line: first.line, isAssign: false, declarations: [], commands: [] };
    for (;;) {
      const variable = this.peekNonSpace();
      if (variable.type !== 'variable') break;
      const startIndex = this.index;
      this.nextNonSpace();
      const next = this.peekNonSpace();
      if (next.type === 'assign' || next.type === 'declare') {
        pipe.isAssign = next.type === 'assign';
        this.nextNonSpace();
        pipe.declarations.push({ kind: 'variable', position: variable.position, identifiers: [variable.value] });
        if (next.type === 'declare') this.variables.push(variable.value);
        else if (!this.variables.includes(variable.value)) this.error(`undefined variable "${variable.value}"`);
        break;
      }
      if (next.type === 'char' && next.value === ',') {
        this.nextNonSpace();
        pipe.declarations.push({ kind: 'variable', position: variable.position, identifiers: [variable.value] });
        this.variables.push(variable.value);
        if (context === 'range' && pipe.declarations.length < 2) {
          const after = this.peekNonSpace();
          if (after.type === 'variable' || after.type === 'rightDelim' || after.type === 'rightParen') continue;
          this.error('range can only initialize variables');
        }
        this.error(`too many declarations in ${context}`);
      }
      this.index = startIndex;
      break;
    }
    for (;;) {
      const item = this.nextNonSpace();
      if (item.type === end) {
        if (pipe.commands.length === 0) this.error(`missing value for ${context}`);
        for (let index = 1; index < pipe.commands.length; index++) {
          const kind = pipe.commands[index].args[0].kind;
          if (kind === 'bool' || kind === 'dot' || kind === 'nil' || kind === 'number' || kind === 'string') {
            this.error(`non executable command in pipeline stage ${index + 1}`);
          }
        }
        return pipe;
      }
      switch (item.type) {
        case 'bool': case 'charConstant': case 'dot': case 'field': case 'identifier': case 'number': case 'nil':
        case 'rawString': case 'string': case 'variable': case 'leftParen':
          this.backup();
          pipe.commands.push(this.command());
          break;
        default:
          this.unexpected(item, context);
      }
    }
  }

  private command(): CommandNode {
    const command: CommandNode = { kind: 'command', position: this.peekNonSpace().position, args: [] };
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand !== undefined) command.args.push(operand);
      const item = this.next();
      if (item.type === 'space') continue;
      if (item.type === 'rightDelim' || item.type === 'rightParen') this.backup();
      else if (item.type !== 'pipe') this.unexpected(item, 'operand');
      break;
    }
    if (command.args.length === 0) this.error('empty command');
    return command;
  }

  private operand(): Operand | undefined {
    const term = this.term();
    if (term === undefined) return undefined;
    if (this.peek().type !== 'field') return term;
    const position = this.peek().position;
    const fields: string[] = [];
    while (this.peek().type === 'field') fields.push(this.next().value.slice(1));
    switch (term.kind) {
      case 'field':
        return { kind: 'field', position, identifiers: [...term.identifiers, ...fields] };
      case 'variable':
        return { kind: 'variable', position, identifiers: [...term.identifiers, ...fields] };
      case 'bool': case 'string': case 'number': case 'nil': case 'dot':
        this.error(`unexpected . after term ${JSON.stringify(nodeString(term))}`);
      default:
        return { kind: 'chain', position, node: term, fields };
    }
  }

  private term(): Operand | undefined {
    const item = this.nextNonSpace();
    switch (item.type) {
      case 'identifier':
        if (!this.options.hasFunction(item.value)) this.error(`function "${item.value}" not defined`);
        return { kind: 'identifier', position: item.position, name: item.value };
      case 'dot':
        return { kind: 'dot', position: item.position };
      case 'nil':
        return { kind: 'nil', position: item.position };
      case 'variable':
        if (!this.variables.includes(item.value)) this.error(`undefined variable "${item.value}"`);
        return { kind: 'variable', position: item.position, identifiers: [item.value] };
      case 'field':
        return { kind: 'field', position: item.position, identifiers: [item.value.slice(1)] };
      case 'bool':
        return { kind: 'bool', position: item.position, value: item.value === 'true' };
      case 'charConstant':
      case 'number':
        return this.number(item);
      case 'leftParen':
        return this.pipeline('parenthesized pipeline', 'rightParen');
      case 'string':
      case 'rawString':
        return { kind: 'string', position: item.position, quoted: item.value, text: unquote(item.value, (message) => this.error(message)) };
      default:
        this.backup();
        return undefined;
    }
  }

  private number(item: Item): NumberNode {
    const text = item.value;
    const node: NumberNode = { kind: 'number', position: item.position, text, isInt: false, isFloat: false, intValue: 0n, floatValue: 0, isComplex: false };
    if (item.type === 'charConstant') {
      const value = unquote(text, (message) => this.error(message));
      const codePoint = value.codePointAt(0);
      if (codePoint === undefined || [...value].length !== 1) this.error(`malformed character constant: ${text}`);
      node.isInt = node.isFloat = true;
      node.intValue = BigInt(codePoint);
      node.floatValue = codePoint;
      return node;
    }
    if (text.endsWith('i')) this.error(`complex numbers are not supported: ${text}`);
    const clean = text.replace(/_/g, '');
    const negative = clean.startsWith('-');
    const unsigned = clean.replace(/^[+-]/, '');
    let integer: bigint | undefined;
    if (/^0[xX][0-9a-fA-F]+$/.test(unsigned) || /^0[bB][01]+$/.test(unsigned) || /^0[oO][0-7]+$/.test(unsigned)) integer = BigInt(unsigned.toLowerCase().replace(/^0o/, '0o'));
    else if (/^0[0-7]*$/.test(unsigned)) integer = unsigned.length > 1 ? BigInt('0o' + unsigned.slice(1)) : 0n;
    else if (/^[0-9]+$/.test(unsigned)) integer = BigInt(unsigned);
    if (integer !== undefined) {
      if (negative) integer = -integer;
      if (integer >= -(2n ** 63n) && integer < 2n ** 63n) {
        node.isInt = true;
        node.intValue = integer;
      }
      node.isFloat = true;
      node.floatValue = Number(integer);
      return node;
    }
    let float: number;
    if (/^0[xX]/.test(unsigned)) float = parseHexFloat(unsigned);
    else float = /^([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(unsigned) ? Number(unsigned) : Number.NaN;
    if (Number.isNaN(float)) this.error(`illegal number syntax: ${JSON.stringify(text)}`);
    if (negative) float = -float;
    node.isFloat = Number.isFinite(float);
    node.floatValue = float;
    // Go: a float constant with an integral value is also an int ("1e3" can be passed where an int is wanted).
    if (Number.isInteger(float) && Math.abs(float) < 2 ** 63) {
      node.isInt = true;
      node.intValue = BigInt(float);
    }
    if (!node.isInt && !node.isFloat) this.error(`illegal number syntax: ${JSON.stringify(text)}`);
    return node;
  }
}

/** Go's IsEmptyTree: only space text and comments. */
export function isEmptyList(list: ListNode): boolean {
  return list.nodes.every((node) => (node.kind === 'text' && node.text.trim() === '') || node.kind === 'comment');
}

function parseHexFloat(text: string): number {
  const match = /^0[xX]([0-9a-fA-F]*)\.?([0-9a-fA-F]*)(?:[pP]([+-]?[0-9]+))?$/.exec(text);
  if (match === null) return Number.NaN;
  const mantissa = Number.parseInt((match[1] + match[2]) || '0', 16);
  return mantissa * 2 ** (Number(match[3] ?? 0) - 4 * match[2].length);
}

/** Go's strconv.Unquote for "…", `…` and '…'. */
export function unquote(quoted: string, fail: (message: string) => never): string {
  const quote = quoted[0];
  if (quote === '`') return quoted.slice(1, -1).replace(/\r/g, '');
  let output = '';
  const body = quoted.slice(1, -1);
  for (let index = 0; index < body.length; index++) {
    const character = body[index];
    if (character !== '\\') {
      output += character;
      continue;
    }
    const escape = body[++index];
    const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"', "'": "'" };
    if (escape in simple) {
      if ((escape === '"' && quote === "'") || (escape === "'" && quote === '"')) fail('invalid syntax');
      output += simple[escape];
      continue;
    }
    const widths: Record<string, number> = { x: 2, u: 4, U: 8 };
    if (escape in widths) {
      const hex = body.slice(index + 1, index + 1 + widths[escape]);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== widths[escape]) fail('invalid syntax');
      const value = Number.parseInt(hex, 16);
      // \x is a byte; as a character it stands for itself when ASCII.
      output += escape === 'x' ? Buffer.from([value]).toString('latin1') : String.fromCodePoint(value);
      index += widths[escape];
      continue;
    }
    if (escape >= '0' && escape <= '7') {
      const octal = body.slice(index, index + 3);
      if (!/^[0-7]{3}$/.test(octal)) fail('invalid syntax');
      output += String.fromCharCode(Number.parseInt(octal, 8));
      index += 2;
      continue;
    }
    fail('invalid syntax');
  }
  return output;
}

function describeItem(item: Item): string {
  if (item.type === 'eof') return 'EOF';
  if (item.type === 'keyword' || item.type === 'bool' || item.type === 'nil' || item.type === 'dot') {
    if (item.type === 'keyword' || item.type === 'nil' || item.type === 'dot') return `<${item.value}>`;
  }
  const runes = [...item.value];
  if (runes.length > 10) return `${JSON.stringify(runes.slice(0, 10).join(''))}...`;
  return JSON.stringify(item.value);
}

/** Go's Node.String(): the source form of a node, used in execution error contexts. */
export function nodeString(node: AnyNode): string {
  switch (node.kind) {
    case 'text':
      return node.text;
    case 'comment':
      return `{{${node.text}}}`;
    case 'action':
      return `{{${nodeString(node.pipe)}}}`;
    case 'if':
    case 'with':
    case 'range':
      return `{{${node.kind} ${nodeString(node.pipe)}}}${nodeString(node.list)}${node.elseList === undefined ? '' : `{{else}}${nodeString(node.elseList)}`}{{end}}`;
    case 'template':
      return node.pipe === undefined ? `{{template ${JSON.stringify(node.name)}}}` : `{{template ${JSON.stringify(node.name)} ${nodeString(node.pipe)}}}`;
    case 'break':
      return '{{break}}';
    case 'continue':
      return '{{continue}}';
    case 'list':
      return node.nodes.map(nodeString).join('');
    case 'pipe': {
      let text = '';
      if (node.declarations.length > 0) text = node.declarations.map(nodeString).join(', ') + (node.isAssign ? ' = ' : ' := ');
      return text + node.commands.map(nodeString).join(' | ');
    }
    case 'command':
      return node.args.map((argument) => (argument.kind === 'pipe' ? `(${nodeString(argument)})` : nodeString(argument))).join(' ');
    case 'field':
      return node.identifiers.map((identifier) => `.${identifier}`).join('');
    case 'variable':
      return node.identifiers.join('.');
    case 'chain':
      return (node.node.kind === 'pipe' ? `(${nodeString(node.node)})` : nodeString(node.node)) + node.fields.map((field) => `.${field}`).join('');
    case 'identifier':
      return node.name;
    case 'dot':
      return '.';
    case 'nil':
      return 'nil';
    case 'bool':
      return node.value ? 'true' : 'false';
    case 'string':
      return node.quoted;
    case 'number':
      return node.text;
  }
}
