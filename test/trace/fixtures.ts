// The seed's stored traces (test/fixtures/traces, docs/datapath.md §11.5) for the trace tests: text and parse result.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTrace, type ParseResult } from '../../src/trace/index.ts';

export const TRACE_DIR = join(import.meta.dirname, '..', 'fixtures', 'traces');

export const FIXTURE_FILES = [
  'pod-to-pod-different-nodes.request.txt',
  'pod-to-pod-different-nodes.response.txt',
  'pod-to-pod-same-node.request.txt',
  'pod-to-pod-same-node.response.txt',
] as const;
export type FixtureFile = (typeof FIXTURE_FILES)[number];

export function fixtureText(file: FixtureFile): string {
  return readFileSync(join(TRACE_DIR, file), 'utf8');
}

export function parsedFixture(file: FixtureFile): ParseResult {
  return parseTrace(fixtureText(file));
}

/** The record lines of a stored trace, capture by capture: headers and bodies, without headings and blank lines. */
export function fixtureRecordLines(file: FixtureFile): string[][] {
  const lines = fixtureText(file).split('\n');
  const captures: string[][] = [];
  for (let i = 1; i < lines.length; i++) {
    if (/^-+$/.test(lines[i]!)) captures.push([]);
    else if (/^\d{2}:\d{2}:\d{2}:\d{6}: /.test(lines[i]!) || lines[i]!.startsWith(' ')) captures[captures.length - 1]!.push(lines[i]!);
  }
  return captures;
}
