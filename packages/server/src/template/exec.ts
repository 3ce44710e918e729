/**
 * Executes parsed trees with Go text/template semantics. Execution is async so that functions such
 * as Prometheus's `query` can await a query engine; every other step is the synchronous Go walk.
 */
import { builtinFunctions } from './builtins.ts';
import type { FunctionMap, ParameterType, TemplateFunction } from './function.ts';
import { printValue } from './format.ts';
import { nodeString } from './parse.ts';
import type { AnyNode, ChainNode, CommandNode, FieldNode, IdentifierNode, Node, NumberNode, Operand, PipeNode, RangeNode, TemplateNode, Tree, VariableNode } from './parse.ts';
import { asMap, GoStruct, GoUint, isTrue, methodsOf, typeNameOf } from './value.ts';

export type MissingKey = 'default' | 'zero' | 'error';

export interface ExecutionContext {
  lookupTree(name: string): Tree | undefined;
  functions: FunctionMap;
  missingKey: MissingKey;
}

/** An execution error, worded like Go's: `template: NAME:LINE:COL: executing "NAME" at <NODE>: …`. */
export class TemplateExecError extends Error {
  readonly templateName: string;
  readonly line: number;
  /** Byte offset within the line, counted from 0, as Go reports it. */
  readonly column: number;
  readonly detail: string;
  constructor(message: string, templateName: string, line: number, column: number, detail: string) {
    super(message);
    this.name = 'TemplateExecError';
    this.templateName = templateName;
    this.line = line;
    this.column = column;
    this.detail = detail;
  }
}

/** Thrown by {{break}} and caught by the enclosing range. */
class BreakSignal {
  readonly signal = 'break';
}
/** Thrown by {{continue}} and caught by the enclosing range. */
class ContinueSignal {
  readonly signal = 'continue';
}

/** Go's limit on nested {{template}} calls. */
const maxExecutionDepth = 100000;

/** Marks "no final value" in a pipeline (Go's missingVal), distinct from undefined (invalid value). */
const missing: unique symbol = Symbol('missing');
type Final = unknown;

interface Variable {
  name: string;
  value: unknown;
}

export async function executeTree(context: ExecutionContext, tree: Tree, data: unknown): Promise<string> {
  // Go's reflect.ValueOf(nil) is the invalid value: nil data behaves like a missing one.
  const dot = data === null ? undefined : data;
  const state = new State(context, tree, [{ name: '$', value: dot }], 0);
  await state.walk(dot, tree.root);
  return state.output.join('');
}

class State {
  readonly output: string[];
  private node: AnyNode | undefined;
  private readonly context: ExecutionContext;
  private readonly tree: Tree;
  private variables: Variable[];
  private readonly depth: number;

  constructor(context: ExecutionContext, tree: Tree, variables: Variable[], depth: number, output: string[] = []) {
    this.context = context;
    this.tree = tree;
    this.variables = variables;
    this.depth = depth;
    this.output = output;
  }

  private at(node: AnyNode): void {
    this.node = node;
  }

  private errorf(detail: string): never {
    const name = this.tree.name;
    if (this.node === undefined) throw new TemplateExecError(`template: ${name}: ${detail}`, name, 0, 0, detail);
    const before = this.tree.text.slice(0, this.node.position);
    const lineStart = before.lastIndexOf('\n') + 1;
    const line = 1 + countNewlines(before);
    const column = Buffer.byteLength(before.slice(lineStart), 'utf8');
    let context = nodeString(this.node);
    const runes = [...context];
    if (runes.length > 20) context = `${runes.slice(0, 20).join('')}...`;
    const message = `template: ${this.tree.parseName}:${line}:${column}: executing "${name}" at <${context}>: ${detail}`;
    throw new TemplateExecError(message, name, line, column, detail);
  }

  private mark(): number {
    return this.variables.length;
  }
  private pop(mark: number): void {
    this.variables.length = mark;
  }
  private setVariable(name: string, value: unknown): void {
    for (let index = this.variables.length - 1; index >= 0; index--) {
      if (this.variables[index].name === name) {
        this.variables[index].value = value;
        return;
      }
    }
    this.errorf(`undefined variable: ${name}`);
  }
  private variableValue(name: string): unknown {
    for (let index = this.variables.length - 1; index >= 0; index--) {
      if (this.variables[index].name === name) return this.variables[index].value;
    }
    this.errorf(`undefined variable: ${name}`);
  }

  async walk(dot: unknown, node: Node): Promise<void> {
    this.at(node);
    switch (node.kind) {
      case 'action': {
        const value = await this.evalPipeline(dot, node.pipe);
        if (node.pipe.declarations.length === 0) this.print(node, value);
        return;
      }
      case 'break':
        throw new BreakSignal();
      case 'continue':
        throw new ContinueSignal();
      case 'comment':
        return;
      case 'if':
      case 'with': {
        const mark = this.mark();
        try {
          const value = await this.evalPipeline(dot, node.pipe);
          if (isTrue(value)) await this.walk(node.kind === 'with' ? value : dot, node.list);
          else if (node.elseList !== undefined) await this.walk(dot, node.elseList);
        } finally {
          this.pop(mark);
        }
        return;
      }
      case 'list':
        for (const child of node.nodes) await this.walk(dot, child);
        return;
      case 'range':
        return await this.walkRange(dot, node);
      case 'template':
        return await this.walkTemplate(dot, node);
      case 'text':
        this.output.push(node.text);
        return;
    }
  }

  private print(node: AnyNode, value: unknown): void {
    this.at(node);
    if (typeof value === 'function') this.errorf(`can't print ${nodeString(node)} of type ${typeNameOf(value)}`);
    this.output.push(printValue(value));
  }

  private async walkRange(dot: unknown, node: RangeNode): Promise<void> {
    this.at(node);
    const outerMark = this.mark();
    try {
      const value = await this.evalPipeline(dot, node.pipe);
      const mark = this.mark();
      const declarations = node.pipe.declarations;
      // Returns false when the loop was broken out of.
      const oneIteration = async (index: unknown, element: unknown): Promise<boolean> => {
        if (declarations.length > 0) {
          if (node.pipe.isAssign) this.setVariable(declarations[0].identifiers[0], declarations.length > 1 ? index : element);
          else this.variables[this.variables.length - 1].value = element;
        }
        if (declarations.length > 1) {
          if (node.pipe.isAssign) this.setVariable(declarations[1].identifiers[0], element);
          else this.variables[this.variables.length - 2].value = index;
        }
        try {
          await this.walk(element, node.list);
        } catch (error) {
          if (error instanceof BreakSignal) return false;
          if (!(error instanceof ContinueSignal)) throw error;
        } finally {
          this.pop(mark);
        }
        return true;
      };
      let ran = false;
      if (Array.isArray(value)) {
        for (let index = 0; index < value.length; index++) {
          ran = true;
          if (!(await oneIteration(BigInt(index), value[index]))) break;
        }
      } else if (typeof value === 'bigint' || value instanceof GoUint) {
        if (declarations.length > 1) this.errorf(`can't use ${printValue(value)} to iterate over more than one variable`);
        const count = typeof value === 'bigint' ? value : value.value;
        for (let index = 0n; index < count; index++) {
          ran = true;
          if (!(await oneIteration(index, index))) break;
        }
      } else if (value === undefined || value === null) {
        // A nil map or slice ranges zero times; not an error.
      } else {
        const map = asMap(value);
        if (map === undefined) this.errorf(`range can't iterate over ${printValue(value)}`);
        for (const key of map.keys()) {
          ran = true;
          if (!(await oneIteration(key, map.get(key)))) break;
        }
      }
      if (!ran && node.elseList !== undefined) await this.walk(dot, node.elseList);
    } finally {
      this.pop(outerMark);
    }
  }

  private async walkTemplate(dot: unknown, node: TemplateNode): Promise<void> {
    this.at(node);
    const tree = this.context.lookupTree(node.name);
    if (tree === undefined) this.errorf(`template ${JSON.stringify(node.name)} not defined`);
    if (this.depth >= maxExecutionDepth) this.errorf(`exceeded maximum template depth (${maxExecutionDepth})`);
    const newDot = node.pipe === undefined ? undefined : await this.evalPipeline(dot, node.pipe);
    // Async calls run synchronously until they really suspend; suspending now and then lets the
    // JavaScript stack unwind, so recursion is bounded by Go's depth limit rather than the stack.
    if (this.depth % 64 === 63) await new Promise<void>((resolve) => setImmediate(resolve));
    // Templates inherit no variables: only $ is set, to the new dot.
    const state = new State(this.context, tree, [{ name: '$', value: newDot }], this.depth + 1, this.output);
    await state.walk(newDot, tree.root);
  }

  async evalPipeline(dot: unknown, pipe: PipeNode): Promise<unknown> {
    this.at(pipe);
    let value: Final = missing;
    for (const command of pipe.commands) {
      value = await this.evalCommand(dot, command, value);
    }
    for (const declaration of pipe.declarations) {
      if (pipe.isAssign) this.setVariable(declaration.identifiers[0], value);
      else this.variables.push({ name: declaration.identifiers[0], value });
    }
    return value;
  }

  private notAFunction(args: readonly Operand[], final: Final): void {
    if (args.length > 1 || final !== missing) this.errorf(`can't give argument to non-function ${nodeString(args[0])}`);
  }

  private async evalCommand(dot: unknown, command: CommandNode, final: Final): Promise<unknown> {
    const first = command.args[0];
    switch (first.kind) {
      case 'field':
        return await this.evalFieldNode(dot, first, command.args, final);
      case 'chain':
        return await this.evalChainNode(dot, first, command.args, final);
      case 'identifier':
        return await this.evalFunction(dot, first, command, command.args, final);
      case 'pipe':
        this.notAFunction(command.args, final);
        return await this.evalPipeline(dot, first);
      case 'variable':
        return await this.evalVariableNode(dot, first, command.args, final);
      default:
        break;
    }
    this.at(first);
    this.notAFunction(command.args, final);
    switch (first.kind) {
      case 'bool':
        return first.value;
      case 'dot':
        return dot;
      case 'nil':
        this.errorf('nil is not a command');
      case 'number':
        return this.idealConstant(first);
      case 'string':
        return first.text;
    }
  }

  private idealConstant(constant: NumberNode): unknown {
    this.at(constant);
    if (constant.isFloat && !/^[+-]?0[xX]/.test(constant.text) && !constant.text.startsWith("'") && /[.eEpP]/.test(constant.text)) return constant.floatValue;
    if (constant.isInt) return constant.intValue;
    this.errorf(`${constant.text} overflows int`);
  }

  private async evalFieldNode(dot: unknown, field: FieldNode, args: readonly Operand[], final: Final): Promise<unknown> {
    this.at(field);
    return await this.evalFieldChain(dot, dot, field, field.identifiers, args, final);
  }

  private async evalChainNode(dot: unknown, chain: ChainNode, args: readonly Operand[], final: Final): Promise<unknown> {
    this.at(chain);
    if (chain.node.kind === 'nil') this.errorf(`indirection through explicit nil in ${nodeString(chain)}`);
    const receiver = await this.evalArg(dot, 'value', chain.node);
    return await this.evalFieldChain(dot, receiver, chain, chain.fields, args, final);
  }

  private async evalVariableNode(dot: unknown, variable: VariableNode, args: readonly Operand[], final: Final): Promise<unknown> {
    this.at(variable);
    const value = this.variableValue(variable.identifiers[0]);
    if (variable.identifiers.length === 1) {
      this.notAFunction(args, final);
      return value;
    }
    return await this.evalFieldChain(dot, value, variable, variable.identifiers.slice(1), args, final);
  }

  private async evalFieldChain(dot: unknown, receiver: unknown, node: AnyNode, identifiers: readonly string[], args: readonly Operand[], final: Final): Promise<unknown> {
    let current = receiver;
    for (let index = 0; index < identifiers.length - 1; index++) current = await this.evalField(dot, identifiers[index], node, [], missing, current);
    return await this.evalField(dot, identifiers[identifiers.length - 1], node, args, final, current);
  }

  private async evalField(dot: unknown, fieldName: string, node: AnyNode, args: readonly Operand[], final: Final, receiver: unknown): Promise<unknown> {
    if (receiver === undefined) {
      if (this.context.missingKey === 'error') this.errorf(`nil data; no entry for key ${JSON.stringify(fieldName)}`);
      return undefined;
    }
    if (receiver === null) this.errorf(`nil pointer evaluating interface {}.${fieldName}`);
    const method = methodsOf(receiver)?.[fieldName];
    if (method !== undefined) {
      return await this.evalCall(dot, { parameters: [], variadic: 'any', call: method }, node, fieldName, args, final);
    }
    const hasArgs = args.length > 1 || final !== missing;
    if (receiver instanceof GoStruct) {
      if (Object.hasOwn(receiver.fields, fieldName)) {
        if (hasArgs) this.errorf(`${fieldName} has arguments but cannot be invoked as function`);
        return receiver.fields[fieldName];
      }
      if (/^[a-z_]/.test(fieldName) && fieldName !== '') this.errorf(`can't evaluate field ${fieldName} in type ${typeNameOf(receiver)}`);
    } else {
      const map = asMap(receiver);
      if (map !== undefined) {
        if (hasArgs) this.errorf(`${fieldName} is not a method but has arguments`);
        if (map.has(fieldName)) return map.get(fieldName);
        switch (this.context.missingKey) {
          case 'zero':
            // The zero value of an interface element is nil, which Go then treats as no value.
            return map.elementZero;
          case 'error':
            this.errorf(`map has no entry for key ${JSON.stringify(fieldName)}`);
          default:
            return undefined;
        }
      }
    }
    this.errorf(`can't evaluate field ${fieldName} in type ${typeNameOf(receiver)}`);
  }

  private async evalFunction(dot: unknown, node: IdentifierNode, command: CommandNode, args: readonly Operand[], final: Final): Promise<unknown> {
    this.at(node);
    const name = node.name;
    if (name === 'and' || name === 'or') return await this.evalShortCircuit(dot, name, command, args, final);
    const userFunction = this.context.functions[name];
    const builtin = builtinFunctions[name];
    const templateFunction = userFunction ?? builtin;
    if (templateFunction === undefined) this.errorf(`${JSON.stringify(name)} is not a defined function`);
    return await this.evalCall(dot, templateFunction, command, name, args, final);
  }

  private async evalShortCircuit(dot: unknown, name: 'and' | 'or', command: CommandNode, args: readonly Operand[], final: Final): Promise<unknown> {
    const argumentCount = args.length - 1 + (final === missing ? 0 : 1);
    if (argumentCount < 1) this.errorf(`wrong number of args for ${name}: want at least 1 got 0`);
    let value: unknown;
    for (const argument of args.slice(1)) {
      value = await this.evalArg(dot, 'value', argument);
      if (isTrue(value) === (name === 'or')) return value;
    }
    if (final !== missing) value = final;
    this.at(command);
    return value;
  }

  private async evalCall(dot: unknown, templateFunction: TemplateFunction, node: AnyNode, name: string, commandArgs: readonly Operand[], final: Final): Promise<unknown> {
    const args = commandArgs.slice(1);
    const parameters = templateFunction.parameters;
    const variadic = templateFunction.variadic;
    const argumentCount = args.length + (final === missing ? 0 : 1);
    if (variadic !== undefined) {
      if (argumentCount < parameters.length) this.errorf(`wrong number of args for ${name}: want at least ${parameters.length} got ${args.length}`);
    } else if (argumentCount !== parameters.length) {
      this.errorf(`wrong number of args for ${name}: want ${parameters.length} got ${argumentCount}`);
    }
    const values: unknown[] = [];
    for (let index = 0; index < args.length; index++) {
      const type = index < parameters.length ? parameters[index] : (variadic as ParameterType);
      values.push(await this.evalArg(dot, type, args[index]));
    }
    if (final !== missing) {
      const index = values.length;
      const type = index < parameters.length ? parameters[index] : (variadic as ParameterType);
      values.push(this.validateType(final, type));
    }
    let result: unknown;
    try {
      result = await templateFunction.call(...values);
    } catch (error) {
      this.at(node);
      if (error instanceof TemplateExecError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      this.errorf(`error calling ${name}: ${message}`);
    }
    return result;
  }

  private validateType(value: unknown, type: ParameterType): unknown {
    if (type === 'value') return value;
    if (value === undefined || value === null) {
      if (type === 'any') return null;
      if (value === undefined) this.errorf(`invalid value; expected ${type}`);
      this.errorf(`wrong type for value; expected ${type}; got interface {}`);
    }
    switch (type) {
      case 'any':
        return value;
      case 'string':
        if (typeof value === 'string') return value;
        break;
      case 'int':
        if (typeof value === 'bigint') return value;
        break;
      case 'float64':
        if (typeof value === 'number') return value;
        break;
      case 'bool':
        if (typeof value === 'boolean') return value;
        break;
    }
    this.errorf(`wrong type for value; expected ${type}; got ${typeNameOf(value)}`);
  }

  private async evalArg(dot: unknown, type: ParameterType, node: Operand): Promise<unknown> {
    this.at(node);
    switch (node.kind) {
      case 'dot':
        return this.validateType(dot, type);
      case 'nil':
        if (type === 'value' || type === 'any') return null;
        this.errorf(`cannot assign nil to ${type}`);
      case 'field':
        return this.validateType(await this.evalFieldNode(dot, node, [node], missing), type);
      case 'variable':
        return this.validateType(await this.evalVariableNode(dot, node, [], missing), type);
      case 'pipe':
        return this.validateType(await this.evalPipeline(dot, node), type);
      case 'identifier':
        return this.validateType(await this.evalFunction(dot, node, { kind: 'command', position: node.position, args: [node] }, [node], missing), type);
      case 'chain':
        return this.validateType(await this.evalChainNode(dot, node, [], missing), type);
      default:
        break;
    }
    switch (type) {
      case 'bool':
        if (node.kind === 'bool') return node.value;
        this.errorf(`expected bool; found ${nodeString(node)}`);
      case 'float64':
        if (node.kind === 'number' && node.isFloat) return node.floatValue;
        this.errorf(`expected float; found ${nodeString(node)}`);
      case 'int':
        if (node.kind === 'number' && node.isInt) return node.intValue;
        this.errorf(`expected integer; found ${nodeString(node)}`);
      case 'string':
        if (node.kind === 'string') return node.text;
        this.errorf(`expected string; found ${nodeString(node)}`);
      default:
        if (node.kind === 'bool') return node.value;
        if (node.kind === 'number') return this.idealConstant(node);
        if (node.kind === 'string') return node.text;
        this.errorf(`can't handle ${nodeString(node)} for arg of type ${type}`);
    }
  }
}

function countNewlines(text: string): number {
  let count = 0;
  for (let index = text.indexOf('\n'); index >= 0; index = text.indexOf('\n', index + 1)) count++;
  return count;
}
