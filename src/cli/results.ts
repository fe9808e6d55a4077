// The results of a fuzz run as data: what every reporter (json, junit, summary, html) and the corpus read.
export type PropertyVerdict = 'valid' | 'invalid' | 'unknown';

export interface RunInfo {
  runId: string;
  seed: number;
  adapter: string;
  podflowVersion: string;
  nodeVersion: string;
  options: { runs?: number; time?: string; properties: string[]; shard?: { index: number; count: number }; chunk: number };
  interrupted: boolean;
  /** `podflow merge`: the run IDs the run was merged from */
  mergedFrom?: string[];
}

export interface Counterexample {
  /** content hash of the shrunk case, adapter and property */
  id: string;
  property: string;
  adapter: string;
  /** fast-check seed and path that reproduce the shrunk case */
  seed: number;
  path: string;
  details: string;
  expected?: string;
  received?: string;
  packet?: number;
  /** the seed steps of the violated property */
  seedSteps: string[];
  /** the shrunk case as JSON */
  case: unknown;
  /** the scenario that replays it (topology and ACLs as configured on the adapter, the packets sent) */
  scenario?: unknown;
  policiesYaml?: string;
}

export interface PropertyResult {
  id: string;
  description: string;
  seedSteps: string[];
  runs: number;
  verdict: PropertyVerdict;
  timeMs: number;
  unknownReasons: string[];
  counterexamples: Counterexample[];
  /** model graph nodes visited and how often, when the adapter traces */
  coverage: Record<string, number>;
  /**
   * Cases whose failure a declared known divergence of the adapter explains (id → cases): counted, not failed.
   * Absent when none.
   */
  knownDivergences?: Record<string, number>;
  /**
   * The adapter lacks a capability the property needs (e.g. a virtual clock): nothing was checked. Reported as
   * unknown with the reason, but it does not make the run unknown: no run of that adapter could answer it.
   */
  notApplicable?: boolean;
}

export interface RunResult {
  info: RunInfo;
  properties: PropertyResult[];
}

/** The coverage key of a `show trace` node name: interface-specific output/TX nodes count as the model's graph node. */
const COVERAGE_NAMES = new Map<string, string>();

export function coverageNodeName(node: string): string {
  // Memoised: called for every trace record of every fuzz case, over a few dozen distinct names.
  let name = COVERAGE_NAMES.get(node);
  if (name === undefined) {
    const m = /^(.+)-(output|tx)$/.exec(node);
    name = m && !/^(nat44|l2-|ip4-|ip6-|interface|acl-|vxlan|ethernet|error)/.test(m[1]!) ? `interface-${m[2]}` : node;
    if (COVERAGE_NAMES.size < 4096) COVERAGE_NAMES.set(node, name);
  }
  return name;
}

/**
 * Adds `show trace` records (per packet and node, as adapters report them) to a coverage count: graph nodes by
 * name (see coverageNodeName) and ACL matches as `acl <A> rule <R>` (`acl session` for a session hit). Keys of
 * ACL matches contain a space, node names never do. Deterministic; returns `into`.
 */
export function countCoverage(traces: Iterable<{ records: readonly unknown[] }>, into: Record<string, number> = {}): Record<string, number> {
  for (const t of traces) countRecords(t.records, into);
  return into;
}

/** countCoverage of one trace's records (no closures: under tsx each named closure costs a defineProperty). */
export function countRecords(records: readonly unknown[], into: Record<string, number>): void {
  for (const r of records) {
    if (typeof r !== 'object' || r === null) continue;
    const rec = r as { node?: unknown; body?: { kind?: unknown; matchAcl?: unknown; matchRule?: unknown } };
    if (typeof rec.node === 'string') {
      const k = coverageNodeName(rec.node);
      into[k] = (into[k] ?? 0) + 1;
    }
    const b = rec.body;
    if (b && b.kind === 'acl' && typeof b.matchAcl === 'number') {
      const k = b.matchAcl < 0 ? 'acl session' : `acl ${b.matchAcl} rule ${String(b.matchRule)}`;
      into[k] = (into[k] ?? 0) + 1;
    }
  }
}

export function overallVerdict(r: RunResult): PropertyVerdict {
  if (r.properties.some((p) => p.verdict === 'invalid')) return 'invalid';
  if (r.properties.some((p) => p.verdict === 'unknown' && !p.notApplicable)) return 'unknown';
  return 'valid';
}
