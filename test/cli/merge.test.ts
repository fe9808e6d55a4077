// `podflow merge`: shard runs (runFuzz --shard 1/2 and 2/2) become one run folder with every property, the
// overall verdict and the exit code of fuzz; verdicts combine (invalid > unknown > valid), runs and times add
// up; a folder that is not a run is a one-line error.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { runFuzz } from '../../src/cli/fuzz.ts';
import { main } from '../../src/cli/main.ts';
import { mergedRunId, runMerge } from '../../src/cli/merge.ts';
import { UsageError } from '../../src/cli/io.ts';
import { writeRunReport } from '../../src/cli/report/write.ts';
import type { PropertyResult, PropertyVerdict, RunResult } from '../../src/cli/results.ts';
import { PROPERTIES } from '../../src/properties/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'podflow-merge-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

const shards: { folder: string; result: RunResult }[] = [];

beforeAll(async () => {
  for (const shard of ['1/2', '2/2']) {
    const r = await runFuzz({ adapter: 'mutant:wrong-vni', runs: '3', seed: '1', shard, out: join(dir, 'shards'), corpus: false });
    shards.push(r);
  }
});

function quiet(): { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
  return { out, err };
}

describe('podflow merge of shard runs', () => {
  test('one folder with every property of the catalogue, the overall verdict and the exit code', () => {
    const out = join(dir, 'merged');
    const m = runMerge(shards.map((s) => s.folder), { out });
    expect(m.code).toBe(1);
    expect(m.result.properties.map((p) => p.id)).toEqual(PROPERTIES.map((p) => p.id));
    expect(m.result.properties.find((p) => p.id === 'vxlan-wire-format')?.verdict).toBe('invalid');
    for (const p of m.result.properties) {
      const from = shards.flatMap((s) => s.result.properties).find((x) => x.id === p.id)!;
      expect(p.runs).toBe(from.runs);
      expect(p.verdict).toBe(from.verdict);
    }
    const ids = shards.map((s) => s.result.info.runId);
    expect(ids[0]).toMatch(/^\d{8}T\d{6}Z-mutant-wrong-vni-seed1-shard1of2$/);
    expect(m.result.info.runId).toBe(mergedRunId(ids));
    expect(m.result.info.mergedFrom).toEqual(ids);
    expect(m.folder).toBe(join(out, m.result.info.runId));
    expect(readlinkSync(join(out, 'latest'))).toBe(m.result.info.runId);
    for (const f of ['run.json', 'results.json', 'junit.xml', 'summary.md', 'report.html']) expect(existsSync(join(m.folder, f)), f).toBe(true);
    // the counterexample comes along with its files, and the merged report still draws and diffs it
    const cx = m.result.properties.find((p) => p.id === 'vxlan-wire-format')!.counterexamples[0]!;
    for (const f of ['scenario.json', 'policies.yaml', 'traces.json', 'trace-diff.txt', 'expected-node-1-wire.pcap', 'received-node-1-wire.pcap']) {
      expect(existsSync(join(m.folder, 'counterexamples', cx.id, f)), f).toBe(true);
    }
    expect(readFileSync(join(m.folder, 'counterexamples', cx.id, 'received-node-1-wire.pcap'))).toEqual(readFileSync(join(shards[1]!.folder, 'counterexamples', cx.id, 'received-node-1-wire.pcap')));
    const html = readFileSync(join(m.folder, 'report.html'), 'utf8');
    expect(html).toContain('<code>node:1:wire</code>');
    expect(html).toContain('data-vpp-node="vxlan4-encap"');
    expect(JSON.parse(readFileSync(join(m.folder, 'run.json'), 'utf8')).mergedFrom).toHaveLength(2);
  });

  test('the merged run ID does not depend on the order of the folders', () => {
    const a = runMerge(shards.map((s) => s.folder), { out: join(dir, 'order-a') });
    const b = runMerge(shards.map((s) => s.folder).reverse(), { out: join(dir, 'order-b') });
    expect(b.result.info.runId).toBe(a.result.info.runId);
    expect(b.result.properties.map((p) => p.id)).toEqual(a.result.properties.map((p) => p.id));
  });

  test('through the CLI: exit code 1 and a summary', async () => {
    const io = quiet();
    const code = await main(['merge', ...shards.map((s) => s.folder), '--out', join(dir, 'cli')]);
    expect(code).toBe(1);
    expect(io.out.join('')).toMatch(/invalid — 2 runs merged — report: .*report\.html/);
  });
});

function synthetic(name: string, verdicts: Record<string, PropertyVerdict>): string {
  const properties: PropertyResult[] = Object.entries(verdicts).map(([id, verdict]) => ({
    id,
    description: id,
    seedSteps: [],
    runs: 10,
    verdict,
    timeMs: 100,
    unknownReasons: verdict === 'unknown' ? [`${name} could not tell`] : [],
    counterexamples: verdict === 'invalid' ? [{ id: `${name}-${id}`, property: id, adapter: 'reference(vpp-18.01-contiv)', seed: 7, path: '0', details: `${id} failed in ${name}`, claims: [], seedSteps: [], case: {} }] : [],
    coverage: { 'ip4-lookup': 2 },
    ...(id === 'p' ? { measures: { 'trace records equal': name === 'a' ? 9 : 7, 'trace records differing': 1 } } : {}),
  }));
  const r: RunResult = { info: { runId: name, seed: 1, adapter: 'reference(vpp-18.01-contiv)', podflowVersion: '0', nodeVersion: 'v20', options: { runs: 10, properties: Object.keys(verdicts), chunk: 25 }, interrupted: false }, properties };
  return writeRunReport(join(dir, 'synthetic'), r, []);
}

describe('verdicts combine', () => {
  test('invalid if any says so, unknown if any says unknown and none invalid; runs, times and coverage add up', () => {
    const a = synthetic('a', { p: 'valid', q: 'valid', r: 'invalid', s: 'valid' });
    const b = synthetic('b', { p: 'valid', q: 'unknown', r: 'unknown', t: 'valid' });
    const m = runMerge([a, b], { out: join(dir, 'combined') });
    const by = Object.fromEntries(m.result.properties.map((p) => [p.id, p]));
    expect(Object.fromEntries(Object.entries(by).map(([k, p]) => [k, p.verdict]))).toEqual({ p: 'valid', q: 'unknown', r: 'invalid', s: 'valid', t: 'valid' });
    expect(by.p!.runs).toBe(20);
    expect(by.p!.timeMs).toBe(200);
    expect(by.s!.runs).toBe(10);
    expect(by.p!.coverage).toEqual({ 'ip4-lookup': 4 });
    expect(by.p!.measures).toEqual({ 'trace records equal': 16, 'trace records differing': 2 });
    expect(by.q!.measures).toBeUndefined();
    expect(by.q!.unknownReasons).toEqual(['b could not tell']);
    expect(by.r!.counterexamples.map((c) => c.id)).toEqual(['a-r']);
    expect(m.code).toBe(1);
  });

  test('a missing shard makes the merge inconclusive (exit 3) and says which', () => {
    const m = runMerge([shards[0]!.folder], { out: join(dir, 'one-shard') });
    expect(m.result.info.missingShards).toEqual([2]);
    // shard 1 of 2 found wrong-vni's failure, or not: either way a merge missing a shard is never valid
    expect(m.code === 1 || m.code === 3).toBe(true);
    if (m.result.properties.every((p) => p.verdict !== 'invalid')) expect(m.code).toBe(3);
    expect(runMerge(shards.map((x) => x.folder), { out: join(dir, 'both-shards') }).result.info.missingShards).toBeUndefined();
  });

  test('an unknown property makes the merge inconclusive (exit 3); all valid: 0', () => {
    const c = synthetic('c', { p: 'valid' });
    const d = synthetic('d', { p: 'unknown' });
    const e = synthetic('e', { q: 'valid' });
    expect(runMerge([c, d], { out: join(dir, 'unknown') }).code).toBe(3);
    expect(runMerge([c, e], { out: join(dir, 'valid') }).code).toBe(0);
  });
});

describe('bad folders are one-line errors', () => {
  test.each([
    ['empty', () => mkdirSync(join(dir, 'bad', 'empty'), { recursive: true }), /^podflow: .*empty: not a podflow run folder \(no run\.json\)\n$/],
    ['no-results', () => {
      mkdirSync(join(dir, 'bad', 'no-results'), { recursive: true });
      writeFileSync(join(dir, 'bad', 'no-results', 'run.json'), '{}');
    }, /^podflow: .*no-results: not a podflow run folder \(no results\.json\)\n$/],
    ['broken', () => {
      mkdirSync(join(dir, 'bad', 'broken'), { recursive: true });
      writeFileSync(join(dir, 'bad', 'broken', 'run.json'), JSON.stringify({ runId: 'x', seed: 1, adapter: 'a', options: { properties: [] } }));
      writeFileSync(join(dir, 'bad', 'broken', 'results.json'), '[{"id": "p"}]\n]');
    }, /^podflow: .*broken\/results\.json(:\d+:\d+)?: invalid JSON/],
    ['missing', () => {}, /^podflow: .*missing: no such folder\n$/],
  ] as const)('%s', async (name, make, message) => {
    make();
    const io = quiet();
    const code = await main(['merge', shards[0]!.folder, join(dir, 'bad', name), '--out', join(dir, 'bad-out')]);
    expect(code).toBe(2);
    const err = io.err.join('');
    expect(err).toMatch(message);
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(existsSync(join(dir, 'bad-out'))).toBe(false);
  });

  test('the same run twice is refused; no folder at all is a usage error', async () => {
    expect(() => runMerge([shards[0]!.folder, shards[0]!.folder], { out: join(dir, 'dup') })).toThrow(UsageError);
    const io = quiet();
    expect(await main(['merge'])).toBe(2);
    expect(io.err.join('')).toMatch(/missing required argument/);
  });
});
