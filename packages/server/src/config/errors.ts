/** A configuration error. Its message is one or more lines of `file:line:col: reason`. */
export class ConfigError extends Error {
  /** The individual `file:line:col: reason` lines. */
  readonly lines: string[];

  constructor(message: string | string[], options?: ErrorOptions) {
    const lines = typeof message === 'string' ? message.split('\n') : message;
    super(lines.join('\n'), options);
    this.name = 'ConfigError';
    this.lines = lines;
  }
}
