// `podflow fuzz` and `podflow replay`: run the invariant catalogue against an adapter, shrink failures, write the
// run's report folder as the run goes (each counterexample and its corpus entry the moment it is found, results
// after every property) and finish it even when interrupted or when the adapter fails; replay corpus entries.
// Exit codes (exit-codes.ts): 0 all valid, 1 invalid, 2 usage or input error, 3 inconclusive, 4 internal error.
import { runHistory } from './history.ts';
import { coverageLines, runCoverage } from './coverage.ts';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdirSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import { hostname } from 'node:os';
import { AdapterUnavailable, canPerform, capturesAsPcap, type Adapter, type FaultId } from '../adapters/adapter.ts';
import { ReferenceAdapter, scenarioInput } from '../adapters/reference/reference-adapter.ts';
import { PROFILES, type ProfileName } from '../reference/profiles.ts';
import { NEMESIS_PROPERTY_ID, nemesisProperty } from '../properties/faults-keep-the-invariants.ts';
import { FAULT_IDS, parseFaultList } from '../faults/index.ts';
import { injections, modelAnswer } from '../properties/evidence.ts';
import { toHex } from '../packet/index.ts';
import { policiesToYaml } from '../policy/yaml.ts';
import type { PropertyDef } from '../properties/types.ts';
import { ADAPTER_NAMES, createAdapter, isSharedLab } from './adapters.ts';
import { BUILT_IN_REGISTRY, findConfig, loadConfigFile, registryProperty } from './config.ts';
import { saveCorpusEntry } from './corpus.ts';
import { errorLine, runProperty } from './fuzz-runner.ts';
import type { WorkerJob, WorkerMessage } from './fuzz-worker.ts';
import { mergeShares, shareRuns, workerCount } from './fuzz-workers.ts';
import { UsageError } from './io.ts';
import { registerMergeCommand } from './merge.ts';
import { counterexamplePackets, finishRunFolder, writeCounterexampleFolder, writeRunState, type CounterexampleFiles } from './report/write.ts';
import { DEFAULT_MAX_UNKNOWN, measureShares, overallVerdict, type Counterexample, type PropertyResult, type RunResult } from './results.ts';
import { cleanLeftovers, ensureWritableDir, uniqueRunFolder } from './store.ts';
import { EXIT_CODES_HELP, EXIT_INCONCLUSIVE, EXIT_INVALID, EXIT_OK } from './exit-codes.ts';
import { recordDataPath, runProvenance } from './history.ts';
import { seenFailures, triageRun } from './triage.ts';

const DEFAULT_RUNS = 200;
const CHUNK = 25;
/** how often, at most, a property's cases so far are written while it runs (one worker) */
const STORE_EVERY_MS = 500;

function version(): string {
  const pkg = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/**
 * A fuzz worker thread's code: compiled JavaScript beside this module when podflow runs from dist/, else the
 * sources' entry, which registers tsx in the thread first (worker threads do not inherit tsx's loader).
 */
function workerEntry(): URL {
  return new URL(import.meta.url.endsWith('.ts') ? './fuzz-worker-entry.mjs' : './fuzz-worker.js', import.meta.url);
}

/** `90s`, `10m`, `2h` → milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  if (!m) throw new UsageError(`--time: expected a duration like 90s, 10m or 2h, got '${text}'`);
  const n = Number(m[1]);
  return Math.round(n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h']);
}

export function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count) throw new UsageError(`--shard: expected K/N with 1 <= K <= N, got '${text}'`);
  return { index, count };
}

/** The CLI spec of an adapter from its report name: `reference(vpp-current)` → `reference:vpp-current`, `mutant:x` as is. */
export function adapterSpecOf(name: string): string {
  const m = /^reference\((.*)\)$/.exec(name);
  if (m) return `reference:${m[1]}`;
  return /^(mutant:|kernel(:|$)|vpp(:|$))/.test(name) ? name : 'reference';
}

/** Session settings as the scenario form takes them (defined values only). */
function sessionSettings(s: Record<string, number | undefined> | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(s ?? {})) if (v !== undefined) out[k] = v;
  return out;
}

/** The profile a data path is compared with: its declared one, a reference adapter's own, else 18.01. */
export function comparisonProfile(adapter: Adapter): ProfileName {
  const declared = adapter.capabilities.referenceProfile;
  if (declared) return declared as ProfileName;
  const m = /^reference\((.+)\)$/.exec(adapter.name);
  return (m && m[1]! in PROFILES ? m[1] : 'vpp-18.01-contiv') as ProfileName;
}

/**
 * The files of a counterexample, from the evidence of the check that found it: received pcaps and traces are
 * what the check observed; expected ones are the reference model's answer to exactly the same calls (setup,
 * ACLs, resets, injections) — nothing is run again on the adapter.
 */
export async function counterexampleFiles(cx: Counterexample, adapter: Adapter): Promise<CounterexampleFiles> {
  const files: CounterexampleFiles = { id: cx.id };
  const c = cx.case as { cluster?: { policies?: unknown } } | undefined;
  if (c && typeof c === 'object' && c.cluster && Array.isArray(c.cluster.policies)) files.policiesYaml = policiesToYaml(c.cluster.policies as Parameters<typeof policiesToYaml>[0]);
  const e = cx.evidence;
  if (!e || e.steps.length === 0) return files;
  files.evidence = e;
  const reproduction = adapter.reproduction?.();
  if (reproduction && reproduction.length > 0) files.reproduction = reproduction;
  const model = await modelAnswer(e, new ReferenceAdapter({ profile: comparisonProfile(adapter), ...(adapter.capabilities.drivers ? { drivers: adapter.capabilities.drivers } : {}) }));
  const captures = (ev: typeof e) => capturesAsPcap(injections(ev).filter((x, i, all) => all.findIndex((y) => y.observation === x.observation) === i).flatMap((x) => x.observation.captures));
  files.received = captures(e);
  files.expected = captures(model.evidence);
  const setup = e.steps.find((s) => s.op === 'setup');
  const apply = e.steps.find((s) => s.op === 'apply');
  const applyServices = e.steps.find((s) => s.op === 'apply-services');
  if (setup && setup.op === 'setup') files.topology = setup.topology;
  // A scenario `podflow explain` runs as is: the first configuration and every packet the check sent, in order.
  // (Resets between connections and later ACL or pod changes are in evidence.json, which has every call.)
  const steps = e.steps.filter((st) => st.op !== 'inject');
  const setupStep = setup && setup.op === 'setup' ? setup : undefined;
  if (setupStep) {
    files.scenario = {
      ...scenarioInput(setupStep.topology, apply && apply.op === 'apply' ? apply.acls : undefined, sessionSettings(setupStep.options?.sessions), undefined, {}, applyServices && applyServices.op === 'apply-services' ? applyServices.services : undefined),
      name: `${cx.property} on ${cx.adapter}: counterexample ${cx.id}`,
      description: `${cx.details} — the packets of the case on its first configuration${steps.length > 2 ? ` (the check also made ${steps.length - 2} more configuration or reset calls: see evidence.json)` : ''}.`,
      profile: comparisonProfile(adapter),
      packets: injections(e).map(({ injection: i }) => ({ at: i.at, from: i.from, hex: toHex(i.frame) })),
    };
  }
  files.packets = counterexamplePackets(e, model.evidence, cx.claims, files.topology);
  return files;
}

export interface FuzzOptions {
  adapter: string;
  property?: string[];
  runs?: string;
  time?: string;
  /** absent: a fresh random seed, printed and recorded */
  seed?: string;
  shard?: string;
  out: string;
  corpus: string | false;
  workers?: string;
  maxUnknown?: string;
  /** false (`--no-steer`): plain fast-check generation, no bias toward unhit coverage */
  steer?: boolean;
  /** `all` or `id,id,…`: run the nemesis property drawing only these faults (README, Faults) */
  nemesis?: string;
  /** cases per topology (default CHUNK; 1: every case its own topology), cli/grouping.ts */
  casesPerTopology?: string;
  /** a podflow config adding properties, adapters and mutants (default: podflow.config.ts here, if any), cli/config.ts */
  config?: string;
}

/** `10%`, `0.1`, `0` → a share in [0, 1]. */
export function parseShare(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(text.trim());
  const v = m ? Number(m[1]) / (m[2] ? 100 : 1) : NaN;
  if (!m || !(v >= 0 && v <= 1)) throw new UsageError(`--max-unknown: expected a share like 10% or 0.1 (0 to 100 %), got '${text}'`);
  return v;
}

function runStamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

export interface FuzzOutcome {
  code: number;
  result: RunResult;
  folder: string;
}

/**
 * Runs the fuzz loop. `make` makes the adapter (default: createAdapter over the registry, the built-in adapters and
 * the config's); the config (o.config, else podflow.config.* in the current directory) adds properties, adapters and
 * mutants, and fuzz workers load the same file.
 */
export async function runFuzz(o: FuzzOptions, log: (line: string) => void = (l) => process.stderr.write(`${l}\n`), make?: (spec: string) => Adapter): Promise<FuzzOutcome> {
  // Without a config nothing is awaited here: a run installs its signal handlers in the turn it was called in.
  const found = findConfig(o.config);
  const registry = found ? await loadConfigFile(found) : BUILT_IN_REGISTRY;
  const makeAdapter = make ?? ((spec: string): Adapter => createAdapter(spec, registry));
  if (o.runs !== undefined && o.time !== undefined) throw new UsageError('--runs and --time exclude each other');
  const runs = o.runs !== undefined ? Number(o.runs) : o.time !== undefined ? Number.MAX_SAFE_INTEGER : DEFAULT_RUNS;
  if (!Number.isInteger(runs) || runs < 1) throw new UsageError(`--runs: expected a positive integer, got '${o.runs}'`);
  // A fresh seed per run unless pinned: every night explores new cases, and the seed printed replays them.
  const seed = o.seed === undefined ? randomInt(0, 0x7fffffff) : Number(o.seed);
  if (!/^\d+$/.test(String(o.seed ?? seed)) || !Number.isInteger(seed) || seed < 0 || seed > 0x7fffffff) throw new UsageError(`--seed: expected an integer 0..2147483647, got '${o.seed}'`);
  const maxUnknown = o.maxUnknown === undefined ? DEFAULT_MAX_UNKNOWN : parseShare(o.maxUnknown);
  const steer = o.steer !== false;
  // Cases grouped by topology: a chunk is one topology's cases (cli/grouping.ts); 1 turns grouping off.
  const perTopology = o.casesPerTopology === undefined ? CHUNK : Number(o.casesPerTopology);
  if (!/^\d+$/.test(String(o.casesPerTopology ?? perTopology)) || !Number.isInteger(perTopology) || perTopology < 1 || perTopology > 10_000) throw new UsageError(`--cases-per-topology: expected an integer 1..10000, got '${o.casesPerTopology}'`);
  const grouped = perTopology > 1;
  const chunk = grouped ? perTopology : CHUNK;
  let props: PropertyDef<unknown>[] = registry.properties.map((p) => p.value);
  if (o.property && o.property.length > 0) {
    props = o.property.map((id) => registryProperty(registry, id) ?? (() => { throw new UsageError(`--property: unknown property '${id}' (known: ${registry.properties.map((p) => p.value.id).join(', ')})`); })());
  }
  // --nemesis: the nemesis property (alone, unless --property names others too) with only the faults given.
  let nemesis: FaultId[] | undefined;
  if (o.nemesis !== undefined) {
    try {
      nemesis = parseFaultList(o.nemesis);
    } catch (e) {
      throw new UsageError(`--nemesis: ${(e as Error).message}`);
    }
    if (!o.property || o.property.length === 0) props = [nemesisProperty(nemesis)];
    else if (!props.some((p) => p.id === NEMESIS_PROPERTY_ID)) throw new UsageError(`--nemesis: --property does not name ${NEMESIS_PROPERTY_ID}, the property that draws faults`);
    else props = props.map((p) => (p.id === NEMESIS_PROPERTY_ID ? nemesisProperty(nemesis!) : p));
  }
  const shard = o.shard !== undefined ? parseShard(o.shard) : undefined;
  // Shards take properties round-robin: deterministic, disjoint, and together the whole catalogue.
  if (shard) props = props.filter((_, i) => i % shard.count === shard.index - 1);
  const budget = o.time !== undefined ? parseDuration(o.time) : undefined;
  const workers = o.workers === undefined ? 1 : Number(o.workers);
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) throw new UsageError(`--workers: expected an integer 1..64, got '${o.workers}'`);
  if (workers > 1 && isSharedLab(o.adapter)) throw new UsageError(`--workers ${workers}: adapter ${o.adapter} drives one lab, which workers would share; use one worker (or --shard across labs)`);
  // Where results go must be writable before anything runs (not found out after an hour of fuzzing).
  ensureWritableDir(o.out, '--out');
  if (o.corpus !== false) ensureWritableDir(o.corpus, '--corpus');
  for (const line of [...cleanLeftovers(o.out), ...(o.corpus !== false ? cleanLeftovers(o.corpus) : [])]) log(`podflow: ${line}`);
  const adapter = makeAdapter(o.adapter);
  // Without --nemesis the nemesis property draws the faults this adapter performs (all of them on the model), so a
  // plain catalogue run on a lab is not made inconclusive by faults it cannot do; --nemesis all asks for every one.
  if (nemesis === undefined && props.some((p) => p.id === NEMESIS_PROPERTY_ID)) {
    const can = FAULT_IDS.filter((id) => canPerform(adapter, id));
    if (can.length > 0 && can.length < FAULT_IDS.length) {
      nemesis = can;
      props = props.map((p) => (p.id === NEMESIS_PROPERTY_ID ? nemesisProperty(can) : p));
    }
  }

  const started = new Date();
  // Sortable by start time, then adapter and seed: `ls reports` is the history.
  const base = `${runStamp(started)}-${o.adapter.replace(/[^A-Za-z0-9.-]+/g, '-')}-seed${seed}${shard ? `-shard${shard.index}of${shard.count}` : ''}`;
  const runId = uniqueRunFolder(o.out, base);
  const folder = join(o.out, runId);
  mkdirSync(folder);
  const result: RunResult = {
    info: {
      runId,
      seed,
      adapter: adapter.name,
      adapterSpec: o.adapter,
      podflowVersion: version(),
      nodeVersion: process.version,
      ...runProvenance(),
      options: { ...(o.runs !== undefined || o.time === undefined ? { runs } : {}), ...(o.time !== undefined ? { time: o.time } : {}), properties: props.map((p) => p.id), ...(shard ? { shard } : {}), chunk, casesPerTopology: perTopology, ...(nemesis ? { nemesis } : {}) },
      interrupted: false,
      status: 'running',
      startedAt: started.toISOString(),
      pid: process.pid,
      host: hostname(),
      maxUnknown,
      ...(steer ? {} : { steer: false }),
      coverageScope: {
        profile: adapter.capabilities.referenceProfile ?? /^reference:(.+)$/.exec(o.adapter)?.[1] ?? 'vpp-18.01-contiv',
        traces: adapter.capabilities.traces,
        divergences: (adapter.capabilities.knownDivergences ?? []).map((d) => d.id),
      },
    },
    properties: [],
  };
  writeRunState(folder, result);
  log(`podflow: run ${runId} — adapter ${adapter.name}, seed ${seed}${o.seed === undefined ? ' (fresh; pin it with --seed to explore the same cases again)' : ''}, report ${folder}`);
  const seen = seenFailures(o.out, o.corpus, runId); // triage: the failures earlier runs and the corpus have seen

  let interrupted = false;
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    interrupted = true;
    if (++signals > 1) return; // a second signal changes nothing: the report is being written
    // the message goes on a line of its own, not over the progress bar
    if (barLive) {
      barLive = false;
      bar?.stop();
    }
    log(`podflow: ${sig === 'SIGINT' ? 'interrupted' : `${sig} received`} — finishing the current chunk and writing what was found so far`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const byId = new Map<string, PropertyResult>();
  const files: CounterexampleFiles[] = [];
  const store = (): void => {
    result.properties = props.flatMap((p) => (byId.has(p.id) ? [byId.get(p.id)!] : []));
    writeRunState(folder, result);
  };
  // Each shrunk counterexample is saved the moment it is found: its report folder and its corpus entry.
  // The replay command that works as printed: the id when the entry is in the default corpus (also found in
  // reports/), else the folder that holds it.
  // When the corpus keeps a smaller case of the same failure instead (triage), the report's own folder replays it.
  const replayCommand = (id: string, inCorpus: boolean): string =>
    !inCorpus ? `npx podflow replay ${join(folder, 'counterexamples', id)}` : o.corpus === 'corpus' ? `npx podflow replay ${id}` : `npx podflow replay ${join(o.corpus as string, id)}`;
  const saveCounterexample = async (cx: Counterexample): Promise<void> => {
    let f: CounterexampleFiles;
    try {
      f = await counterexampleFiles(cx, adapter);
    } catch (e) {
      f = { id: cx.id, ...(cx.evidence ? { evidence: cx.evidence } : {}) };
      log(`podflow: ${cx.id}: the model could not answer the evidence's calls (${errorLine(e)}); saved without expected pcaps`);
    }
    files.push(f);
    writeCounterexampleFolder(folder, f, cx);
    const kept = o.corpus !== false ? saveCorpusEntry(o.corpus, cx, f) : undefined;
    cx.replay = replayCommand(cx.id, kept !== undefined && basename(kept) === cx.id);
  };

  const tty = process.stderr.isTTY === true;
  const bar = tty ? new cliProgress.SingleBar({ format: 'podflow {bar} {value}/{total} properties | {prop} {runs} cases | {rate} cases/s | {left} | failures {failures}', stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic) : undefined;
  let barLive = false;
  let totalRuns = 0;
  // cases of properties finished, plus the one in progress: the rate counts from the first chunk, not per property
  let inProgress = 0;
  const rate = (): number => Math.round((totalRuns + inProgress) / Math.max(0.001, (Date.now() - started.getTime()) / 1000));
  let failures = 0;
  const endsAt = budget !== undefined ? started.getTime() + budget : undefined;
  const planned = runs === Number.MAX_SAFE_INTEGER ? undefined : runs * props.length;
  const left = (): string => {
    const secs = (ms: number): string => (ms >= 3_600_000 ? `${Math.floor(ms / 3_600_000)}h${String(Math.round((ms % 3_600_000) / 60_000)).padStart(2, '0')}m` : ms >= 60_000 ? `${Math.floor(ms / 60_000)}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}s` : `${Math.round(ms / 1000)}s`);
    if (endsAt !== undefined) return `${secs(Math.max(0, endsAt - Date.now()))} left`;
    const r = rate();
    return planned !== undefined && r > 0 ? `ETA ${secs(((planned - totalRuns - inProgress) / r) * 1000)}` : 'ETA —';
  };
  const show = (value: number, prop: string, n: number): void => {
    if (barLive) bar?.update(value, { prop, runs: n, failures, rate: rate(), left: left() });
  };
  try {
    try {
      await adapter.preflight?.();
    } catch (e) {
      if (!(e instanceof AdapterUnavailable)) throw e;
      result.info.unavailable = errorLine(e);
      log(`podflow: adapter ${o.adapter} is not available: ${result.info.unavailable}`);
    }
    await recordDataPath(adapter, result.info);
    const deadline = budget !== undefined ? Date.now() + budget : undefined;
    const perPropertyDeadline = (i: number): number | undefined => (deadline === undefined ? undefined : Date.now() + (deadline - Date.now()) / (props.length - i));
    if (bar && !interrupted) {
      bar.start(props.length, 0, { prop: '', runs: 0, failures: 0, rate: 0, left: left() });
      barLive = true;
    }
    if (result.info.unavailable !== undefined) {
      // nothing runs: every property is reported unknown below
    } else if (workers === 1) {
      let storedAt = -Infinity;
      for (const [i, p] of props.entries()) {
        if (interrupted) break;
        const pd = perPropertyDeadline(i);
        let r: PropertyResult;
        let first = true;
        try {
          r = await runProperty(p, adapter, { seed, runs, chunk, groupByTopology: grouped, maxUnknown, steer, ...(pd !== undefined ? { deadline: pd } : {}), interrupted: () => interrupted, onChunk: (n, sofar) => {
              inProgress = n;
              show(i, p.id, n);
              // What is known goes to disk: a run killed mid-property keeps its counts and coverage — at once after
              // a property's first chunk, then at most every STORE_EVERY_MS (writing results.json after every chunk
              // of 25 cases cost about a tenth of a run's CPU on the reference adapter).
              byId.set(p.id, sofar);
              const now = performance.now();
              if (first || now - storedAt >= STORE_EVERY_MS) {
                store();
                storedAt = now;
              }
              first = false;
            }, onCounterexample: saveCounterexample });
        } catch (e) {
          // The adapter or the runner failed outside any check (setup of a worker, teardown): the property is unknown.
          r = { id: p.id, description: p.description, seedSteps: p.seedSteps, runs: 0, checked: 0, valid: 0, invalid: 0, unknown: 0, verdict: 'unknown', timeMs: 0, unknownReasons: [`the run failed: ${errorLine(e)}`], counterexamples: [], coverage: {} };
        }
        totalRuns += r.runs;
        inProgress = 0;
        if (r.verdict === 'invalid') failures++;
        byId.set(p.id, r);
        store();
        show(i + 1, p.id, r.runs);
      }
    } else {
      // Every worker runs every property on its share of the chunks (fuzz-workers.ts); each has its own adapter.
      // A property is reported when every share is in, in catalogue order in the report.
      const n = workerCount(workers, runs, chunk);
      const shares = new Map<string, (PropertyResult | undefined)[]>(props.map((p) => [p.id, Array.from({ length: n }, () => undefined)]));
      const failed: (string | undefined)[] = Array.from({ length: n }, () => undefined);
      const current = Array.from({ length: n }, () => 0); // cases of the property each worker is on
      const starts: { readyMs?: number; firstChunkMs?: number }[] = Array.from({ length: n }, () => ({}));
      result.info.workers = starts;
      let finished = 0;
      await Promise.all(
        Array.from(
          { length: n },
          (_, index) =>
            new Promise<void>((resolve) => {
              const share = { index, count: n };
              const job: WorkerJob = { adapter: o.adapter, properties: props.map((p) => p.id), seed, runs: shareRuns(runs, chunk, share), chunk, groupByTopology: grouped, share, maxUnknown, steer, ...(deadline !== undefined ? { deadline } : {}), ...(nemesis ? { nemesis } : {}), ...(registry.configPath !== undefined ? { config: registry.configPath } : {}) };
              const spawned = performance.now();
              const w = new Worker(workerEntry(), { workerData: job });
              const onInt = (): void => w.postMessage('interrupt');
              process.on('SIGINT', onInt);
              process.on('SIGTERM', onInt);
              let pending = Promise.resolve();
              w.on('message', (m: WorkerMessage) => {
                if (m.kind === 'ready') starts[index]!.readyMs = Math.round(performance.now() - spawned);
                if (m.kind === 'progress') {
                  starts[index]!.firstChunkMs ??= Math.round(performance.now() - spawned);
                  current[index] = m.runs;
                  inProgress = current.reduce((a, b) => a + b, 0);
                  show(finished, m.id, m.runs);
                }
                if (m.kind === 'counterexample') pending = pending.then(() => saveCounterexample(m.counterexample));
                if (m.kind === 'result') {
                  const res = m.result;
                  pending = pending.then(() => {
                    totalRuns += res.runs;
                    current[index] = 0;
                    inProgress = current.reduce((a, b) => a + b, 0);
                    const parts = shares.get(res.id)!;
                    parts[index] = res;
                    if (parts.some((x) => x === undefined)) return;
                    const merged = mergeShares(parts as PropertyResult[], maxUnknown);
                    byId.set(res.id, merged);
                    if (merged.verdict === 'invalid') failures++;
                    store();
                    show(++finished, res.id, merged.runs);
                  });
                }
              });
              const done = (why?: string): void => {
                process.removeListener('SIGINT', onInt);
                process.removeListener('SIGTERM', onInt);
                failed[index] ??= why;
                void pending.then(resolve);
              };
              w.on('error', (e) => done(`worker ${index + 1} of ${n} failed: ${errorLine(e)}`));
              w.on('exit', () => done(interrupted ? undefined : `worker ${index + 1} of ${n} ended before this property`));
            }),
        ),
      );
      // Properties some worker never reported (interrupted, or a worker failed): what the others checked, with
      // why the rest is missing; an interrupted share is simply not run, as with one worker.
      for (const p of props) {
        if (byId.has(p.id)) continue;
        const parts = shares.get(p.id)!;
        const present = parts.filter((x): x is PropertyResult => x !== undefined);
        const missing = parts.flatMap((x, i) => (x === undefined && failed[i] !== undefined ? [failed[i]!] : []));
        if (present.length > 0) byId.set(p.id, mergeShares(present, maxUnknown, missing));
        else if (missing.length > 0) byId.set(p.id, { id: p.id, description: p.description, seedSteps: p.seedSteps, runs: 0, checked: 0, valid: 0, invalid: 0, unknown: 0, verdict: 'unknown', timeMs: 0, unknownReasons: [...new Set(missing)], counterexamples: [], coverage: {} });
        if (byId.get(p.id)?.verdict === 'invalid') failures++;
      }
    }
  } finally {
    if (barLive) bar?.stop();
    barLive = false;
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    try {
      await adapter.teardown();
    } catch (e) {
      log(`podflow: adapter teardown failed: ${errorLine(e)}`);
    }
    // Properties that never ran (interrupted, adapter unavailable) are unknown, with the reason.
    for (const p of props) {
      if (byId.has(p.id)) continue;
      const why = result.info.unavailable !== undefined ? `adapter unavailable: ${result.info.unavailable}` : interrupted ? 'interrupted before this property ran' : 'not run (the run ended early)';
      byId.set(p.id, { id: p.id, description: p.description, seedSteps: p.seedSteps, runs: 0, checked: 0, valid: 0, invalid: 0, unknown: 0, verdict: 'unknown', timeMs: 0, unknownReasons: [why], counterexamples: [], coverage: {} });
    }
    result.properties = props.map((p) => byId.get(p.id)!);
    result.info.interrupted = interrupted;
    result.info.status = interrupted ? 'interrupted' : 'finished';
    result.info.endedAt = new Date().toISOString();
    result.info.durationMs = Date.parse(result.info.endedAt) - started.getTime();
    try {
      triageRun(result, files, seen);
    } catch (e) {
      // triage only annotates: a failure there must not cost the report
      log(`podflow: triage failed (${errorLine(e)}); the report is written without new/known marks`);
    }
    finishRunFolder(o.out, folder, result, files);
    try {
      // The history page of the reports folder follows every run (podflow history writes the same page).
      runHistory(o.out, () => {});
    } catch (e) {
      log(`podflow: the history page was not updated (${errorLine(e)}); podflow history ${o.out} writes it`);
    }
  }
  const verdict = overallVerdict(result);
  return { code: verdict === 'valid' ? EXIT_OK : verdict === 'invalid' ? EXIT_INVALID : EXIT_INCONCLUSIVE, result, folder };
}

function summaryTable(r: RunResult, folder: string): string {
  const w = Math.max(8, ...r.properties.map((p) => p.id.length));
  const lines = [`${'property'.padEnd(w)}  ${'cases'.padStart(6)}  ${'checked'.padStart(7)}  ${'unknown'.padStart(7)}  verdict  time`];
  for (const p of r.properties) {
    const known = Object.entries(p.knownDivergences ?? {}).map(([id, n]) => `${id}×${n}`);
    const notes: string[] = [];
    if (p.notApplicable) notes.push(`n/a: ${p.unknownReasons.join('; ')}`);
    else if (p.verdict === 'unknown' || (p.unknown ?? 0) > 0) notes.push(`unknown: ${p.unknownReasons.map((u) => (p.unknownByReason?.[u] !== undefined ? `${u} ×${p.unknownByReason[u]}` : u)).join('; ')}`);
    if (known.length > 0) notes.push(`known divergences: ${known.join(', ')}`);
    if (p.measures) notes.push(...measureShares(p.measures));
    lines.push(`${p.id.padEnd(w)}  ${String(p.runs).padStart(6)}  ${String(p.checked ?? 0).padStart(7)}  ${String(p.unknown ?? 0).padStart(7)}  ${p.verdict.padEnd(7)}  ${(p.timeMs / 1000).toFixed(1)} s${notes.length ? `  (${notes.join('; ')})` : ''}`);
  }
  // Failures new to this reports folder and corpus first, then known ones (with the run that first had them).
  const cxs = r.properties.flatMap((p) => p.counterexamples.map((cx) => ({ p, cx })));
  const rank = (t: Counterexample['triage']): number => (t?.status === 'new' ? 0 : t?.status === 'known' ? 1 : 2);
  cxs.sort((a, b) => rank(a.cx.triage) - rank(b.cx.triage));
  for (const { p, cx } of cxs) {
    const t = cx.triage;
    const mark = t?.status === 'new' ? '[new] ' : t?.status === 'known' ? `[known${t.firstSeenRun !== undefined ? ` since ${t.firstSeenRun}` : t.corpusEntry !== undefined ? `, corpus ${t.corpusEntry}` : ''}] ` : '';
    lines.push('', `${mark}${p.id}: ${cx.details}`, `  replay: ${cx.replay ?? `npx podflow replay ${cx.id}`}   (run seed ${r.info.seed}; fast-check seed ${cx.seed}, path ${cx.path})`);
  }
  const cov = coverageLines(runCoverage(r).summary);
  if (cov.length > 0) lines.push('', ...cov.map((l) => `coverage: ${l}`));
  const v = overallVerdict(r);
  if (r.info.unavailable !== undefined) lines.push('', `adapter unavailable: ${r.info.unavailable}`);
  lines.push('', `${v === 'unknown' ? 'inconclusive' : v}${r.info.interrupted ? ' (interrupted)' : ''} — report: ${join(folder, 'report.html')}, history: ${join(dirname(folder), 'index.html')}`);
  return `${lines.join('\n')}\n`;
}

export function registerFuzzCommands(program: Command, setExit: (code: number) => void): void {
  program
    .command('fuzz')
    .description('check the invariant catalogue against an adapter with generated topologies, policies and packets')
    .option('-a, --adapter <name>', `adapter under test (${ADAPTER_NAMES.join(' | ')})`, 'reference')
    .option('-p, --property <id...>', 'only these properties (default: the whole catalogue)')
    .option('-n, --runs <N>', `cases per property (default ${DEFAULT_RUNS})`)
    .option('-t, --time <duration>', 'time budget for the whole run, e.g. 90s, 10m (instead of --runs)')
    .option('-s, --seed <S>', 'run seed (default: a fresh random one, printed); every case is reproducible from it')
    .option('--shard <K/N>', 'run the K-th of N deterministic shards of the catalogue (for CI jobs or Indexed Jobs)')
    .option('-o, --out <dir>', 'reports folder', 'reports')
    .option('--corpus <dir>', 'corpus folder for shrunk counterexamples', 'corpus')
    .option('--no-corpus', 'do not add counterexamples to the corpus')
    .option('-w, --workers <N>', 'parallel worker threads on this machine (default 1)')
    .option('--cases-per-topology <N>', `cases run on each generated topology before the next (default ${CHUNK}; 1: every case its own)`)
    .option('--no-steer', 'plain fast-check generation: no bias toward coverage still unhit (see README, coverage)')
    .option('--nemesis <faults>', `run the nemesis property (${NEMESIS_PROPERTY_ID}) with only these faults: all or id,id,… (podflow list faults)`)
    .option('-c, --config <file>', 'a podflow config adding properties, adapters and mutants (default: podflow.config.ts in the current directory, if any)')
    .option('--max-unknown <share>', `unknown cases a property tolerates before it is unknown, e.g. 10% or 0 (default ${DEFAULT_MAX_UNKNOWN * 100}%)`)
    .addHelpText('after', `\n${EXIT_CODES_HELP}`)
    .action(async (opts: FuzzOptions) => {
      const { code, result, folder } = await runFuzz(opts);
      process.stdout.write(summaryTable(result, folder));
      setExit(code);
    });

  registerMergeCommand(program, setExit);
}
