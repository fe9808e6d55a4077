// `podflow fuzz` and `podflow replay`: run the invariant catalogue against an adapter, shrink failures, write the
// run's report folder and add each counterexample to the corpus; replay corpus entries. Exit codes (STYLE.md §8):
// 0 all valid, 1 some invalid, 2 only unknowns or a usage error.
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { capturesAsPcap, type Adapter } from '../adapters/adapter.ts';
import { ReferenceAdapter } from '../adapters/reference/reference-adapter.ts';
import type { ProfileName } from '../reference/profiles.ts';
import { PROPERTIES, propertyById } from '../properties/index.ts';
import { runClusterCase, adapterAcls, type ClusterCase } from '../properties/harness.ts';
import { adapterTopology } from '../properties/resolve.ts';
import { policiesToYaml } from '../policy/yaml.ts';
import type { PropertyDef } from '../properties/types.ts';
import { ADAPTER_NAMES, createAdapter, isSharedLab } from './adapters.ts';
import { corpusEntries, loadCorpusEntry, saveCorpusEntry } from './corpus.ts';
import { CHECK_CONTEXT, runProperty } from './fuzz-runner.ts';
import { UsageError } from './io.ts';
import { registerMergeCommand } from './merge.ts';
import { counterexamplePackets, writeRunReport, type CounterexampleFiles } from './report/write.ts';
import { overallVerdict, type PropertyResult, type RunResult } from './results.ts';

const DEFAULT_RUNS = 200;
const CHUNK = 25;

function version(): string {
  const pkg = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
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

function isClusterCase(c: unknown): c is ClusterCase {
  return typeof c === 'object' && c !== null && 'cluster' in c && 'connections' in c;
}

/**
 * Re-runs a counterexample's case on the adapter (received) and on the reference (expected) for its pcaps, and
 * keeps, for the connection that failed (the one that sent `failedPacket` when given, else the first the two
 * handle differently, else all of them), both sides' traces and decoded frames for the report.
 */
async function counterexampleFiles(id: string, c: unknown, adapter: Adapter, failedPacket?: number): Promise<CounterexampleFiles> {
  const files: CounterexampleFiles = { id };
  if (!isClusterCase(c)) return files;
  const received = await runClusterCase(c, adapter);
  const reproduction = adapter.reproduction?.();
  if (reproduction && reproduction.length > 0) files.reproduction = reproduction;
  const profile = adapter.capabilities.referenceProfile;
  const expected = await runClusterCase(c, new ReferenceAdapter(profile ? { profile: profile as ProfileName } : {}));
  const caps = (run: typeof received) => capturesAsPcap(run.sent.flatMap((s) => [...s.request.captures, ...(s.reply?.captures ?? [])]));
  files.received = caps(received);
  files.expected = caps(expected);
  files.scenario = { version: 1, topology: adapterTopology(received.rendered.topology), acls: adapterAcls(received.rendered), connections: received.sent.map((s) => s.connection) };
  files.policiesYaml = policiesToYaml(c.cluster.policies);
  files.topology = adapterTopology(received.rendered.topology);
  files.packets = counterexamplePackets(expected, received, files.topology, failedPacket);
  return files;
}

interface FuzzOptions {
  adapter: string;
  property?: string[];
  runs?: string;
  time?: string;
  seed: string;
  shard?: string;
  out: string;
  corpus: string | false;
  workers?: string;
}

export async function runFuzz(o: FuzzOptions): Promise<{ code: number; result: RunResult; folder: string }> {
  if (o.runs !== undefined && o.time !== undefined) throw new UsageError('--runs and --time exclude each other');
  const runs = o.runs !== undefined ? Number(o.runs) : o.time !== undefined ? Number.MAX_SAFE_INTEGER : DEFAULT_RUNS;
  if (!Number.isInteger(runs) || runs < 1) throw new UsageError(`--runs: expected a positive integer, got '${o.runs}'`);
  const seed = Number(o.seed);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0x7fffffff) throw new UsageError(`--seed: expected an integer 0..2147483647, got '${o.seed}'`);
  const adapter = createAdapter(o.adapter);
  let props: PropertyDef<unknown>[] = [...PROPERTIES];
  if (o.property && o.property.length > 0) {
    props = o.property.map((id) => propertyById(id) ?? (() => { throw new UsageError(`--property: unknown property '${id}' (known: ${PROPERTIES.map((p) => p.id).join(', ')})`); })());
  }
  const shard = o.shard !== undefined ? parseShard(o.shard) : undefined;
  // Shards take properties round-robin: deterministic, disjoint, and together the whole catalogue.
  if (shard) props = props.filter((_, i) => i % shard.count === shard.index - 1);
  const deadline = o.time !== undefined ? Date.now() + parseDuration(o.time) : undefined;
  const perPropertyDeadline = (i: number): number | undefined => (deadline === undefined ? undefined : Date.now() + (deadline - Date.now()) / (props.length - i));
  let interrupted = false;
  const onSigint = (): void => {
    interrupted = true;
    process.stderr.write('\npodflow: interrupted — finishing the current chunk and writing what was found so far\n');
  };
  process.once('SIGINT', onSigint);
  const runId = `${o.adapter.replace(/[^A-Za-z0-9.-]+/g, '-')}-seed${seed}${shard ? `-shard${shard.index}of${shard.count}` : ''}`;
  const result: RunResult = {
    info: {
      runId,
      seed,
      adapter: adapter.name,
      podflowVersion: version(),
      nodeVersion: process.version,
      options: { ...(o.runs !== undefined || o.time === undefined ? { runs } : {}), ...(o.time !== undefined ? { time: o.time } : {}), properties: props.map((p) => p.id), ...(shard ? { shard } : {}), chunk: CHUNK },
      interrupted: false,
    },
    properties: [],
  };
  const workers = o.workers === undefined ? 1 : Number(o.workers);
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) throw new UsageError(`--workers: expected an integer 1..64, got '${o.workers}'`);
  if (workers > 1 && isSharedLab(o.adapter)) throw new UsageError(`--workers ${workers}: adapter ${o.adapter} drives one lab, which workers would share; use one worker (or --shard across labs)`);
  const tty = process.stderr.isTTY === true;
  const bar = tty ? new cliProgress.SingleBar({ format: 'podflow {bar} {value}/{total} properties | {prop} {runs} runs | {rate} cases/s | failures {failures}', stream: process.stderr }, cliProgress.Presets.shades_classic) : undefined;
  bar?.start(props.length, 0, { prop: '', runs: 0, failures: 0, rate: 0 });
  const started = Date.now();
  let totalRuns = 0;
  const rate = (): number => Math.round(totalRuns / Math.max(0.001, (Date.now() - started) / 1000));
  let failures = 0;
  const byId = new Map<string, PropertyResult>();
  try {
    if (workers === 1) {
      for (const [i, p] of props.entries()) {
        if (interrupted) break;
        const pd = perPropertyDeadline(i);
        const r = await runProperty(p, adapter, { seed, runs, chunk: CHUNK, ...(pd !== undefined ? { deadline: pd } : {}), interrupted: () => interrupted, onChunk: (n) => bar?.update(i, { prop: p.id, runs: n, failures, rate: rate() }) });
        totalRuns += r.runs;
        if (r.verdict === 'invalid') failures++;
        byId.set(p.id, r);
        bar?.update(i + 1, { prop: p.id, runs: r.runs, failures, rate: rate() });
      }
    } else {
      // Properties go to workers round-robin; each worker has its own adapter. Results are reported in catalogue order.
      const shares = Array.from({ length: Math.min(workers, props.length) }, (_, w) => props.filter((_, i) => i % workers === w));
      const per = deadline === undefined ? undefined : (deadline - Date.now()) / Math.max(1, Math.ceil(props.length / shares.length));
      let finished = 0;
      await Promise.all(
        shares.map(
          (share) =>
            new Promise<void>((resolve, reject) => {
              const job = { adapter: o.adapter, properties: share.map((p) => p.id), seed, runs, chunk: CHUNK, deadlines: share.map((_, k) => (per === undefined ? undefined : Date.now() + per * (k + 1))) };
              // Worker threads do not inherit tsx's loader: register it (resolved from here, whatever the cwd).
              const w = new Worker(new URL('./fuzz-worker-entry.mjs', import.meta.url), { workerData: job });
              const onInt = (): void => w.postMessage('interrupt');
              process.on('SIGINT', onInt);
              w.on('message', (m: { kind: string; result?: PropertyResult }) => {
                if (m.kind === 'result' && m.result) {
                  byId.set(m.result.id, m.result);
                  if (m.result.verdict === 'invalid') failures++;
                  totalRuns += m.result.runs;
                  bar?.update(++finished, { prop: m.result.id, runs: m.result.runs, failures, rate: rate() });
                }
              });
              w.on('error', (e) => {
                process.removeListener('SIGINT', onInt);
                reject(e);
              });
              w.on('exit', () => {
                process.removeListener('SIGINT', onInt);
                resolve();
              });
            }),
        ),
      );
    }
  } finally {
    bar?.stop();
    process.removeListener('SIGINT', onSigint);
  }
  for (const p of props) {
    const r = byId.get(p.id);
    if (r) result.properties.push(r);
  }
  result.info.interrupted = interrupted;
  const files: CounterexampleFiles[] = [];
  for (const p of result.properties) for (const cx of p.counterexamples) files.push(await counterexampleFiles(cx.id, cx.case, adapter, cx.packet));
  const folder = writeRunReport(o.out, result, files);
  if (o.corpus !== false) for (const p of result.properties) for (const cx of p.counterexamples) saveCorpusEntry(o.corpus, cx, files.find((f) => f.id === cx.id));
  const verdict = overallVerdict(result);
  return { code: verdict === 'valid' ? 0 : verdict === 'invalid' ? 1 : 2, result, folder };
}

function summaryTable(r: RunResult, folder: string): string {
  const w = Math.max(8, ...r.properties.map((p) => p.id.length));
  const lines = [`${'property'.padEnd(w)}  ${'runs'.padStart(6)}  verdict  time`];
  for (const p of r.properties) {
    const known = Object.entries(p.knownDivergences ?? {}).map(([id, n]) => `${id}×${n}`);
    const note = p.notApplicable ? `  (n/a: ${p.unknownReasons.join('; ')})` : known.length > 0 ? `  (known divergences: ${known.join(', ')})` : '';
    lines.push(`${p.id.padEnd(w)}  ${String(p.runs).padStart(6)}  ${p.verdict.padEnd(7)}  ${(p.timeMs / 1000).toFixed(1)} s${note}`);
  }
  for (const p of r.properties) for (const cx of p.counterexamples) lines.push('', `${p.id}: ${cx.details}`, `  replay: npx podflow replay ${cx.id}   (fast-check seed ${cx.seed}, path ${cx.path})`);
  lines.push('', `${overallVerdict(r)}${r.info.interrupted ? ' (interrupted)' : ''} — report: ${join(folder, 'report.html')}`);
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
    .option('-s, --seed <S>', 'run seed; every case is reproducible from it', '1')
    .option('--shard <K/N>', 'run the K-th of N deterministic shards of the catalogue (for CI jobs or Indexed Jobs)')
    .option('-o, --out <dir>', 'reports folder', 'reports')
    .option('--corpus <dir>', 'corpus folder for shrunk counterexamples', 'corpus')
    .option('--no-corpus', 'do not add counterexamples to the corpus')
    .option('-w, --workers <N>', 'parallel worker threads on this machine (default 1)')
    .action(async (opts: FuzzOptions) => {
      const { code, result, folder } = await runFuzz(opts);
      process.stdout.write(summaryTable(result, folder));
      setExit(code);
    });

  registerMergeCommand(program, setExit);

  program
    .command('replay')
    .description('re-run corpus entries (default: the whole corpus) and say whether each still fails')
    .argument('[paths...]', 'corpus entry folders or corpus folders')
    .option('-a, --adapter <name>', 'adapter to replay against (default: the one each entry failed on, when known here; else reference)')
    .option('--corpus <dir>', 'corpus folder', 'corpus')
    .action(async (paths: string[], opts: { adapter?: string; corpus: string }) => {
      const entries = corpusEntries(paths, opts.corpus);
      let failing = 0;
      for (const dir of entries) {
        const e = loadCorpusEntry(dir);
        const p = propertyById(e.property);
        if (!p) throw new UsageError(`${dir}/case.json: unknown property '${e.property}'`);
        const name = opts.adapter ?? adapterSpecOf(e.adapter);
        const v = await p.check(e.case, createAdapter(name), CHECK_CONTEXT);
        if (v.status === 'invalid') failing++;
        process.stdout.write(`${v.status.padEnd(7)} ${e.id} ${e.property} on ${name}${v.status === 'invalid' ? `: ${v.details}` : v.status === 'unknown' ? `: ${v.reason}` : ''}\n`);
      }
      process.stdout.write(`${entries.length} entr${entries.length === 1 ? 'y' : 'ies'} replayed, ${failing} still failing\n`);
      setExit(failing > 0 ? 1 : 0);
    });
}
