/** A JSON text that does not parse: where (line and column, from 1) and what. */
export class JsonSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
    readonly reason: string,
  ) {
    super(`line ${line}, column ${column}: ${reason}`);
  }
}

/**
 * Parses JSON text. `JSON.parse` does the work; only when it fails is the text scanned again, by a
 * small validator, to find the line and column of the first error (Node's own messages do not
 * always carry a position).
 */
export function parseJsonText(text: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(body);
  } catch (error) {
    const offset = text.length - body.length;
    const found = locateJsonError(body);
    if (found === null) throw new JsonSyntaxError(1, 1, (error as Error).message);
    const { line, column } = lineAndColumn(text, found.index + offset);
    throw new JsonSyntaxError(line, column, found.reason);
  }
}

function lineAndColumn(text: string, index: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < index && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: index - lineStart + 1 };
}

class Found {
  constructor(
    readonly index: number,
    readonly reason: string,
  ) {}
}

/** Finds the first syntax error of a JSON text, or null if it has none. */
export function locateJsonError(text: string): { index: number; reason: string } | null {
  let position = 0;
  const fail = (reason: string): never => {
    throw new Found(position, reason);
  };
  const describe = () => (position >= text.length ? 'unexpected end of input' : `unexpected character ${JSON.stringify(text[position])}`);
  const skipSpace = () => {
    while (position < text.length && ' \t\n\r'.includes(text[position])) position++;
  };
  const literal = (word: string) => {
    for (const character of word) {
      if (text[position] !== character) fail(`${describe()} (expected ${JSON.stringify(word)})`);
      position++;
    }
  };
  const string = () => {
    position++;
    for (;;) {
      if (position >= text.length) fail('unterminated string');
      const code = text.charCodeAt(position);
      if (code === 0x22) {
        position++;
        return;
      }
      if (code < 0x20) fail('control character in string (escape it)');
      if (code === 0x5c) {
        position++;
        const escape = text[position];
        if (escape === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(position + 1, position + 5))) fail('invalid \\u escape in string');
          position += 5;
        } else if (escape !== undefined && '"\\/bfnrt'.includes(escape)) position++;
        else fail('invalid escape in string');
      } else position++;
    }
  };
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(position, position + 400));
    if (match === null || match[0] === '' || match[0] === '-') fail(`${describe()} (expected a value)`);
    position += (match as RegExpExecArray)[0].length;
  };
  const value = (depth: number): void => {
    if (depth > 512) fail('nested too deeply');
    skipSpace();
    const character = text[position];
    if (character === '{') {
      position++;
      skipSpace();
      if (text[position] === '}') {
        position++;
        return;
      }
      for (;;) {
        skipSpace();
        if (text[position] !== '"') fail(`${describe()} (expected a property name in double quotes)`);
        string();
        skipSpace();
        if (text[position] !== ':') fail(`${describe()} (expected ':')`);
        position++;
        value(depth + 1);
        skipSpace();
        if (text[position] === ',') {
          position++;
          continue;
        }
        if (text[position] === '}') {
          position++;
          return;
        }
        fail(`${describe()} (expected ',' or '}')`);
      }
    }
    if (character === '[') {
      position++;
      skipSpace();
      if (text[position] === ']') {
        position++;
        return;
      }
      for (;;) {
        value(depth + 1);
        skipSpace();
        if (text[position] === ',') {
          position++;
          continue;
        }
        if (text[position] === ']') {
          position++;
          return;
        }
        fail(`${describe()} (expected ',' or ']')`);
      }
    }
    if (character === '"') return string();
    if (character === 't') return literal('true');
    if (character === 'f') return literal('false');
    if (character === 'n') return literal('null');
    return number();
  };
  try {
    value(0);
    skipSpace();
    if (position < text.length) fail(`${describe()} after the end of the JSON value`);
    return null;
  } catch (error) {
    if (error instanceof Found) return { index: error.index, reason: error.reason };
    throw error;
  }
}
