/**
 * Cuts an exposition body into pieces of about `target` bytes at line ends, so each piece can be
 * decoded to a string of its own: V8 puts strings over ~128 KiB in the old generation, where a
 * scrape's body would otherwise cost a major garbage collection every few scrapes. A cut is never
 * made inside a quoted label value (the text format tolerates raw newlines there) nor inside a UTF-8
 * sequence (cuts are made after '\n' only).
 */
export function splitExposition(body: Uint8Array, target = 48 * 1024): { start: number; end: number }[] {
  const pieces: { start: number; end: number }[] = [];
  let start = 0;
  const length = body.length;
  while (length - start > target) {
    let cut = -1;
    let p = body.indexOf(0x0a, start + target);
    while (p >= 0) {
      if (!insideQuotes(body, p)) {
        cut = p + 1;
        break;
      }
      p = body.indexOf(0x0a, p + 1);
    }
    if (cut < 0 || cut >= length) break;
    pieces.push({ start, end: cut });
    start = cut;
  }
  pieces.push({ start, end: length });
  return pieces;
}

/** Whether the newline at `at` is inside a quoted string of the line it ends (comments excepted). */
function insideQuotes(body: Uint8Array, at: number): boolean {
  let lineStart = body.lastIndexOf(0x0a, at - 1) + 1;
  while (lineStart < at && (body[lineStart] === 0x20 || body[lineStart] === 0x09)) lineStart++;
  if (body[lineStart] === 0x23) return false; // '#': HELP/TYPE text may hold quotes freely
  let quoted = false;
  for (let i = lineStart; i < at; i++) {
    const c = body[i];
    if (quoted && c === 0x5c) i++; // backslash escape inside a value
    else if (c === 0x22) quoted = !quoted;
  }
  return quoted;
}
