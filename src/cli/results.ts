// The results of a fuzz run as data: what every reporter (json, junit, summary, html) and the corpus read.
import { NODE_NAMES } from '../reference/node-names.ts';
import { PROFILES } from '../reference/profiles.ts';
import type { Claim } from '../properties/types.ts';
import type { Evidence } from '../properties/evidence.ts';
import type { SteerBias } from './steering.ts';

export type PropertyVerdict = 'valid' | 'invalid' | 'unknown';

/** Unknown cases above this share of a property's cases make the property unknown (`--max-unknown`). */
export const DEFAULT_MAX_UNKNOWN = 0.1;

export interface RunInfo {
  runId: string;
  seed: number;
  adapter: string;
  /** the adapter as given on the command line (`reference:vpp-current`, `mutant:x`, `vpp`): what a printed command repeats */
  adapterSpec?: string;
  podflowVersion: string;
  nodeVersion: string;
  options: { runs?: number; time?: string; properties: string[]; shard?: { index: number; count: number }; chunk: number; /** cases per generated topology (1: each its own; absent in older runs) */ casesPerTopology?: number; /** `--nemesis`: the faults the nemesis property drew from */ nemesis?: string[] };
  interrupted: boolean;
  /** running (written as the run goes), finished, interrupted (Ctrl-C, SIGTERM), killed (found unfinished by a later run) */
  status?: 'running' | 'finished' | 'interrupted' | 'killed';
  /** wall-clock start and end (ISO 8601): run metadata, never case content */
  startedAt?: string;
  endedAt?: string;
  pid?: number;
  /** the machine the run ran on (a pid means something only there) */
  host?: string;
  /** the share of unknown cases a property tolerates before it is unknown */
  maxUnknown?: number;
  /** the adapter could not be driven at all (preflight): one line saying why */
  unavailable?: string;
  /** `podflow merge` of shards: the shard numbers (1..N) not among the merged runs */
  missingShards?: number[];
  /** `podflow merge`: the run IDs the run was merged from */
  mergedFrom?: string[];
  /** wall-clock duration of the run, ms (endedAt − startedAt): run metadata for `podflow history` */
  durationMs?: number;
  /** the git commit podflow ran from (read from .git, absent outside a checkout) */
  gitCommit?: string;
  /** the version of the data path under test, as its adapter tells it (Adapter.version) */
  dataPath?: string;
  /** false when generation was not steered (`--no-steer`) */
  steer?: boolean;
  /**
   * `--workers N` (N > 1): per worker thread, ms from its start until it was ready (modules loaded, adapter made)
   * and until it had checked its first chunk of cases: what starting the workers cost the run.
   */
  workers?: { readyMs?: number; firstChunkMs?: number }[];
  /** what the run's coverage is measured against (coverage.ts coverageUniverse): trace spelling, traces, divergences */
  coverageScope?: { profile?: string; traces: boolean; divergences: string[] };
}

/** A counterexample's place among earlier failures (triage.ts): new, or known since its first-seen run or corpus entry. */
export interface Triage {
  status: 'new' | 'known';
  /** the run that first had a failure with this signature (known) */
  firstSeenRun?: string;
  /** the corpus entry that has it (known from the corpus only) */
  corpusEntry?: string;
  /** the corpus entry that keeps this failure when it is not this counterexample's own: a smaller case of it */
  keptAs?: string;
}

export interface Counterexample {
  /** content hash of the shrunk case, adapter and property */
  id: string;
  property: string;
  adapter: string;
  /** fast-check seed and path that reproduce the shrunk case (with `steer`, when the chunk was steered) */
  seed: number;
  path: string;
  /** the steering bias of the chunk that found it: the arbitrary was steeredArbitrary(p.arbitrary(), steer) */
  steer?: SteerBias;
  /**
   * the seed of the topology donor of the chunk that found it, when its cases were grouped by topology: the
   * arbitrary was steeredArbitrary(groupedArbitrary(p.arbitrary(), topologySeed), steer) (cli/grouping.ts)
   */
  topologySeed?: number;
  /** the first claim's message, and how many more failures the case had */
  details: string;
  /** every failure of the shrunk case that no known divergence excuses, as the check stated them */
  claims: Claim[];
  /** failures of the same case a known divergence of the adapter excuses (reported, not counted as failing) */
  excused?: { divergence: string; claim: Claim }[];
  /** the packet index of the first claim (the report's focus) */
  packet?: number;
  /** the seed steps of the violated property */
  seedSteps: string[];
  /** the shrunk case as JSON */
  case: unknown;
  /** the scenario that replays it (topology and ACLs as configured on the adapter, the packets sent) */
  scenario?: unknown;
  policiesYaml?: string;
  /** the command that replays it, as printed (`npx podflow replay <id>` or a folder) */
  replay?: string;
  /** the failure signature (triage.ts): property, first claim's code, layer and field, first divergent node, adapter */
  signature?: string;
  /** new or known among the runs of the same reports folder and the corpus */
  triage?: Triage;
  /** what the check observed (in memory only: written to the counterexample's evidence.json, not results.json) */
  evidence?: Evidence;
}

export interface PropertyResult {
  id: string;
  description: string;
  seedSteps: string[];
  /** cases run (checked + unknown); shrinking steps are not counted */
  runs: number;
  /** cases the check could judge (valid + invalid, a case excused by known divergences counts as valid) */
  checked?: number;
  valid?: number;
  invalid?: number;
  /** cases the check could not judge (adapter unavailable, check crashed, unknown verdict) */
  unknown?: number;
  verdict: PropertyVerdict;
  timeMs: number;
  /** why cases or the property were unknown, each reason once (counts in unknownByReason) */
  unknownReasons: string[];
  unknownByReason?: Record<string, number>;
  /** shrinking steps after the first failure */
  shrinks?: number;
  counterexamples: Counterexample[];
  /** coverage keys and how often each was hit (coverage.ts: graph nodes, drops, ACL rules, policy and case features) */
  coverage: Record<string, number>;
  /**
   * Cases whose failure a declared known divergence of the adapter explains (id → cases): counted, not failed.
   * Absent when none.
   */
  knownDivergences?: Record<string, number>;
  /** What the property's checks measured, summed over the cases (Verdict.measures; shrinking steps not counted). Absent when none. */
  measures?: Record<string, number>;
  /**
   * Written after each chunk while the property runs: what it had checked so far, unknown until it finishes (a run
   * killed without a chance to write its report still leaves this in results.json).
   */
  inProgress?: true;
  /**
   * The adapter lacks a capability the property needs (e.g. a virtual clock): nothing was checked. Reported as
   * unknown with the reason, but it does not make the run unknown: no run of that adapter could answer it.
   */
  notApplicable?: boolean;
}

/**
 * The shares a property's measures imply: for every group `<what> equal` with siblings `<what> …` (e.g. trace
 * records equal, differing, only in the model, only on the adapter), "<what>: 98.1 % equal (4168 of 4250)".
 */
export function measureShares(measures: Record<string, number>): string[] {
  const out: string[] = [];
  for (const [k, equal] of Object.entries(measures)) {
    const m = /^(.+) equal$/.exec(k);
    if (!m) continue;
    const total = Object.entries(measures)
      .filter(([j]) => j.startsWith(`${m[1]} `))
      .reduce((s, [, n]) => s + n, 0);
    if (total > 0) out.push(`${m[1]}: ${((100 * equal) / total).toFixed(1)} % equal (${equal} of ${total})`);
  }
  return out;
}

export interface RunResult {
  info: RunInfo;
  properties: PropertyResult[];
}

/** The coverage key of a `show trace` node name: interface-specific output/TX nodes count as the model's graph node. */
const COVERAGE_NAMES = new Map<string, string>();
/** The model's node names in every profile's spelling: never an interface's output node (l2-output is not `l2`'s). */
const GRAPH_NODE_NAMES = new Set<string>([...NODE_NAMES, ...Object.values(PROFILES).flatMap((p) => Object.values(p.natNodeNames))]);

export function coverageNodeName(node: string): string {
  // Memoised: called for every trace record of every fuzz case, over a few dozen distinct names.
  let name = COVERAGE_NAMES.get(node);
  if (name === undefined) {
    const m = /^(.+)-(output|tx)$/.exec(node);
    name = m && !GRAPH_NODE_NAMES.has(node) && !/^(nat44|l2-|ip4-|ip6-|interface|acl-|vxlan|ethernet|error)/.test(m[1]!) ? `interface-${m[2]}` : node;
    if (COVERAGE_NAMES.size < 4096) COVERAGE_NAMES.set(node, name);
  }
  return name;
}

/**
 * Adds `show trace` records (per packet and node, as adapters report them) to a coverage count: graph nodes by
 * name (see coverageNodeName), ACL matches as `acl <A> rule <R>` (`acl session` for a session hit) and drops as
 * `drop <node>: <error>` (coverage.ts). Other keys contain a space, node names never do. Deterministic; returns `into`.
 */
export function countCoverage(traces: Iterable<{ records: readonly unknown[] }>, into: Record<string, number> = {}): Record<string, number> {
  for (const t of traces) countRecords(t.records, into);
  return into;
}

/**
 * countCoverage of one trace's records (no closures: under tsx each named closure costs a defineProperty); returns
 * how many keys were new. `nodes: false` leaves graph nodes out (counted from the trace's path instead).
 */
export function countRecords(records: readonly unknown[], into: Record<string, number>, nodes = true): number {
  let fresh = 0;
  for (const r of records) {
    if (typeof r !== 'object' || r === null) continue;
    const rec = r as { node?: unknown; body?: { kind?: unknown; matchAcl?: unknown; matchRule?: unknown } };
    if (nodes && typeof rec.node === 'string') {
      const k = coverageNodeName(rec.node);
      const n = into[k];
      if (n === undefined) fresh++;
      into[k] = (n ?? 0) + 1;
    }
    const b = rec.body;
    if (b && b.kind === 'acl' && typeof b.matchAcl === 'number') {
      const k = b.matchAcl < 0 ? 'acl session' : `acl ${b.matchAcl} rule ${String(b.matchRule)}`;
      const n = into[k];
      if (n === undefined) fresh++;
      into[k] = (n ?? 0) + 1;
    } else if (b && b.kind === 'error-drop') {
      const d = b as { node?: unknown; error?: unknown };
      if (typeof d.node === 'string' && typeof d.error === 'string') {
        const k = `drop ${d.node}: ${d.error}`;
        const n = into[k];
        if (n === undefined) fresh++;
        into[k] = (n ?? 0) + 1;
      }
    }
  }
  return fresh;
}

/** Counts the graph nodes of a packet's path (Observation traces' `path`); returns how many keys were new. */
export function countPath(path: readonly string[], into: Record<string, number>): number {
  let fresh = 0;
  for (const node of path) {
    const k = coverageNodeName(node);
    const n = into[k];
    if (n === undefined) fresh++;
    into[k] = (n ?? 0) + 1;
  }
  return fresh;
}

/**
 * The run's verdict: invalid when any property is; else unknown (inconclusive) when any property that could be
 * checked is unknown, when nothing was checked at all (every property n/a or unknown), or when the run was
 * interrupted before any check; else valid.
 */
export function overallVerdict(r: RunResult): PropertyVerdict {
  if (r.properties.some((p) => p.verdict === 'invalid')) return 'invalid';
  if (r.info.unavailable !== undefined) return 'unknown';
  if (r.info.missingShards !== undefined && r.info.missingShards.length > 0) return 'unknown';
  if (r.properties.some((p) => p.verdict === 'unknown' && !p.notApplicable)) return 'unknown';
  if (!r.properties.some((p) => p.verdict === 'valid')) return 'unknown';
  return 'valid';
}

/** A property's verdict from its counts: invalid with a counterexample; unknown with nothing checked or too many unknowns. */
export function propertyVerdict(p: Pick<PropertyResult, 'counterexamples' | 'checked' | 'unknown' | 'notApplicable'>, maxUnknown: number): { verdict: PropertyVerdict; why?: string } {
  if (p.counterexamples.length > 0) return { verdict: 'invalid' };
  if (p.notApplicable) return { verdict: 'unknown' };
  const checked = p.checked ?? 0;
  const unknown = p.unknown ?? 0;
  if (checked === 0) return { verdict: 'unknown', why: unknown > 0 ? `no case could be checked (${unknown} unknown)` : 'no case was checked' };
  if (unknown / (checked + unknown) > maxUnknown) return { verdict: 'unknown', why: `${unknown} of ${checked + unknown} cases unknown (more than ${Math.round(maxUnknown * 1000) / 10} %)` };
  return { verdict: 'valid' };
}

/** What case.json holds (corpus entries and report counterexample folders): the counterexample without its report-only parts. */
export type CorpusEntry = Pick<Counterexample, 'id' | 'property' | 'adapter' | 'seed' | 'path' | 'details' | 'seedSteps' | 'case'> & Partial<Pick<Counterexample, 'claims' | 'signature' | 'steer' | 'topologySeed'>>;

export function corpusEntryOf(cx: Counterexample): CorpusEntry {
  return { id: cx.id, property: cx.property, adapter: cx.adapter, seed: cx.seed, path: cx.path, ...(cx.steer ? { steer: cx.steer } : {}), ...(cx.topologySeed !== undefined ? { topologySeed: cx.topologySeed } : {}), details: cx.details, claims: cx.claims, seedSteps: cx.seedSteps, case: cx.case };
}

/** The commands that replay a counterexample, as reports print them: the entry itself, and the run's cases. */
export function replayCommands(r: RunResult, p: { id: string }, cx: Counterexample): string[] {
  return [cx.replay ?? `npx podflow replay ${cx.id}`, `npx podflow fuzz --adapter ${r.info.adapterSpec ?? r.info.adapter} --property ${p.id} --seed ${r.info.seed}${r.info.options.casesPerTopology !== undefined ? ` --cases-per-topology ${r.info.options.casesPerTopology}` : ''}   # fast-check seed ${cx.seed}, path ${cx.path}${cx.topologySeed !== undefined ? `, topology seed ${cx.topologySeed}` : ''}`];
}
