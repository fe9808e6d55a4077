// File input for the CLI: every failure becomes a UsageError naming the file (and line:column for JSON),
// never a stack trace.
import { readFileSync } from 'node:fs';

/** Longest message a diagnostic line carries; longer ones end in an ellipsis. */
export const MAX_DIAGNOSTIC = 1000;

const ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Text from input made safe for one diagnostic line: newlines and tabs as `\n` `\r` `\t`, other control,
 * format, private-use, unassigned and lone-surrogate code points as `\xNN` or `\u{NNNN}`; cut after `max`
 * characters with an ellipsis. Printable text (any script) is kept as it is.
 */
export function printable(text: string, max = 200): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    const esc = ESCAPES[ch] ?? (/[\p{C}\u2028\u2029]/u.test(ch) ? (cp < 0x100 ? `\\x${cp.toString(16).padStart(2, '0')}` : `\\u{${cp.toString(16)}}`) : ch);
    if (out.length + esc.length > max) return `${out}…`;
    out += esc;
  }
  return out;
}

/**
 * An error the CLI prints as one line and exits 2 on. The message goes through printable(): whatever a file
 * name or a quoted value from input holds, it stays one line without raw control characters. `more` adds lines
 * (e.g. one per problem found), each escaped the same way.
 */
export class UsageError extends Error {
  constructor(message: string, more: readonly string[] = []) {
    super([message, ...more].map((m) => printable(m, MAX_DIAGNOSTIC)).join('\n'));
    this.name = 'UsageError';
  }
}

export function readTextFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a directory' : err.code === 'EACCES' ? 'permission denied' : err.message;
    throw new UsageError(`${path}: cannot read: ${why}`);
  }
}

/** Line and column (1-based) of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

export function readJsonFile(path: string): unknown {
  const text = readTextFile(path);
  try {
    return JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const m = /position (\d+)/.exec(msg);
    if (m) {
      const { line, column } = lineColumn(text, Number(m[1]));
      throw new UsageError(`${path}:${line}:${column}: invalid JSON: ${msg.replace(/ in JSON at position \d+.*$/, '').replace(/ at position \d+.*$/, '')}`);
    }
    throw new UsageError(`${path}: invalid JSON: ${msg}`);
  }
}
