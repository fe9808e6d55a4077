// `npm run bench`: speed figures as one JSON on stdout, every figure next to the peers measured in the same run
// (scapy, tshark) and to the last release recorded in bench/history.jsonl. Targets are read by people from the
// numbers (issue notes), not asserted here.
// Usage: npm run bench [-- --only packet,pcap] [-- --frames N] [-- --record <release>]
//   --record <release>  append this run to bench/history.jsonl as that release (e.g. 0.2.0)
// The vpp suite needs a lab: PODFLOW_VPP_LAB=lab.yaml, or PODFLOW_VPP_BIN=/path/to/bin/vpp (as root: a 2-node lab
// is started for the run and stopped after it). The kernel suite needs root.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readLabFile } from '../src/adapters/vpp/lab-file.ts';
import { labDown, labUp } from '../src/adapters/vpp/local-lab.ts';
import { writeFileAtomic } from '../src/cli/store.ts';
import { coverageBench } from './coverage.ts';
import { fuzzBench } from './fuzz.ts';
import { mutationBench } from './mutation.ts';
import { kernelBench } from './kernel.ts';
import { vppBench } from './vpp.ts';
import { modelBench } from './model.ts';
import { packetBench } from './packet.ts';
import { policyBench } from './policy.ts';
import { startupBench } from './startup.ts';

export interface BenchResult {
  [metric: string]: number | string | boolean | null | BenchResult;
}

const SUITES: Record<string, (opts: { frames: number }) => Promise<BenchResult>> = {
  packet: packetBench,
  model: modelBench,
  policy: policyBench,
  fuzz: fuzzBench,
  startup: startupBench,
  coverage: coverageBench,
  mutation: mutationBench,
  kernel: kernelBench,
  vpp: vppBench,
};

export const HISTORY = join(dirname(fileURLToPath(import.meta.url)), 'history.jsonl');

/** One recorded run of bench/history.jsonl: a release, when, on what, and its figures. */
export interface HistoryEntry {
  release: string;
  date: string;
  commit?: string;
  node: string;
  cpu: string;
  figures: BenchResult;
}

/** Every numeric figure of a result, by its dotted path (`fuzz.casesPerSecOneWorker`). */
export function numericFigures(r: BenchResult, prefix = ''): Map<string, number> {
  const out = new Map<string, number>();
  for (const [k, v] of Object.entries(r)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'number' && Number.isFinite(v)) out.set(path, v);
    else if (v && typeof v === 'object') for (const [p, n] of numericFigures(v, path)) out.set(p, n);
  }
  return out;
}

/**
 * The entries of a history file; a line that is not one (hand-edited, cut short) is an error naming the file and
 * line, never skipped silently.
 */
export function readHistory(file: string): HistoryEntry[] {
  if (!existsSync(file)) return [];
  const out: HistoryEntry[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.trim() === '') return;
      let v: unknown;
      try {
        v = JSON.parse(line);
      } catch {
        throw new Error(`${file}:${i + 1}: not a JSON line`);
      }
      const e = v as Partial<HistoryEntry>;
      if (!e || typeof e !== 'object' || typeof e.release !== 'string' || typeof e.date !== 'string' || !e.figures || typeof e.figures !== 'object') throw new Error(`${file}:${i + 1}: not a bench history entry (release, date, figures)`);
      out.push(e as HistoryEntry);
    });
  return out;
}

/**
 * Each figure of this run beside the same figure of the last recorded release that has it: `{ now, <release> }`
 * and the ratio now / then (a drop of a rate shows as a ratio below 1).
 */
export function versusHistory(now: BenchResult, history: readonly HistoryEntry[]): BenchResult {
  const out: BenchResult = {};
  const figures = numericFigures(now);
  for (const [path, n] of figures) {
    const last = [...history].reverse().find((h) => numericFigures(h.figures).has(path));
    if (!last) continue;
    const then = numericFigures(last.figures).get(path)!;
    out[path] = { now: n, [last.release]: then, ratio: then === 0 ? null : Math.round((n / then) * 100) / 100 };
  }
  return out;
}

/**
 * Issue #15's throughput goals on the 2-core machine: the figure each is read from, the target, and — for a goal
 * not met — why, with the figures of the same run that show it (`evidence`: figure paths) and what would reach it.
 */
export const GOALS: readonly { goal: string; figure: string; atLeast: number; ifUnmet: { why: string; evidence: readonly string[]; wouldReachIt: string } }[] = [
  {
    goal: 'reference adapter, cases/s per worker (default mix, after warm-up)',
    figure: 'fuzz.casesPerSecOneWorker',
    atLeast: 10_000,
    ifUnmet: {
      why: '10 000 cases/s is 100 µs per case; every case renders its policies, builds a whole simulation and walks every packet through both nodes, and the slowest properties (trace-equals-model, the nemesis) take most of the mix\'s time: see the profile and the per-property rates',
      evidence: ['fuzz.casesPerSecByProperty', 'fuzz.profile.selfPctByFunction', 'fuzz.profile.selfPctByFile'],
      wouldReachIt: 'a model that allocates less (garbage collection is the largest single cost), fewer fast-check draws per case (a grouped case still draws a whole cluster whose topology the chunk\'s then replaces), and the built topology and configuration kept across the cases of a topology with only the state reset: together some 2×, not 5×; the rest needs a model that does not walk every packet through every graph node as objects',
    },
  },
  {
    goal: 'podflow fuzz --workers 2 over one worker (cases in the same budget)',
    figure: 'startup.casesTwoWorkersOverOne',
    atLeast: 1.8,
    ifUnmet: {
      why: 'one worker already keeps more than one core busy (V8\'s garbage collector and compiler run on threads of their own), so two workers on 2 cores can add at most 2 ÷ that: see coresUsed of the one-worker run',
      evidence: ['startup.fuzzOneWorker.coresUsed', 'startup.fuzzTwoWorkers.coresUsed', 'startup.fuzzOneWorker.casesPerCpuSec', 'startup.fuzzTwoWorkers.casesPerCpuSec'],
      wouldReachIt: 'less garbage per case (so a worker needs one core), or more cores: the chunks are shared out evenly, so the ratio follows the cores',
    },
  },
  {
    goal: '2-node VPP lab, cases/s as podflow fuzz drives it',
    figure: 'vpp.fuzz.casesPerSec',
    atLeast: 200,
    ifUnmet: {
      why: 'each case costs the lab\'s VPPs and podflow tens of ms of CPU on 2 shared cores, and ~90 CLI commands (resets of the NAT and ACL sessions before every connection, capture and trace arming, `show interface` until the counters settle): see the CPU and CLI figures per case',
      evidence: ['vpp.fuzz.vppCpuMsPerCase', 'vpp.fuzz.podflowCpuMsPerCase', 'vpp.fuzz.cliCommandsPerCase', 'vpp.fuzz.cliAwaitMsPerCase'],
      wouldReachIt: 'a case\'s connections in one capture window (one arm, one collect, one reset per case instead of per connection), interface counters from the stats segment instead of `show interface`, and one lab per worker on a machine with more cores',
    },
  },
  {
    goal: 'kernel adapter, cases/s as podflow fuzz drives it (nemesis apart)',
    figure: 'kernel.fuzzCasesPerSec.overallWithoutNemesis.casesPerSec',
    atLeast: 100,
    ifUnmet: {
      why: 'setting up a topology (namespaces, links, addresses, routes, nft) dominates a case: see the setup figures beside the rate with a topology per case',
      evidence: ['kernel.setupWarmMedianMs', 'kernel.applyMedianMs', 'kernel.fuzzOneTopologyPerCaseCasesPerSec.overallWithoutNemesis.casesPerSec'],
      wouldReachIt: 'more cases per topology (--cases-per-topology), or a case\'s connections injected in one batch',
    },
  },
];

/** Each goal whose figure this run measured: the figure, the target, whether it is met and, if not, why (with this run's evidence). */
export function goalsOf(figures: BenchResult): BenchResult {
  const all = numericFigures(figures);
  const out: BenchResult = {};
  for (const g of GOALS) {
    const n = all.get(g.figure);
    if (n === undefined) continue;
    const met = n >= g.atLeast;
    out[g.goal] = { figure: g.figure, measured: n, atLeast: g.atLeast, met };
    if (!met) {
      const evidence: BenchResult = {};
      for (const path of g.ifUnmet.evidence) {
        const v = figureAt(figures, path);
        if (v !== undefined) evidence[path] = v;
      }
      Object.assign(out[g.goal] as BenchResult, { why: g.ifUnmet.why, evidence, wouldReachIt: g.ifUnmet.wouldReachIt });
    }
  }
  return out;
}

/** The value at a dotted path of the figures (a number or a whole object, e.g. a profile), undefined when absent. */
function figureAt(figures: BenchResult, path: string): BenchResult[string] | undefined {
  let v: unknown = figures;
  for (const k of path.split('.')) {
    if (typeof v !== 'object' || v === null || !Object.hasOwn(v, k)) return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v as BenchResult[string];
}

function commitOf(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

/** A 2-node lab from PODFLOW_VPP_BIN for the vpp suite, when no lab is given; stopped by the returned function. */
async function benchLab(): Promise<(() => void) | undefined> {
  if (process.env.PODFLOW_VPP_LAB || !process.env.PODFLOW_VPP_BIN) return undefined;
  const parent = mkdtempSync(join(tmpdir(), 'pf-bench-vpp-'));
  process.stderr.write('bench: starting a 2-node VPP lab for the vpp suite\n');
  const { lab } = await labUp({ vpp: process.env.PODFLOW_VPP_BIN, nodes: 2, runDir: join(parent, 'lab'), tag: `b${process.pid % 100000}` });
  process.env.PODFLOW_VPP_LAB = join(lab.runDir!, 'lab.yaml');
  let stopped = false;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    try {
      labDown(readLabFile(join(lab.runDir!, 'lab.yaml')));
    } finally {
      rmSync(parent, { recursive: true, force: true });
      delete process.env.PODFLOW_VPP_LAB;
    }
  };
  for (const sig of ['SIGINT', 'SIGTERM'] as const)
    process.once(sig, () => {
      stop();
      process.exit(130);
    });
  return stop;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { only: { type: 'string' }, frames: { type: 'string', default: '100000' }, record: { type: 'string' } } });
  const only = values.only ? values.only.split(',') : Object.keys(SUITES);
  const unknown = only.filter((s) => !(s in SUITES));
  if (unknown.length > 0) {
    process.stderr.write(`bench: unknown suite(s) ${unknown.join(', ')}; known: ${Object.keys(SUITES).join(', ')}\n`);
    process.exit(2);
  }
  const frames = Number(values.frames);
  if (!Number.isInteger(frames) || frames <= 0) {
    process.stderr.write(`bench: --frames must be a positive integer, got '${values.frames}'\n`);
    process.exit(2);
  }
  if (values.record !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/.test(values.record)) {
    process.stderr.write(`bench: --record: a release name of letters, digits, '.', '_' or '-' (e.g. 0.2.0), got '${values.record}'\n`);
    process.exit(2);
  }
  let history: HistoryEntry[];
  try {
    history = readHistory(HISTORY);
  } catch (e) {
    process.stderr.write(`bench: ${(e as Error).message}\n`);
    process.exit(2);
  }
  const out: BenchResult = { node: process.version, cpu: (await import('node:os')).cpus()[0]?.model ?? 'unknown', cores: (await import('node:os')).cpus().length };
  const figures: BenchResult = {};
  // The lab only for the vpp suite, started right before it: its idle VPPs would take CPU from the other suites.
  let stopLab: (() => void) | undefined;
  try {
    for (const name of only) {
      if (name === 'vpp') stopLab = await benchLab();
      process.stderr.write(`bench: ${name}...\n`);
      figures[name] = await SUITES[name]!({ frames });
    }
  } finally {
    stopLab?.();
  }
  Object.assign(out, figures);
  out.goals = goalsOf(figures);
  out.versusHistory = versusHistory(figures, history);
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  if (values.record !== undefined) {
    const entry: HistoryEntry = { release: values.record, date: new Date().toISOString(), ...(commitOf() ? { commit: commitOf()! } : {}), node: String(out.node), cpu: String(out.cpu), figures };
    const before = existsSync(HISTORY) ? readFileSync(HISTORY, 'utf8') : '';
    writeFileAtomic(HISTORY, `${before}${before === '' || before.endsWith('\n') ? '' : '\n'}${JSON.stringify(entry)}\n`);
    process.stderr.write(`bench: recorded as ${values.record} in ${HISTORY}\n`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
