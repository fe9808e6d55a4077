// File input for the CLI: every failure becomes a UsageError naming the file (and line:column for JSON),
// never a stack trace.
import { readFileSync } from 'node:fs';

/** An error the CLI prints as one line and exits 2 on. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
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
