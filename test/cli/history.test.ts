// Run history and triage end to end (issue 12, items 2 and 3): fuzz runs of the reference model and of a mutant
// (two seeds) into one reports folder and corpus, plus hand-corrupted folders. run.json records duration, git
// commit and the data path's version; the second mutant run's failure is known (first seen in the first run), the
// first one's new, in results.json, summary.md and report.html; the corpus keeps the smaller case of the two;
// `podflow history` writes one self-contained index.html with a row per run in time order, names each bad folder
// in one stderr line, and exits 2 for a folder without runs.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runFuzz, type FuzzOutcome } from '../../src/cli/fuzz.ts';
import { historyRows, readRunFolders, registerHistoryCommand, runHistory } from '../../src/cli/history.ts';
import { UsageError } from '../../src/cli/io.ts';
import type { Counterexample, PropertyResult, RunInfo } from '../../src/cli/results.ts';
import { loadRunFolder } from '../../src/cli/merge.ts';
import { caseSize, failureSignature, signatureParts } from '../../src/cli/triage.ts';
import { markupProblems } from './report/wellformed.ts';

const dir = mkdtempSync(join(tmpdir(), 'podflow-history-'));
const reports = join(dir, 'reports');
const corpus = join(dir, 'corpus');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const quiet = (): void => {};
let ref: FuzzOutcome;
let m1: FuzzOutcome;
let m2: FuzzOutcome;

const fuzz = (adapter: string, seed: string): Promise<FuzzOutcome> => runFuzz({ adapter, property: ['vxlan-wire-format', 'ttl-and-checksums'], runs: '10', seed, out: reports, corpus }, quiet);
const read = <T>(folder: string, file: string): T => JSON.parse(readFileSync(join(folder, file), 'utf8')) as T;
const cxOf = (folder: string): Counterexample[] => read<PropertyResult[]>(folder, 'results.json').flatMap((p) => p.counterexamples);

beforeAll(async () => {
  ref = await fuzz('reference', '1');
  m1 = await fuzz('mutant:wrong-vni', '1');
  m2 = await fuzz('mutant:wrong-vni', '2');
  // hand-corrupted folders: a results.json with a bad verdict, a run.json that is not JSON, a folder without run.json
  for (const [name, file, text] of [
    ['bad-verdict', 'results.json', JSON.stringify([{ id: 'x', runs: 1, verdict: 'maybe', timeMs: 0, counterexamples: [] }])],
    ['bad-json', 'run.json', '{"runId": '],
  ] as const) {
    cpSync(ref.folder, join(reports, name), { recursive: true });
    writeFileSync(join(reports, name, file), text);
  }
  mkdirSync(join(reports, 'not-a-run'));
}, 60_000);

describe('run.json', () => {
  test('records duration, the data path version and (in a checkout) the git commit', () => {
    for (const r of [ref, m1, m2]) {
      const info = read<RunInfo>(r.folder, 'run.json');
      expect(info.durationMs).toBe(Date.parse(info.endedAt!) - Date.parse(info.startedAt!));
      expect(info.podflowVersion).toMatch(/^\d+\.\d+\.\d+/);
      expect(info.dataPath).toBe('podflow model vpp-18.01-contiv');
      if (existsSync(join(__dirname, '..', '..', '.git'))) expect(info.gitCommit).toMatch(/^[0-9a-f]{40}$/);
    }
  });
});

describe('triage across runs', () => {
  test('the first failure is new, the same failure of the next run (another seed, another case) known since the first', () => {
    const [a] = cxOf(m1.folder);
    const [b] = cxOf(m2.folder);
    expect(a && b).toBeTruthy();
    expect(a!.id).not.toBe(b!.id);
    expect(a!.signature).toMatch(/^[0-9a-f]{12}$/);
    expect(b!.signature).toBe(a!.signature);
    expect(a!.triage).toEqual({ status: 'new' });
    expect(b!.triage).toMatchObject({ status: 'known', firstSeenRun: m1.result.info.runId });
    expect(readFileSync(join(m1.folder, 'summary.md'), 'utf8')).toContain(`counterexample ${a!.id} — **new**`);
    expect(readFileSync(join(m2.folder, 'summary.md'), 'utf8')).toContain(`counterexample ${b!.id} — known (first seen in run \`${m1.result.info.runId}\`)`);
    expect(readFileSync(join(m1.folder, 'report.html'), 'utf8')).toContain('<span class="badge new"');
    const html2 = readFileSync(join(m2.folder, 'report.html'), 'utf8');
    expect(html2).toMatch(/<h2>Triage<\/h2>\n<p>0 new, 1 known, 0 known divergences<\/p>/);
    expect(html2).toContain(`<span class="badge known" title="failure signature ${a!.signature}">known since <code>${m1.result.info.runId}</code></span>`);
    expect(markupProblems(html2, 'html')).toEqual([]);
  });

  test('the signature is recomputed from the run folder alone (claims and traces.json), first divergent node included', () => {
    const run = loadRunFolder(m1.folder);
    const a = run.result.properties.flatMap((p) => p.counterexamples)[0]!;
    const parts = signatureParts(a, run.files[0]);
    expect(parts).toMatchObject({ property: 'vxlan-wire-format', adapter: 'mutant:wrong-vni' });
    expect(parts.code).not.toBe('');
    expect(failureSignature(a, run.files[0])).toBe(a.signature);
  });

  test('the corpus keeps one entry per signature: the smaller case, with its signature in case.json', () => {
    const [a] = cxOf(m1.folder);
    const [b] = cxOf(m2.folder);
    const entries = readdirSync(corpus).filter((n) => !n.startsWith('.'));
    expect(entries).toHaveLength(1);
    const kept = read<{ id: string; signature: string; case: unknown }>(join(corpus, entries[0]!), 'case.json');
    expect(kept.signature).toBe(a!.signature);
    expect(caseSize(kept.case)).toBe(Math.min(caseSize(a!.case), caseSize(b!.case)));
  });

  test('a failure known only from the corpus (its runs elsewhere) is known by its corpus entry; a larger case names the entry kept', async () => {
    const other = join(dir, 'other-reports');
    const before = readdirSync(corpus).filter((n) => !n.startsWith('.'));
    const keptSize = caseSize(read<{ case: unknown }>(join(corpus, before[0]!), 'case.json').case);
    const r = await runFuzz({ adapter: 'mutant:wrong-vni', property: ['vxlan-wire-format'], runs: '10', seed: '3', out: other, corpus }, quiet);
    const [c] = cxOf(r.folder);
    const larger = caseSize(c!.case) >= keptSize;
    expect(c!.triage).toEqual({ status: 'known', corpusEntry: before[0], ...(larger ? { keptAs: before[0] } : {}) });
    expect(readdirSync(corpus).filter((n) => !n.startsWith('.'))).toEqual(larger ? before : [c!.id]);
    if (larger) expect(readFileSync(join(r.folder, 'summary.md'), 'utf8')).toContain(`The corpus keeps a smaller case of this failure: entry \`${before[0]}\``);
  });

  test('a run folder without signatures (killed, or older) gets them from its claims and traces.json', () => {
    const old = join(dir, 'old-reports');
    mkdirSync(old);
    cpSync(m1.folder, join(old, 'm1'), { recursive: true });
    const results = read<PropertyResult[]>(m1.folder, 'results.json');
    for (const p of results) for (const cx of p.counterexamples) delete cx.signature, delete cx.triage;
    writeFileSync(join(old, 'm1', 'results.json'), JSON.stringify(results));
    const [run] = readRunFolders(old, () => {});
    expect(run!.result.properties.flatMap((p) => p.counterexamples).map((cx) => cx.signature)).toEqual(cxOf(m1.folder).map((cx) => cx.signature));
  });
});

describe('podflow history', () => {
  test('writes one self-contained index.html: a row per run in time order, plots, bad folders one stderr line each', () => {
    const lines: string[] = [];
    const r = runHistory(reports, (l) => lines.push(l));
    expect(r.code).toBe(0);
    expect(r.runs).toBe(3);
    expect(lines).toHaveLength(3);
    expect(lines.every((l) => l.split('\n').length === 1 && l.startsWith('podflow: skipped '))).toBe(true);
    expect(lines.join('\n')).toMatch(/bad-verdict\/results\.json: property 1 \(x\): verdict/);
    expect(lines.join('\n')).toMatch(/bad-json\/run\.json/);
    expect(lines.join('\n')).toMatch(/not-a-run: not a podflow run folder \(no run\.json\)/);
    const html = readFileSync(join(reports, 'index.html'), 'utf8');
    expect(markupProblems(html, 'html')).toEqual([]);
    expect(html).not.toMatch(/https?:|<script|src=/i);
    expect(html.match(/<svg class="plot"/g)).toHaveLength(4);
    const ids = [...html.matchAll(/<tr class="\w+"><td>[^<]*<\/td><td><a href="([^"]+)\/report\.html"/g)].map((m) => m[1]);
    expect(ids).toEqual([ref, m1, m2].map((x) => x.result.info.runId));
    expect(existsSync(join(reports, 'latest'))).toBe(true);
  });

  test('rows: checked, cases/s, coverage, counterexamples and new ones', () => {
    const rows = historyRows(readRunFolders(reports, () => {}));
    expect(rows.map((r) => [r.adapter, r.verdict, r.counterexamples, r.newFailures])).toEqual([
      ['reference(vpp-18.01-contiv)', 'valid', 0, 0],
      ['mutant:wrong-vni', 'invalid', 1, 1],
      ['mutant:wrong-vni', 'invalid', 1, 0],
    ]);
    for (const r of rows) {
      expect(r.checked).toBeGreaterThan(0);
      expect(r.casesPerSecond).toBeCloseTo(r.checked / (r.durationMs! / 1000), 6);
      expect(r.nodes).toBeGreaterThan(5);
    }
  });

  test('registerHistoryCommand: `podflow history DIR` writes the page, says where on stdout, exit 0', async () => {
    const program = new Command().exitOverride();
    let code: number | undefined;
    registerHistoryCommand(program, (c) => (code = c));
    rmSync(join(reports, 'index.html'));
    const out: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    const err = process.stderr.write.bind(process.stderr);
    process.stdout.write = ((t: string) => (out.push(t), true)) as typeof process.stdout.write;
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      await program.parseAsync(['node', 'podflow', 'history', reports]);
    } finally {
      process.stdout.write = write;
      process.stderr.write = err;
    }
    expect(code).toBe(0);
    expect(out.join('')).toBe(`3 runs — history: ${join(reports, 'index.html')}\n`);
    expect(existsSync(join(reports, 'index.html'))).toBe(true);
  });

  test('exit 2 for a folder without runs; a usage error for a missing folder', () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    const lines: string[] = [];
    expect(runHistory(empty, (l) => lines.push(l)).code).toBe(2);
    expect(existsSync(join(empty, 'index.html'))).toBe(false);
    expect(lines).toHaveLength(1);
    expect(() => runHistory(join(dir, 'nope'), quiet)).toThrow(UsageError);
  });
});
