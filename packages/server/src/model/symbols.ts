import { detach } from './strings.ts';

/**
 * String interning. Every label name and value that enters the head is stored once and referred to by
 * a small integer, so a series' labels are a short array of numbers rather than a bag of strings.
 */
export class SymbolTable {
  private readonly ids = new Map<string, number>();
  private readonly strings: string[] = [];

  /** Returns the id of `value`, adding it on first sight. Ids are dense and start at 0. */
  intern(value: string): number {
    let id = this.ids.get(value);
    if (id === undefined) {
      const own = detach(value);
      id = this.strings.length;
      this.strings.push(own);
      this.ids.set(own, id);
    }
    return id;
  }

  /** The id of `value` if it was interned, else -1 (lets readers look up without growing the table). */
  lookup(value: string): number {
    return this.ids.get(value) ?? -1;
  }

  get(id: number): string {
    const value = this.strings[id];
    if (value === undefined) throw new RangeError(`unknown symbol id ${id}`);
    return value;
  }

  get size(): number {
    return this.strings.length;
  }

  /** All symbols in id order (for writing a block's symbol table). */
  all(): readonly string[] {
    return this.strings;
  }
}
