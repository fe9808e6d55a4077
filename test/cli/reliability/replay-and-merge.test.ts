// Reliability: corpus entries (case.json through `podflow replay`'s checks, cli/replay.ts and
// properties/case-schema.ts) and report folders (results.json and run.json through `podflow merge`'s loader):
// a bad entry is one `bad` line and the replay goes on; a corrupt report is one UsageError line.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { AdapterUnavailable, type Adapter } from '../../../src/adapters/adapter.ts';
import { ReferenceAdapter } from '../../../src/adapters/reference/reference-adapter.ts';
import { corpusEntries, loadCorpusEntry } from '../../../src/cli/corpus.ts';
import { UsageError } from '../../../src/cli/io.ts';
import { checkResults, checkRunInfo, loadRunFolder, mergeRuns, type LoadedRun } from '../../../src/cli/merge.ts';
import { replayEntries, replayEntryValue, type ReplayOptions } from '../../../src/cli/replay.ts';
import { validateCase } from '../../../src/properties/case-schema.ts';
import { PROPERTIES } from '../../../src/properties/index.ts';
import { expectClean, expectCleanAsync, expectCleanLine, mutatedArb, prototypeVariants, randomJsonArb, randomTextArb, RUNS, sample, truncations, vocabularyArb } from './malformed.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const CORPUS = join(ROOT, 'corpus');
const ENTRIES = corpusEntries([], CORPUS);
const CASE_JSONS = ENTRIES.map((d) => JSON.parse(readFileSync(join(d, 'case.json'), 'utf8')) as Record<string, unknown>);
const dir = mkdtempSync(join(tmpdir(), 'podflow-rel-replay-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An adapter that is never there: every entry that gets as far as the data path is unknown. */
function unavailable(name: string): Adapter {
  const no = (): never => {
    throw new AdapterUnavailable(name, 'no data path in this test');
  };
  return { name, capabilities: new ReferenceAdapter().capabilities, setup: async () => no(), apply: async () => no(), inject: async () => no(), reset: async () => no(), teardown: async () => undefined };
}

function entry(name: string, caseJson: string): string {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, 'case.json'), caseJson);
  return d;
}

async function replay(dirs: string[], o: Omit<ReplayOptions, 'write'> = {}): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const r = await replayEntries(dirs, { ...o, write: (l) => lines.push(l) });
  for (const l of lines) expectCleanLine(l, 'replay line');
  return { code: r.code, lines };
}

describe('case schemas', () => {
  test('every corpus entry fits its property\'s schema', () => {
    expect(ENTRIES.length).toBeGreaterThan(0);
    for (const [i, e] of CASE_JSONS.entries()) expect(validateCase(e.property as string, e.case), ENTRIES[i]).toEqual({ ok: true });
  });

  test.each(PROPERTIES.map((p) => [p.id, p] as const))('generated cases of %s fit its schema', (_id, p) => {
    for (const c of fc.sample(p.arbitrary(), { numRuns: 25, seed: 11 })) expect(validateCase(p.id, JSON.parse(JSON.stringify(c)))).toEqual({ ok: true });
  });

  test('a bad case names the field', () => {
    const good = CASE_JSONS.find((e) => e.property === 'connection-verdict-equals-policy')!;
    const c = structuredClone(good.case) as { cluster: { pods: { nodeName: string }[] } };
    c.cluster.pods[0]!.nodeName = 'nowhere';
    expect(validateCase('connection-verdict-equals-policy', c)).toEqual({ ok: false, error: 'cluster.pods[0].nodeName: no node named "nowhere"' });
    expect(validateCase('connection-verdict-equals-policy', null, 'case')).toMatchObject({ ok: false, error: expect.stringMatching(/^case: /) });
    expect(validateCase('no-such-property', {})).toMatchObject({ ok: false, error: expect.stringMatching(/^unknown property "no-such-property"/) });
    expect(validateCase('constructor', {})).toMatchObject({ ok: false });
  });
});

describe('podflow replay', () => {
  const good = CASE_JSONS.find((e) => e.property === 'connection-verdict-equals-policy')!;
  const goodText = JSON.stringify({ ...good, adapter: 'reference(vpp-18.01-contiv)' });

  test('a corrupt case (null, a string, the wrong shape) is one bad line each, and the replay goes on', async () => {
    const dirs = [
      entry('a-null', JSON.stringify({ ...good, case: null })),
      entry('b-string', JSON.stringify({ ...good, case: 'oops' })),
      entry('c-shape', JSON.stringify({ ...good, case: { cluster: { nodes: 'x' }, connections: [] } })),
      entry('d-good', goodText),
      entry('e-json', '{"id": "x",\u0007'),
      entry('f-no-id', JSON.stringify({ property: good.property, adapter: 'x', case: {} })),
      entry('g-proto', JSON.stringify({ ...good, property: '__proto__' })),
    ];
    const r = await replay(dirs);
    expect(r.lines[0]).toBe(`bad     ${dir}/a-null: case: expected an object (the shrunk case), got null`);
    expect(r.lines[1]).toBe(`bad     ${dir}/b-string: case: expected an object (the shrunk case), got string "oops"`);
    expect(r.lines[2]).toMatch(new RegExp(`^bad     ${dir}/c-shape: case\\.cluster\\.nodes: `));
    expect(r.lines[3]).toMatch(/^valid   \S+ connection-verdict-equals-policy on reference:vpp-18\.01-contiv$/);
    expect(r.lines[4]).toMatch(new RegExp(`^bad     ${dir}/e-json/case\\.json(:\\d+:\\d+)?: invalid JSON`));
    expect(r.lines[5]).toBe(`bad     ${dir}/f-no-id: id: missing field`);
    expect(r.lines[6]).toBe(`bad     ${dir}/g-proto: property: unknown property "__proto__"`);
    expect(r.lines[7]).toBe('7 entries replayed, 0 still failing, 6 bad');
    expect(r.code).toBe(2);
  });

  test('exit codes: 1 if an entry still fails, else 2 if one was bad, else 3 if one was unknown, else 0', async () => {
    const failing = CASE_JSONS.find((e) => e.adapter === 'mutant:acl-last-match' && e.property === 'connection-verdict-equals-policy')!;
    const fails = entry('fails', JSON.stringify(failing));
    const ok = entry('ok', goodText);
    const bad = entry('bad', JSON.stringify({ ...good, case: [] }));
    expect((await replay([fails, bad, ok])).code).toBe(1);
    expect((await replay([bad, ok])).code).toBe(2);
    const unknown = await replay([ok, ok], { adapter: 'reference', createAdapter: unavailable });
    expect(unknown.lines[0]).toBe(`unknown ${good.id} connection-verdict-equals-policy on reference: reference: no data path in this test`);
    expect(unknown.code).toBe(3);
    expect((await replay([ok])).code).toBe(0);
  });

  test('an entry whose adapter does not exist here (a VPP lab) is unknown, not a stop', async () => {
    const vpp = entry('vpp', JSON.stringify({ ...good, adapter: 'vpp' }));
    const saved = process.env.PODFLOW_VPP_LAB;
    process.env.PODFLOW_VPP_LAB = join(dir, 'no-such-lab.yaml');
    try {
      const r = await replay([vpp, entry('ok2', goodText)]);
      expect(r.lines[0]).toMatch(/^unknown .* on vpp: /);
      expect(r.lines[1]).toMatch(/^valid /);
      expect(r.code).toBe(3);
    } finally {
      if (saved === undefined) delete process.env.PODFLOW_VPP_LAB;
      else process.env.PODFLOW_VPP_LAB = saved;
    }
  });

  test('loadCorpusEntry names the file and field', () => {
    const d = entry('seed-type', JSON.stringify({ ...good, seed: 'x' }));
    expect(() => loadCorpusEntry(d)).toThrow(new UsageError(`${d}/case.json: seed: expected an integer, got string "x"`));
  });

  test(`${RUNS} random, mutated and truncated case.json files: one clean line each, never a throw`, async () => {
    const d = join(dir, 'fuzz');
    mkdirSync(d, { recursive: true });
    const texts = [
      ...sample(randomJsonArb, RUNS / 8).map((v) => JSON.stringify(v) ?? 'null'),
      ...sample(randomTextArb, RUNS / 8),
      ...sample(vocabularyArb(CASE_JSONS), RUNS / 4).map((v) => JSON.stringify(v) ?? 'null'),
      ...sample(vocabularyArb(CASE_JSONS.map((e) => e.case)).map((c) => ({ ...CASE_JSONS[0], case: c })), RUNS / 8).map((v) => JSON.stringify(v) ?? 'null'),
      ...sample(mutatedArb(CASE_JSONS), RUNS / 2).map((v) => JSON.stringify(v) ?? 'null'),
      ...prototypeVariants(CASE_JSONS, 400).map((v) => JSON.stringify(v)),
      ...truncations(JSON.stringify(CASE_JSONS[0]), 100),
    ];
    const counts: Record<string, number> = {};
    for (const [i, text] of texts.entries()) {
      let line: string;
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      if (i % 10 === 0 || json === undefined) {
        // every tenth (and invalid JSON) through the folder, as the command reads it; the rest from memory
        writeFileSync(join(d, 'case.json'), text);
        line = (await expectCleanAsync(text, () => replay([d], { createAdapter: unavailable }), []))!.lines[0]!;
      } else {
        line = (await expectCleanAsync(text, () => replayEntryValue(d, json, { createAdapter: unavailable }), []))!.line;
        expectCleanLine(line, 'replay line');
      }
      const status = line.split(' ')[0]!;
      counts[status] = (counts[status] ?? 0) + 1;
      expect(line, text.slice(0, 3000)).not.toMatch(/the check crashed/);
    }
    expect(counts.bad).toBeGreaterThan(RUNS / 2);
    expect(counts.unknown ?? 0).toBeGreaterThan(20);
  });

  test('mutated entries that pass their checks replay on the reference model without a throwing check', async () => {
    const d = join(dir, 'fuzz-ref');
    mkdirSync(d, { recursive: true });
    let ran = 0;
    for (const v of sample(mutatedArb(CASE_JSONS.map((e) => ({ ...e, adapter: 'reference' }))), 300, 5)) {
      const e = v as Record<string, unknown> | null;
      if (typeof e !== 'object' || e === null || typeof e.property !== 'string' || !validateCase(e.property, e.case).ok) continue;
      writeFileSync(join(d, 'case.json'), JSON.stringify(v));
      const r = await replay([d], { adapter: 'reference' });
      expect(r.lines[0], JSON.stringify(v).slice(0, 3000)).not.toMatch(/the check crashed/);
      if (++ran >= 40) break;
    }
    expect(ran).toBeGreaterThan(10);
  });
});

describe('podflow merge input', () => {
  const info = { runId: 'r1', seed: 1, adapter: 'reference(vpp-18.01-contiv)', podflowVersion: '0.1.0', nodeVersion: 'v20', options: { runs: 10, properties: ['p', 'q'], chunk: 25 }, interrupted: false };
  const cx = { id: 'abc123', property: 'q', adapter: 'mutant:x', seed: 7, path: '0:1', details: 'q failed', seedSteps: ['r3'], case: { cluster: { nodes: [] } } }; // merge does not read the case
  const results = [
    { id: 'p', description: 'p', seedSteps: [], runs: 10, verdict: 'valid', timeMs: 100, unknownReasons: [], counterexamples: [], coverage: { 'ip4-lookup': 2 } },
    { id: 'q', description: 'q', seedSteps: ['r3'], runs: 10, verdict: 'invalid', timeMs: 50, unknownReasons: [], counterexamples: [cx], coverage: {}, knownDivergences: { D1: 2 } },
  ];

  function folder(name: string, run: string, res: string): string {
    const d = join(dir, 'runs', name);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'run.json'), run);
    writeFileSync(join(d, 'results.json'), res);
    return d;
  }

  test('the template loads and merges', () => {
    const run = loadRunFolder(folder('ok', JSON.stringify(info), JSON.stringify(results)));
    expect(mergeRuns([run]).result.properties.map((p) => p.verdict)).toEqual(['valid', 'invalid']);
  });

  test('corrupt results.json: one line naming the file, the property and the field', () => {
    const cases: [unknown, RegExp][] = [
      [{}, /results\.json: not a podflow results\.json \(expected a list of property results\)$/],
      [[null], /results\.json: property 1: no 'id'$/],
      [[{ ...results[0], coverage: { 'ip4-lookup': 'many' } }], /results\.json: property 1 \(p\): coverage\.ip4-lookup: /],
      [[{ ...results[1], counterexamples: [{ ...cx, id: '../../etc' }] }], /results\.json: property 1 \(q\): counterexamples\[0\]\.id: "\.\.\/\.\.\/etc" is not a plain name/],
      [[{ ...results[1], counterexamples: [null] }], /results\.json: property 1 \(q\): counterexamples\[0\]: /],
      [[{ ...results[0], unknownReasons: 'x' }], /results\.json: property 1 \(p\): unknownReasons: /],
      [JSON.parse('[{"id":"p","verdict":"valid","runs":1,"timeMs":1,"counterexamples":[],"coverage":{"__proto__":1}}]'), /results\.json: property 1 \(p\): coverage\.__proto__: not a usable name$/],
    ];
    for (const [i, [res, message]] of cases.entries()) {
      const d = folder(`bad-${i}`, JSON.stringify(info), JSON.stringify(res));
      expect(() => loadRunFolder(d), JSON.stringify(res)).toThrow(message);
    }
    const d = folder('bad-run', JSON.stringify({ ...info, options: { properties: 'all' } }), JSON.stringify(results));
    expect(() => loadRunFolder(d)).toThrow(/run\.json: not a podflow run\.json \(field 'options\.properties': /);
  });

  test(`${RUNS} random, mutated and truncated results.json and run.json: a run or a UsageError line`, () => {
    const runText = JSON.stringify(info);
    const resText = JSON.stringify(results);
    const inputs: [string, string][] = [
      ...sample(randomJsonArb, RUNS / 8).map((v) => [runText, JSON.stringify(v) ?? 'null'] as [string, string]),
      ...sample(randomJsonArb, RUNS / 8).map((v) => [JSON.stringify(v) ?? 'null', resText] as [string, string]),
      ...sample(vocabularyArb([results]), RUNS / 8).map((v) => [runText, JSON.stringify(v) ?? 'null'] as [string, string]),
      ...sample(vocabularyArb([info]), RUNS / 8).map((v) => [JSON.stringify(v) ?? 'null', resText] as [string, string]),
      ...sample(mutatedArb([results]), RUNS / 2).map((v) => [runText, JSON.stringify(v) ?? 'null'] as [string, string]),
      ...sample(mutatedArb([info]), RUNS / 4).map((v) => [JSON.stringify(v) ?? 'null', resText] as [string, string]),
      ...prototypeVariants([results], 300).map((v) => [runText, JSON.stringify(v)] as [string, string]),
      ...prototypeVariants([info], 100).map((v) => [JSON.stringify(v), resText] as [string, string]),
      ...truncations(resText, 150).map((t) => [runText, t] as [string, string]),
      ...sample(randomTextArb, 50).map((t) => [t, resText] as [string, string]),
    ];
    let loaded = 0;
    const parse = (text: string): unknown => {
      try {
        return JSON.parse(text);
      } catch {
        return undefined;
      }
    };
    for (const [i, [run, res]] of inputs.entries()) {
      let r: LoadedRun | undefined;
      const [runJson, resJson] = [parse(run), parse(res)];
      if (i % 10 === 0 || runJson === undefined || resJson === undefined) {
        // every tenth (and invalid JSON) through the folder, as the command reads it; the rest from memory
        const d = folder('fuzz', run, res);
        r = expectClean({ run, res }, () => loadRunFolder(d), [UsageError]);
      } else {
        r = expectClean({ run, res }, () => ({ dir: 'x', result: { info: checkRunInfo('run.json', runJson), properties: checkResults('results.json', resJson) }, files: [] }), [UsageError]);
      }
      if (r) {
        loaded++;
        expectClean({ run, res }, () => mergeRuns([r, { ...r, result: { ...r.result, info: { ...r.result.info, runId: 'other' } } }]), []);
      }
    }
    expect(loaded).toBeGreaterThan(RUNS / 10);
  });
});

describe('registerReplayCommand', () => {
  test('a commander program with the replay command: the same options, the exit code through setExit, one line per entry', async () => {
    const { Command } = await import('commander');
    const { registerReplayCommand } = await import('../../../src/cli/replay.ts');
    const codes: number[] = [];
    const program = new Command().exitOverride();
    registerReplayCommand(program, (c) => codes.push(c));
    const replayCmd = program.commands.find((c) => c.name() === 'replay')!;
    expect(replayCmd.options.map((o) => o.long)).toEqual(['--adapter', '--corpus']);
    const good = CASE_JSONS.find((e) => e.property === 'connection-verdict-equals-policy')!;
    const corpus = join(dir, 'cmd-corpus');
    mkdirSync(join(corpus, 'a'), { recursive: true });
    mkdirSync(join(corpus, 'b'), { recursive: true });
    writeFileSync(join(corpus, 'a', 'case.json'), JSON.stringify({ ...good, adapter: 'reference' }));
    writeFileSync(join(corpus, 'b', 'case.json'), JSON.stringify({ ...good, case: { cluster: {}, connections: [] } }));
    const out: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((s: string) => (out.push(String(s)), true)) as typeof process.stdout.write;
    try {
      await program.parseAsync(['replay', '--corpus', corpus], { from: 'user' });
    } finally {
      process.stdout.write = write;
    }
    expect(out.join('').split('\n')).toEqual([expect.stringMatching(/^valid   /), expect.stringMatching(new RegExp(`^bad     ${corpus}/b: case\\.cluster\\.nodes: `)), '2 entries replayed, 0 still failing, 1 bad', '']);
    expect(codes).toEqual([2]);
    // a file where a folder belongs is a usage error of the command
    writeFileSync(join(dir, 'plain-file'), 'x');
    await expect(program.parseAsync(['replay', join(dir, 'plain-file')], { from: 'user' })).rejects.toThrow(UsageError);
  });
});
