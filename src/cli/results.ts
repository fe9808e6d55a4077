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
}

export interface RunResult {
  info: RunInfo;
  properties: PropertyResult[];
}

export function overallVerdict(r: RunResult): PropertyVerdict {
  if (r.properties.some((p) => p.verdict === 'invalid')) return 'invalid';
  if (r.properties.some((p) => p.verdict === 'unknown')) return 'unknown';
  return 'valid';
}
