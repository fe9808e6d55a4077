// `podflow merge` never writes outside --out: a counterexample id from a report becomes a folder name, so it must
// be a plain name; anything else (`../`, an absolute path, a slash) is a one-line input error naming the file and
// the field, and nothing is written at all.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, test, vi } from 'vitest';
import { UsageError } from '../../src/cli/io.ts';
import { main } from '../../src/cli/main.ts';
import { runMerge } from '../../src/cli/merge.ts';

const dir = mkdtempSync(join(tmpdir(), 'podflow-merge-safety-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

/** A minimal run folder whose one property failed with a counterexample of this id (and its folder, if it can have one). */
function runFolder(name: string, cxId: unknown): string {
  const run = join(dir, 'runs', name);
  mkdirSync(run, { recursive: true });
  writeFileSync(join(run, 'run.json'), JSON.stringify({ runId: name, seed: 1, adapter: 'reference', options: { properties: ['p'] } }));
  writeFileSync(join(run, 'results.json'), JSON.stringify([{ id: 'p', description: 'a property', verdict: 'invalid', runs: 1, timeMs: 1, counterexamples: [{ id: cxId, property: 'p', adapter: 'reference', seed: 1, path: '0', details: 'x', seedSteps: [], case: {} }] }]));
  if (typeof cxId === 'string' && /^[0-9a-f]+$/.test(cxId)) {
    const cdir = join(run, 'counterexamples', cxId);
    mkdirSync(cdir, { recursive: true });
    writeFileSync(join(cdir, 'policies.yaml'), 'kind: List\n');
  }
  return run;
}

function usageError(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('expected a UsageError');
}

describe('podflow merge and the names in a report', () => {
  test('a plain counterexample id is merged into --out with its files', () => {
    const out = join(dir, 'out-ok');
    const m = runMerge([runFolder('ok', '0123abcd4567ef89')], { out });
    expect(existsSync(join(m.folder, 'counterexamples', '0123abcd4567ef89', 'policies.yaml'))).toBe(true);
  });

  test.each([
    ['../../../escaped', 'escaped'],
    ['../escaped-sibling', 'escaped-sibling'],
    ['a/../../../../escaped2', 'escaped2'],
  ])('an id with ../ (%s) is refused and nothing is written anywhere', (id, name) => {
    const out = join(dir, 'out', 'reports');
    const run = runFolder(`dots-${name}`, id);
    const before = readdirSync(dir).sort();
    const m = usageError(() => runMerge([run], { out }));
    expect(m).toBe(`${join(run, 'results.json')}: property 1 (p): counterexamples[0].id: ${JSON.stringify(id)} is not a plain name (letters, digits and . _ - only, no '..'), refusing to use it as a folder name`);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(before);
    expect(existsSync(join(dir, name))).toBe(false);
    expect(existsSync(join(dir, 'out', name))).toBe(false);
  });

  test.each([['/etc/podflow-x'], ['a/b'], [''], ['.hidden'], ['..'], ['x..y'], ['x\ny'], [17], [null]])('id %j is refused with one line', (id) => {
    const run = runFolder(`bad-${readdirSync(join(dir, 'runs')).length}`, id);
    const m = usageError(() => runMerge([run], { out: join(dir, 'out-bad') }));
    expect(m).toMatch(/results\.json: property 1 \(p\): counterexamples\[0\]\.id: .* is not a plain name/);
    expect(m.split('\n')).toHaveLength(1);
    expect(existsSync(join(dir, 'out-bad'))).toBe(false);
  });

  test('through the CLI: exit code 2, one line on stderr, no stack trace', async () => {
    const err: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
    const code = await main(['merge', runFolder('cli', '../../cli-escaped'), '--out', join(dir, 'out-cli')]);
    expect(code).toBe(2);
    expect(err.join('')).toMatch(/^podflow: .*results\.json: property 1 \(p\): counterexamples\[0\]\.id: "\.\.\/\.\.\/cli-escaped" is not a plain name .*\n$/);
    expect(err.join('').trim().split('\n')).toHaveLength(1);
    expect(existsSync(join(dir, 'cli-escaped'))).toBe(false);
  });
});
