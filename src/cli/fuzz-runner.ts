// Runs the invariant catalogue against an adapter: per property, chunks of runs with seeds derived from the
// run seed (so Ctrl-C and time budgets stop between chunks, and every failure keeps a seed and path that replay
// it), shrinking through fast-check, and one crashing check never aborting the run (Jepsen's check-safe).
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import type { Adapter, AdapterAclConfig } from '../adapters/adapter.ts';
import { POLICY_FEATURES } from '../generators/features.ts';
import { aclRuleKey } from './coverage.ts';
import { featuresOf, steeredArbitrary, Steering, type SteerBias } from './steering.ts';
import { AdapterUnavailable, excusingDivergence } from '../adapters/adapter.ts';
import { detailsOf, type CheckContext, type Claim, type PropertyDef, type Verdict } from '../properties/types.ts';
import { recordingAdapter, type Evidence, type RecordingAdapter } from '../properties/evidence.ts';
import { ReferenceAdapter } from '../adapters/reference/reference-adapter.ts';
import type { ProfileName } from '../reference/profiles.ts';
import type { ChunkShare } from './fuzz-workers.ts';
import { deriveSeed } from './seeds.ts';
import { groupedArbitrary, topologySeedFor } from './grouping.ts';

/** The check context the CLI gives properties: reference adapters on demand. */
export const CHECK_CONTEXT: CheckContext = { reference: (profile, drivers) => new ReferenceAdapter({ ...(profile ? { profile: profile as ProfileName } : {}), ...(drivers ? { drivers } : {}) }) };
import { countPath, countRecords, DEFAULT_MAX_UNKNOWN, propertyVerdict, type Counterexample, type PropertyResult } from './results.ts';

export function contentId(...parts: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);
}

/**
 * The adapter as properties see it: every call recorded as the case's evidence, and the graph nodes and ACL
 * rules its traces show counted (coverage per property); everything else is delegated unchanged.
 */
export function observedAdapter(adapter: Adapter, counts: Record<string, number>): ObservedAdapter {
  let acls: AdapterAclConfig | undefined;
  const observed = recordingAdapter(adapter, (obs) => {
    // Trace by trace, in the order countCoverage([...values()].flat()) would see them, without the copies.
    if (obs.traces)
      for (const list of obs.traces.values())
        for (const t of list) {
          // Graph nodes from the walk when the adapter knows it (nodes that print no record count too).
          observed.fresh += t.path ? countPath(t.path, counts) + countRecords(t.records, counts, false) : countRecords(t.records, counts);
          if (acls) observed.fresh += countAclRules(t.nodeId, t.records, acls, counts);
        }
  }) as ObservedAdapter;
  observed.fresh = 0;
  const clear = observed.clear;
  observed.clear = () => {
    clear();
    observed.fresh = 0;
  };
  const apply = observed.apply;
  observed.apply = async (a) => {
    acls = a;
    await apply(a);
  };
  // A fault that replaces the tables (a policy update) changes which table a rule's position is counted in.
  const fault = observed.fault;
  if (fault) {
    observed.fault = async (f) => {
      await fault(f);
      if (f.id === 'acl-replaced') acls = f.acls;
    };
  }
  return observed;
}

export interface ObservedAdapter extends RecordingAdapter {
  /** coverage keys the case so far added to the count for the first time (steering's feedback) */
  fresh: number;
}

/** Counts each ACL match of a trace as its rule's action and position in the table the case applied. */
function countAclRules(nodeId: number, records: readonly unknown[], acls: AdapterAclConfig, counts: Record<string, number>): number {
  let fresh = 0;
  for (const r of records) {
    const b = (r as { body?: { kind?: unknown; matchAcl?: unknown; matchRule?: unknown; action?: unknown } } | null)?.body;
    if (!b || b.kind !== 'acl' || typeof b.matchAcl !== 'number' || b.matchAcl < 0 || typeof b.matchRule !== 'number' || typeof b.action !== 'number') continue;
    const table = acls[String(nodeId)]?.tables.find((x) => x.index === b.matchAcl);
    if (!table) continue;
    const k = aclRuleKey(b.action, b.matchRule, table.rules.length);
    const n = counts[k];
    if (n === undefined) fresh++;
    counts[k] = (n ?? 0) + 1;
  }
  return fresh;
}

/** An invalid verdict carried out of fast-check's predicate, with the evidence of the run that produced it. */
class Failure extends Error {
  constructor(
    readonly claims: Claim[],
    readonly excused: { divergence: string; claim: Claim }[],
    readonly evidence: Evidence,
  ) {
    super(detailsOf(claims));
  }
}

/** The first line of an error, control characters escaped (a reason in a report is one line). */
export function errorLine(e: unknown): string {
  const text = e instanceof Error ? `${e.name === 'Error' || e instanceof AdapterUnavailable ? '' : `${e.name}: `}${e.message}` : String(e);
  // eslint-disable-next-line no-control-regex
  return (text.split('\n')[0] ?? '').replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`).slice(0, 300);
}

export interface RunPropertyOptions {
  seed: number;
  /** total runs (stops earlier when the deadline passes or on interrupt) */
  runs: number;
  chunk: number;
  deadline?: number;
  interrupted: () => boolean;
  /**
   * After each chunk: cases so far, and the property's result so far (unknown, `inProgress`), so a run killed
   * without a chance to finish still has on disk what it had checked.
   */
  onChunk?: (done: number, sofar: PropertyResult) => void;
  /** the share of unknown cases tolerated before the property is unknown (default 10 %) */
  maxUnknown?: number;
  /** called with each shrunk counterexample the moment it is found (the CLI saves it at once) */
  onCounterexample?: (cx: Counterexample) => void | Promise<void>;
  /** steer generation toward unhit coverage between chunks (default true; false: plain fast-check) */
  steer?: boolean;
  /**
   * Run only the chunks whose index is `index` modulo `count` — one worker's share of the property
   * (`podflow fuzz --workers N`, fuzz-workers.ts); `runs` is then the share's cases. Default: every chunk.
   */
  chunks?: ChunkShare;
  /**
   * Every case of a chunk on one topology (cli/grouping.ts), drawn to fit the adapter (capabilities.maxNodes), so
   * an adapter configures a topology once per chunk and only what differs between its cases. Default false.
   */
  groupByTopology?: boolean;
}

/**
 * Checks one property; returns its result with at most one (shrunk) counterexample. Every case is counted as
 * checked (valid or invalid) or unknown, with the reasons grouped. Failures an adapter's known divergences excuse
 * are counted per divergence and the check goes on judging the rest of the case; a case fails only on claims no
 * divergence excuses. A crashing check or an adapter that cannot answer makes the case unknown (Jepsen's
 * check-safe); the property is unknown when nothing was checked or unknowns exceed the threshold.
 */
export async function runProperty(p: PropertyDef<unknown>, adapter: Adapter, o: RunPropertyOptions): Promise<PropertyResult> {
  const start = performance.now();
  const result: PropertyResult = { id: p.id, description: p.description, seedSteps: p.seedSteps, runs: 0, checked: 0, valid: 0, invalid: 0, unknown: 0, verdict: 'valid', timeMs: 0, unknownReasons: [], unknownByReason: {}, counterexamples: [], coverage: {} };
  const byReason = result.unknownByReason!;
  const missing = Object.entries(p.needs ?? {}).filter(([k, v]) => v && !adapter.capabilities[k as keyof Adapter['capabilities']]);
  if (missing.length > 0) {
    result.verdict = 'unknown';
    result.notApplicable = true;
    result.unknownReasons.push(`adapter ${adapter.name} lacks ${missing.map(([k]) => k).join(', ')}`);
    return result;
  }
  const divergences = adapter.capabilities.knownDivergences ?? [];
  const coverage = result.coverage;
  const observed = observedAdapter(adapter, coverage);
  const arbitrary = p.arbitrary();
  const steering = new Steering(POLICY_FEATURES);
  let bias: SteerBias | undefined;
  // After the first failure of a chunk every call is fast-check shrinking: counted apart from the cases.
  let shrinking = false;
  const count = (what: 'valid' | 'invalid' | 'unknown', reason?: string): void => {
    if (shrinking) {
      result.shrinks = (result.shrinks ?? 0) + 1;
      return;
    }
    result.runs++;
    result[what] = (result[what] ?? 0) + 1;
    if (what !== 'unknown') result.checked = (result.checked ?? 0) + 1;
    if (reason !== undefined) byReason[reason] = (byReason[reason] ?? 0) + 1;
  };
  // The k-th chunk this run takes (every chunk, or one worker's share of them): chunk seeds depend on the index.
  for (let k = 0; result.runs < o.runs; k++) {
    const chunk = (o.chunks?.index ?? 0) + k * (o.chunks?.count ?? 1);
    // Checks resolve as microtasks only: yield a turn of the event loop so signals (Ctrl-C) and timers run.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (o.interrupted() || (o.deadline !== undefined && Date.now() > o.deadline)) break;
    const numRuns = Math.min(o.chunk, o.runs - result.runs);
    const seed = deriveSeed(o.seed, p.id, chunk);
    const before = result.runs;
    shrinking = false;
    bias = o.steer === false ? undefined : steering.bias(k);
    const topologySeed = o.groupByTopology ? topologySeedFor(arbitrary, seed, adapter.capabilities.maxNodes) : undefined;
    const chunkArbitrary = topologySeed === undefined ? arbitrary : groupedArbitrary(arbitrary, topologySeed);
    const out = await fc.check(
      fc.asyncProperty(steeredArbitrary(chunkArbitrary, bias), async (c) => {
        observed.clear();
        let v: Verdict;
        // The case's static features count as coverage (`policy …`, `case …`) and feed the next chunk's bias.
        const features = shrinking ? undefined : featuresOf(c);
        if (features) for (const f of features) coverage[f] = (coverage[f] ?? 0) + 1;
        try {
          v = await p.check(c, observed, CHECK_CONTEXT);
        } catch (e) {
          // An adapter that cannot answer, or a check that crashes, makes the case unknown, never a failure.
          count('unknown', e instanceof AdapterUnavailable ? errorLine(e) : `the check crashed: ${errorLine(e)}`);
          return true;
        }
        if (features) steering.record(features, observed.fresh);
        if (v.status !== 'unknown' && v.measures && !shrinking) {
          result.measures = result.measures ?? {};
          for (const [k, n] of Object.entries(v.measures)) result.measures[k] = (result.measures[k] ?? 0) + n;
        }
        if (v.status === 'unknown') {
          count('unknown', v.reason);
          return true;
        }
        if (v.status === 'valid') {
          count('valid');
          return true;
        }
        // Claims a declared known divergence excuses are counted, not reported (docs/architecture.md §7); the rest fail.
        const failing: Claim[] = [];
        const excused: { divergence: string; claim: Claim }[] = [];
        for (const cl of v.claims) {
          const d = excusingDivergence(divergences, p.id, cl);
          if (d) excused.push({ divergence: d.id, claim: cl });
          else failing.push(cl);
        }
        if (failing.length === 0) {
          if (!shrinking) {
            result.knownDivergences = result.knownDivergences ?? {};
            for (const id of new Set(excused.map((x) => x.divergence))) result.knownDivergences[id] = (result.knownDivergences[id] ?? 0) + 1;
          }
          count('valid');
          return true;
        }
        count('invalid');
        shrinking = true;
        throw new Failure(failing, excused, { adapter: observed.evidence.adapter, steps: observed.evidence.steps });
      }),
      { seed, numRuns },
    );
    // fast-check counts runs itself; ours exclude shrinking. A chunk that ran nothing new (interrupted) ends the loop.
    if (o.onChunk) {
      const sofar: PropertyResult = structuredClone({ ...result, counterexamples: [] });
      sofar.verdict = 'unknown';
      sofar.inProgress = true;
      sofar.unknownReasons = [`the run ended before this property finished (${result.runs} cases so far)`, ...Object.keys(byReason)];
      sofar.timeMs = Math.round(performance.now() - start);
      o.onChunk(result.runs, sofar);
    }
    if (out.failed) {
      const err = out.errorInstance;
      if (!(err instanceof Failure)) {
        // A failure outside the check (the arbitrary itself threw): a podflow bug, reported as unknown.
        byReason[`generating a case failed: ${errorLine(err)}`] = (byReason[`generating a case failed: ${errorLine(err)}`] ?? 0) + 1;
        result.unknown = (result.unknown ?? 0) + 1;
        result.runs++;
        break;
      }
      const cx: Counterexample = {
        id: contentId(p.id, adapter.name, out.counterexample),
        property: p.id,
        adapter: adapter.name,
        seed,
        path: out.counterexamplePath ?? '',
        details: detailsOf(err.claims),
        claims: err.claims,
        seedSteps: p.seedSteps,
        case: out.counterexample?.[0],
        evidence: err.evidence,
      };
      if (err.excused.length > 0) cx.excused = err.excused;
      if (bias) cx.steer = bias;
      if (topologySeed !== undefined) cx.topologySeed = topologySeed;
      const packet = err.claims.find((x) => x.packet !== undefined)?.packet;
      if (packet !== undefined) cx.packet = packet;
      result.counterexamples.push(cx);
      await o.onCounterexample?.(cx);
      break;
    }
    if (result.runs === before) break;
  }
  result.unknownReasons.push(...Object.keys(byReason));
  const v = propertyVerdict(result, o.maxUnknown ?? DEFAULT_MAX_UNKNOWN);
  result.verdict = v.verdict;
  if (v.why) result.unknownReasons.unshift(v.why);
  result.timeMs = Math.round(performance.now() - start);
  return result;
}
