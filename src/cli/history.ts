// Run history (issue 12, item 2): what run.json records about where a run came from (git commit, the data path's
// version, duration) and `podflow history [DIR]`: every run folder of a reports folder, checked like `podflow
// merge` checks them (a bad folder is one line on stderr and passed over), sorted by start time, as one
// self-contained DIR/index.html — a row per run and small plots over time (report/history-html.ts).
import type { Command } from 'commander';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Adapter } from '../adapters/adapter.ts';
import { EXIT_OK, EXIT_USAGE } from './exit-codes.ts';
import { readJsonFile, UsageError } from './io.ts';
import { checkResults, checkRunInfo } from './merge.ts';
import { addCoverage, runCoverage, summarizeCoverage, universeOf, type CategoryCoverage } from './coverage.ts';
import { historyHtml } from './report/history-html.ts';
import { parseCounterexampleData, type CounterexampleFiles } from './report/write.ts';
import { overallVerdict, type Counterexample, type PropertyVerdict, type RunInfo, type RunResult } from './results.ts';
import { writeFileAtomic } from './store.ts';
import { failureSignature } from './triage.ts';

// ---- provenance: run.json fields ----

const HASH_RE = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * The commit checked out in the git work tree at `root` (default: podflow's own checkout), read from the files —
 * `.git/HEAD`, the ref it names (loose, else packed-refs), following a worktree's `gitdir:` and `commondir` — never
 * by running git. Undefined outside a checkout or when anything does not look as expected.
 */
export function gitCommit(root: string = join(dirname(fileURLToPath(import.meta.url)), '..', '..')): string | undefined {
  let gitDir = join(root, '.git');
  try {
    if (!existsSync(gitDir)) return undefined;
    if (statSync(gitDir).isFile()) {
      const m = /^gitdir: (.+)$/m.exec(readText(gitDir) ?? '');
      if (!m) return undefined;
      gitDir = isAbsolute(m[1]!.trim()) ? m[1]!.trim() : resolve(root, m[1]!.trim());
    }
    const head = readText(join(gitDir, 'HEAD'))?.trim();
    if (head === undefined) return undefined;
    if (HASH_RE.test(head)) return head; // detached
    const ref = /^ref: (refs\/[A-Za-z0-9._\/-]+)$/.exec(head)?.[1];
    if (!ref || ref.includes('..')) return undefined;
    const common = readText(join(gitDir, 'commondir'))?.trim();
    const commonDir = common ? resolve(gitDir, common) : gitDir;
    for (const d of [gitDir, commonDir]) {
      const loose = readText(join(d, ref))?.trim();
      if (loose !== undefined && HASH_RE.test(loose)) return loose;
    }
    for (const line of (readText(join(commonDir, 'packed-refs')) ?? '').split('\n')) {
      const [hash, name] = line.trim().split(' ');
      if (name === ref && hash !== undefined && HASH_RE.test(hash)) return hash;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** run.json's provenance fields known when a run starts: the git commit, when podflow runs from a checkout. */
export function runProvenance(): Pick<RunInfo, 'gitCommit'> {
  const commit = gitCommit();
  return commit !== undefined ? { gitCommit: commit } : {};
}

/** Asks the adapter for the data path's version (once, after preflight) into `info.dataPath`; never throws. */
export async function recordDataPath(adapter: Adapter, info: RunInfo): Promise<void> {
  if (info.unavailable !== undefined || !adapter.version) return;
  try {
    const v = await adapter.version();
    if (typeof v === 'string' && v.trim() !== '') info.dataPath = v.replace(/[\p{C}\u2028\u2029]+/gu, ' ').trim().slice(0, 1000);
  } catch {
    // the version is run metadata: without it the run is the same run
  }
}

// ---- reading a reports folder ----

export interface RunFolder {
  /** the folder's name in the reports folder */
  name: string;
  dir: string;
  result: RunResult;
}

/**
 * Every run folder directly in `dir` (folders with a run.json; `latest` and other links, dot-folders and plain
 * files are not runs), run.json and results.json checked as `podflow merge` checks them; a folder that does not
 * pass is `warn`ed in one line and left out. Sorted by start time (then run ID).
 */
export function readRunFolders(dir: string, warn: (line: string) => void): RunFolder[] {
  let dirents;
  try {
    dirents = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: RunFolder[] = [];
  for (const d of dirents) {
    if (!d.isDirectory() || d.name.startsWith('.')) continue;
    const run = join(dir, d.name);
    try {
      for (const f of ['run.json', 'results.json']) if (!existsSync(join(run, f))) throw new UsageError(`${run}: not a podflow run folder (no ${f})`);
      const info = checkRunInfo(join(run, 'run.json'), readJsonFile(join(run, 'run.json')));
      const properties = checkResults(join(run, 'results.json'), readJsonFile(join(run, 'results.json')));
      // a run killed before its end (or older than triage) has no signatures: they follow from its files
      for (const p of properties) for (const cx of p.counterexamples) if (typeof cx.signature !== 'string') signFromFolder(run, cx);
      out.push({ name: d.name, dir: run, result: { info, properties } });
    } catch (e) {
      warn(e instanceof UsageError ? e.message : `${run}: cannot read: ${(e as Error).message?.split('\n')[0] ?? String(e)}`);
    }
  }
  const time = (r: RunFolder): number => {
    const t = Date.parse(r.result.info.startedAt ?? '');
    return Number.isFinite(t) ? t : 0;
  };
  return out.sort((a, b) => time(a) - time(b) || (a.result.info.runId < b.result.info.runId ? -1 : a.result.info.runId > b.result.info.runId ? 1 : 0));
}

/** A counterexample's signature from its claims and its folder's traces.json (as the run computed it); unsigned when unreadable. */
function signFromFolder(run: string, cx: Counterexample): void {
  try {
    const file = join(run, 'counterexamples', cx.id, 'traces.json');
    if (!existsSync(join(run, 'counterexamples', cx.id))) return; // its files never written: no signature to tell
    const files: CounterexampleFiles = { id: cx.id };
    // the run wrote traces.json exactly when it had packets: without it the signature was computed without them too
    if (existsSync(file)) files.packets = parseCounterexampleData(readFileSync(file, 'utf8')).packets;
    cx.signature = failureSignature(cx, files);
  } catch {
    // left without a signature: counted, never matched
  }
}

// ---- one row per run ----

export interface HistoryRow {
  folder: string;
  runId: string;
  startedAt?: string;
  adapter: string;
  seed: number;
  status: string;
  verdict: PropertyVerdict;
  checked: number;
  /** ms, from durationMs or endedAt − startedAt */
  durationMs?: number;
  casesPerSecond?: number;
  /** distinct graph nodes and ACL rules hit */
  nodes: number;
  aclRules: number;
  /** per coverage category with a universe: hit of total (coverage.ts) */
  coverage: { category: string; hit: number; total: number }[];
  counterexamples: number;
  /** counterexamples whose signature no earlier run had (their own triage mark when they have one) */
  newFailures: number;
  dataPath?: string;
  gitCommit?: string;
  podflowVersion?: string;
}

/** The rows of the runs, in their order (time): counts, rates, coverage and new failures. */
export function historyRows(runs: readonly RunFolder[]): HistoryRow[] {
  const seen = new Set<string>();
  return runs.map((r) => {
    const info = r.result.info;
    const props = r.result.properties;
    const checked = props.reduce((n, p) => n + (p.checked ?? 0), 0);
    const span = Date.parse(info.endedAt ?? '') - Date.parse(info.startedAt ?? '');
    const durationMs = typeof info.durationMs === 'number' && Number.isFinite(info.durationMs) && info.durationMs >= 0 ? info.durationMs : Number.isFinite(span) && span >= 0 ? span : undefined;
    const keys = new Set<string>();
    for (const p of props) for (const [k, n] of Object.entries(p.coverage ?? {})) if (n > 0) keys.add(k);
    const nodes = [...keys].filter((k) => !k.includes(' ')).length;
    const aclRules = [...keys].filter((k) => /^acl \S+ rule /.test(k)).length;
    const cxs = props.flatMap((p) => p.counterexamples);
    let newFailures = 0;
    for (const cx of cxs) {
      const sig = typeof cx.signature === 'string' ? cx.signature : undefined;
      const isNew = cx.triage?.status !== undefined ? cx.triage.status === 'new' : sig === undefined || !seen.has(sig);
      if (isNew) newFailures++;
    }
    for (const cx of cxs) if (typeof cx.signature === 'string') seen.add(cx.signature);
    return {
      folder: r.name,
      runId: info.runId,
      ...(info.startedAt !== undefined ? { startedAt: info.startedAt } : {}),
      adapter: info.adapter,
      seed: info.seed,
      status: info.status ?? (info.interrupted ? 'interrupted' : '—'),
      verdict: overallVerdict(r.result),
      checked,
      ...(durationMs !== undefined ? { durationMs } : {}),
      ...(durationMs !== undefined && durationMs > 0 ? { casesPerSecond: checked / (durationMs / 1000) } : {}),
      nodes,
      aclRules,
      coverage: runCoverage(r.result)
        .summary.filter((c) => c.total > 0)
        .map((c) => ({ category: c.category, hit: c.hit, total: c.total })),
      counterexamples: cxs.length,
      newFailures,
      ...(typeof info.dataPath === 'string' ? { dataPath: info.dataPath } : {}),
      ...(typeof info.gitCommit === 'string' ? { gitCommit: info.gitCommit } : {}),
      ...(typeof info.podflowVersion === 'string' ? { podflowVersion: info.podflowVersion } : {}),
    };
  });
}

/** Coverage across runs, per adapter (runs of one adapter share a universe): what any run hit, what none did. */
export interface CumulativeCoverage {
  adapter: string;
  runs: number;
  summary: CategoryCoverage[];
}

export function cumulativeCoverage(runs: readonly RunFolder[]): CumulativeCoverage[] {
  const by = new Map<string, { runs: number; total: Record<string, number>; last: RunResult }>();
  for (const r of runs) {
    const c = runCoverage(r.result);
    const e = by.get(r.result.info.adapter) ?? { runs: 0, total: {}, last: r.result };
    e.runs++;
    addCoverage(e.total, c.total);
    e.last = r.result;
    by.set(r.result.info.adapter, e);
  }
  return [...by].map(([adapter, e]) => ({ adapter, runs: e.runs, summary: summarizeCoverage(e.total, universeOf(e.last.info, e.total)) }));
}

/**
 * `podflow history DIR`: writes DIR/index.html (atomically) from every readable run folder; returns the exit
 * code — 0 written, 2 when DIR is missing or has no run.
 */
export function runHistory(dir: string, log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): { code: number; file?: string; runs: number } {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`${dir}: no such reports folder`);
  const runs = readRunFolders(dir, (line) => log(`podflow: skipped ${line}`));
  if (runs.length === 0) {
    log(`podflow: ${dir}: no run folder (run podflow fuzz --out ${dir} first)`);
    return { code: EXIT_USAGE, runs: 0 };
  }
  const file = join(dir, 'index.html');
  writeFileAtomic(file, historyHtml(historyRows(runs), { dir, cumulative: cumulativeCoverage(runs) }));
  return { code: EXIT_OK, file, runs: runs.length };
}

export function registerHistoryCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('history')
    .description('write DIR/index.html: every run in a reports folder over time (cases/s, coverage, new failures)')
    .argument('[dir]', 'reports folder', 'reports')
    .addHelpText('after', '\nExit codes: 0 index.html written, 2 no run in DIR (or DIR missing)')
    .action((dir: string) => {
      const { code, file, runs } = runHistory(dir);
      if (file) process.stdout.write(`${runs} run${runs === 1 ? '' : 's'} — history: ${file}\n`);
      setExit(code);
    });
}
