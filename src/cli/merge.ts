// `podflow merge DIR…`: the run folders of shards (run on many machines, `--shard K/N`) as one run. Properties
// are united (a property run by several folders: runs and times summed, invalid if any says invalid, else unknown
// if any says unknown), counterexamples concatenated with their files, and the merged folder written like a
// fuzz run's (reports/merged-<hash of the input run IDs>, reports/latest updated). Exit codes as fuzz
// (exit-codes.ts): 0 all valid, 1 invalid, 2 usage or input error, 3 inconclusive (also: shards missing).
import type { Command } from 'commander';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { fieldPath } from '../reference/scenario.ts';
import { decodePcap, type PcapRecord } from '../packet/pcap.ts';
import { PROPERTIES } from '../properties/index.ts';
import { readJsonFile, readTextFile, UsageError } from './io.ts';
import { parseCounterexampleData, pcapName, writeRunReport, type CounterexampleFiles } from './report/write.ts';
import { EXIT_INCONCLUSIVE, EXIT_INVALID, EXIT_OK } from './exit-codes.ts';
import { overallVerdict, type Counterexample, type PropertyResult, type PropertyVerdict, type RunInfo, type RunResult } from './results.ts';

export interface LoadedRun {
  dir: string;
  result: RunResult;
  files: CounterexampleFiles[];
}

/** A counterexample ID names a folder under counterexamples/: a plain file name, never a path. */
const CounterexampleId = z.string().regex(/^(?!\.\.?$)[A-Za-z0-9._-]{1,128}$/, 'expected a counterexample ID (letters, digits, . _ -)');
const Count = z.number().finite().min(0);
/** A name the summary prints (property ID, run ID, adapter): one line of printable text. */
const Name = z.string().min(1).max(1000).refine((t) => !/[\p{C}\u2028\u2029]/u.test(t), 'expected printable text (no control characters)');
const Strings = z.array(z.string());
/** Counts by name (coverage, known divergences); a `__proto__` key is refused before (checkResults). */
const Counts = z.record(z.string(), Count);

/** A claim as a check stated it (properties/types.ts): facts as text, the packet a number. */
const ClaimSchema = z.looseObject({
  code: z.string().min(1),
  message: z.string(),
  connection: z.string().optional(),
  protocol: z.string().optional(),
  exchange: z.enum(['request', 'reply']).optional(),
  packet: z.number().int().min(0).optional(),
  point: z.string().optional(),
  layer: z.string().optional(),
  field: z.string().optional(),
  expected: z.string().optional(),
  received: z.string().optional(),
  probe: z.string().optional(),
  context: z.string().optional(),
});

const CounterexampleSchema = z.looseObject({
  id: CounterexampleId,
  claims: z.array(ClaimSchema).default([]),
  excused: z.array(z.object({ divergence: z.string(), claim: ClaimSchema })).optional(),
  property: Name,
  adapter: Name,
  seed: z.number().finite(),
  path: z.string(),
  details: z.string(),
  expected: z.string().optional(),
  received: z.string().optional(),
  packet: z.number().int().min(0).optional(),
  seedSteps: Strings.default([]),
  case: z.unknown(),
  policiesYaml: z.string().optional(),
});

const PropertyResultSchema = z.looseObject({
  id: Name,
  description: z.string().default(''),
  seedSteps: Strings.default([]),
  runs: Count,
  verdict: z.enum(['valid', 'invalid', 'unknown']),
  timeMs: Count,
  unknownReasons: Strings.default([]),
  counterexamples: z.array(CounterexampleSchema),
  coverage: Counts.default({}),
  knownDivergences: Counts.optional(),
  measures: Counts.optional(),
  notApplicable: z.boolean().optional(),
  inProgress: z.literal(true).optional(),
  checked: Count.optional(),
  valid: Count.optional(),
  invalid: Count.optional(),
  unknown: Count.optional(),
  shrinks: Count.optional(),
  unknownByReason: Counts.optional(),
});

const RunInfoSchema = z.looseObject({
  runId: Name,
  seed: z.number().finite(),
  adapter: Name,
  podflowVersion: z.string().optional(),
  nodeVersion: z.string().optional(),
  options: z.looseObject({
    runs: z.number().finite().optional(),
    time: z.string().optional(),
    properties: z.array(Name),
    shard: z.object({ index: z.number().int(), count: z.number().int() }).optional(),
    chunk: z.number().finite().optional(),
    casesPerTopology: z.number().int().min(1).optional(),
  }),
  interrupted: z.boolean().default(false),
  mergedFrom: Strings.optional(),
  coverageScope: z.object({ profile: z.string().max(64).optional(), traces: z.boolean(), divergences: Strings }).optional(),
});


function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A parsed run.json checked field by field; a one-line UsageError naming `file` and the field otherwise. */
export function checkRunInfo(file: string, v: unknown): RunInfo {
  if (!isObject(v)) throw new UsageError(`${file}: not a podflow run.json (expected an object)`);
  const r = RunInfoSchema.safeParse(v);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new UsageError(`${file}: not a podflow run.json (field '${fieldPath(i.path) || '(top level)'}': ${i.message})`);
  }
  return r.data as unknown as RunInfo;
}

/** A parsed results.json checked property by property and field by field; a one-line UsageError otherwise. */
export function checkResults(file: string, v: unknown): PropertyResult[] {
  if (!Array.isArray(v)) throw new UsageError(`${file}: not a podflow results.json (expected a list of property results)`);
  return v.map((p: unknown, i) => {
    const where = `${file}: property ${i + 1}`;
    if (!isObject(p) || typeof p.id !== 'string') throw new UsageError(`${where}: no 'id'`);
    // zod drops a `__proto__` key of a record without a word: refuse it here, by name.
    for (const k of ['coverage', 'knownDivergences', 'unknownByReason', 'measures']) {
      const counts = p[k];
      if (isObject(counts) && Object.hasOwn(counts, '__proto__')) throw new UsageError(`${where} (${p.id}): ${k}.__proto__: not a usable name`);
    }
    // A counterexample's id names its folder here and in the merged run: a plain name, never a path.
    if (Array.isArray(p.counterexamples)) p.counterexamples.forEach((cx: unknown, k) => isObject(cx) && plainName(file, `property ${i + 1} (${p.id}): counterexamples[${k}].id`, cx.id));
    const r = PropertyResultSchema.safeParse(p);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      throw new UsageError(`${where} (${p.id}): ${fieldPath(issue.path) || '(top level)'}: ${issue.message}`);
    }
    if (r.data.verdict === 'invalid' && r.data.counterexamples.length === 0) throw new UsageError(`${where} (${p.id}): invalid without a counterexample`);
    return r.data as unknown as PropertyResult;
  });
}

/** A name read from a report that becomes a folder or file name: nothing that could leave the folder it goes in. */
export const PLAIN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function plainName(file: string, field: string, v: unknown): string {
  if (typeof v !== 'string' || !PLAIN_NAME.test(v) || v.includes('..')) {
    throw new UsageError(`${file}: ${field}: ${JSON.stringify(v)} is not a plain name (letters, digits and . _ - only, no '..'), refusing to use it as a folder name`);
  }
  return v;
}

/** A counterexample's folder read back: scenario, policies, pcaps (keyed by capture point when traces.json names it). */
function loadCounterexampleFiles(dir: string, id: string): CounterexampleFiles {
  const files: CounterexampleFiles = { id };
  const cdir = join(dir, 'counterexamples', id);
  if (!existsSync(cdir)) return files;
  if (existsSync(join(cdir, 'scenario.json'))) files.scenario = readJsonFile(join(cdir, 'scenario.json'));
  if (existsSync(join(cdir, 'policies.yaml'))) files.policiesYaml = readTextFile(join(cdir, 'policies.yaml'));
  if (existsSync(join(cdir, 'traces.json'))) {
    try {
      const data = parseCounterexampleData(readTextFile(join(cdir, 'traces.json')));
      if (data.topology) files.topology = data.topology;
      files.packets = data.packets;
    } catch (e) {
      throw new UsageError(`${join(cdir, 'traces.json')}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  const pointNames = new Map<string, string>();
  for (const p of files.packets ?? []) for (const s of [p.expected, p.received]) for (const f of s?.frames ?? []) pointNames.set(pcapName(f.point), f.point);
  for (const name of readdirSync(cdir).sort()) {
    const m = /^(expected|received)-(.+)\.pcap$/.exec(name);
    if (!m) continue;
    const decoded = decodePcap(new Uint8Array(readFileSync(join(cdir, name))));
    if (!decoded.ok) throw new UsageError(`${join(cdir, name)}: invalid pcap: ${decoded.error.message}`);
    const side = m[1] as 'expected' | 'received';
    const map = (files[side] ??= new Map<string, PcapRecord[]>());
    map.set(pointNames.get(m[2]!) ?? m[2]!, decoded.records);
  }
  return files;
}

/** Reads a run folder (run.json, results.json and the counterexamples' files); one-line usage errors otherwise. */
export function loadRunFolder(dir: string): LoadedRun {
  if (!existsSync(dir)) throw new UsageError(`${dir}: no such folder`);
  if (!statSync(dir).isDirectory()) throw new UsageError(`${dir}: not a folder`);
  for (const f of ['run.json', 'results.json']) {
    if (!existsSync(join(dir, f))) throw new UsageError(`${dir}: not a podflow run folder (no ${f})`);
  }
  const info = checkRunInfo(join(dir, 'run.json'), readJsonFile(join(dir, 'run.json')));
  const properties = checkResults(join(dir, 'results.json'), readJsonFile(join(dir, 'results.json')));
  const files = properties.flatMap((p) => p.counterexamples.map((cx) => loadCounterexampleFiles(dir, cx.id)));
  return { dir, result: { info, properties }, files };
}

function combine(a: PropertyVerdict, b: PropertyVerdict): PropertyVerdict {
  if (a === 'invalid' || b === 'invalid') return 'invalid';
  if (a === 'unknown' || b === 'unknown') return 'unknown';
  return 'valid';
}

export function mergedRunId(runIds: readonly string[]): string {
  return `merged-${createHash('sha256').update([...runIds].sort().join('\n')).digest('hex').slice(0, 12)}`;
}

function version(): string {
  const pkg = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/** One run from several: properties in catalogue order, then unknown ids in order of appearance. */
export function mergeRuns(runs: readonly LoadedRun[]): { result: RunResult; files: CounterexampleFiles[] } {
  const byId = new Map<string, PropertyResult>();
  for (const run of runs) {
    for (const p of run.result.properties) {
      const m = byId.get(p.id);
      if (!m) {
        byId.set(p.id, { ...p, seedSteps: [...p.seedSteps], unknownReasons: [...p.unknownReasons], counterexamples: [...p.counterexamples], coverage: { ...p.coverage }, ...(p.knownDivergences ? { knownDivergences: { ...p.knownDivergences } } : {}), ...(p.unknownByReason ? { unknownByReason: { ...p.unknownByReason } } : {}), ...(p.measures ? { measures: { ...p.measures } } : {}) });
        continue;
      }
      m.runs += p.runs;
      m.timeMs += p.timeMs;
      m.verdict = combine(m.verdict, p.verdict);
      // the shards' counts add up (the verdicts combine as above: invalid if any, else unknown if any)
      for (const k of ['checked', 'valid', 'invalid', 'unknown', 'shrinks'] as const) if (m[k] !== undefined || p[k] !== undefined) m[k] = (m[k] ?? 0) + (p[k] ?? 0);
      for (const [k, v] of Object.entries(p.unknownByReason ?? {})) {
        m.unknownByReason = m.unknownByReason ?? {};
        m.unknownByReason[k] = (m.unknownByReason[k] ?? 0) + v;
      }
      for (const u of p.unknownReasons) if (!m.unknownReasons.includes(u)) m.unknownReasons.push(u);
      for (const cx of p.counterexamples) if (!m.counterexamples.some((c: Counterexample) => c.id === cx.id)) m.counterexamples.push(cx);
      for (const [k, v] of Object.entries(p.coverage)) m.coverage[k] = (m.coverage[k] ?? 0) + v;
      for (const [k, v] of Object.entries(p.knownDivergences ?? {})) {
        m.knownDivergences = m.knownDivergences ?? {};
        m.knownDivergences[k] = (m.knownDivergences[k] ?? 0) + v;
      }
      for (const [k, v] of Object.entries(p.measures ?? {})) {
        m.measures = m.measures ?? {};
        m.measures[k] = (m.measures[k] ?? 0) + v;
      }
    }
  }
  const order = new Map(PROPERTIES.map((p, i) => [p.id, i]));
  const seen = [...byId.keys()];
  const rank = (id: string): number => order.get(id) ?? PROPERTIES.length + seen.indexOf(id);
  const properties = [...byId.values()].sort((a, b) => rank(a.id) - rank(b.id));
  const infos = runs.map((r) => r.result.info);
  const first = infos[0]!;
  const same = <T>(f: (i: RunInfo) => T): T | undefined => (infos.every((i) => f(i) === f(first)) ? f(first) : undefined);
  const adapters = [...new Set(infos.map((i) => i.adapter))];
  const runsOpt = same((i) => i.options.runs);
  const timeOpt = same((i) => i.options.time);
  const perTopology = same((i) => i.options.casesPerTopology);
  const info: RunInfo = {
    runId: mergedRunId(infos.map((i) => i.runId)),
    seed: first.seed,
    adapter: adapters.join(', '),
    podflowVersion: version(),
    nodeVersion: process.version,
    options: { ...(runsOpt !== undefined ? { runs: runsOpt } : {}), ...(timeOpt !== undefined ? { time: timeOpt } : {}), properties: properties.map((p) => p.id), chunk: first.options.chunk, ...(perTopology !== undefined ? { casesPerTopology: perTopology } : {}) },
    interrupted: infos.some((i) => i.interrupted),
    mergedFrom: infos.map((i) => i.runId),
  };
  // Shards of one run: all of 1..N must be there, or the merged run says which are missing (and is inconclusive).
  const shards = infos.map((i) => i.options.shard).filter((x): x is { index: number; count: number } => x !== undefined);
  if (shards.length > 0) {
    const count = Math.max(...shards.map((x) => x.count));
    const missing = Array.from({ length: count }, (_, k) => k + 1).filter((k) => !shards.some((x) => x.index === k && x.count === count));
    info.options.shard = { index: 0, count };
    if (missing.length > 0 || shards.length < infos.length) info.missingShards = missing;
  }
  const files: CounterexampleFiles[] = [];
  for (const run of runs) for (const f of run.files) if (!files.some((x) => x.id === f.id)) files.push(f);
  return { result: { info, properties }, files };
}

export function runMerge(dirs: readonly string[], o: { out: string }): { code: number; result: RunResult; folder: string } {
  if (dirs.length === 0) throw new UsageError('merge: give at least one run folder');
  const runs: LoadedRun[] = [];
  for (const dir of dirs) {
    const run = loadRunFolder(dir);
    const dup = runs.find((r) => r.result.info.runId === run.result.info.runId);
    if (dup) throw new UsageError(`${dir}: run ${run.result.info.runId} is already given as ${dup.dir}`);
    runs.push(run);
  }
  const { result, files } = mergeRuns(runs);
  const folder = writeRunReport(o.out, result, files);
  const verdict = overallVerdict(result);
  return { code: verdict === 'valid' ? EXIT_OK : verdict === 'invalid' ? EXIT_INVALID : EXIT_INCONCLUSIVE, result, folder };
}

function summary(r: RunResult, folder: string): string {
  const w = Math.max(8, ...r.properties.map((p) => p.id.length));
  const lines = [`${'property'.padEnd(w)}  ${'runs'.padStart(6)}  verdict  time`];
  for (const p of r.properties) lines.push(`${p.id.padEnd(w)}  ${String(p.runs).padStart(6)}  ${p.verdict.padEnd(7)}  ${(p.timeMs / 1000).toFixed(1)} s`);
  if (r.info.missingShards?.length) lines.push('', `missing shards: ${r.info.missingShards.join(', ')} of ${r.info.options.shard?.count ?? '?'} (their properties were not checked)`);
  const v = overallVerdict(r);
  lines.push('', `${v === 'unknown' ? 'inconclusive' : v} — ${r.info.mergedFrom?.length ?? 0} runs merged — report: ${join(folder, 'report.html')}`);
  return `${lines.join('\n')}\n`;
}

export function registerMergeCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('merge')
    .description('combine the report folders of several runs (e.g. shards on many machines) into one report')
    .argument('<dirs...>', 'run folders (reports/<run-id>), each with run.json and results.json')
    .option('-o, --out <dir>', 'reports folder for the merged run', 'reports')
    .action((dirs: string[], opts: { out: string }) => {
      const { code, result, folder } = runMerge(dirs, opts);
      process.stdout.write(summary(result, folder));
      setExit(code);
    });
}
