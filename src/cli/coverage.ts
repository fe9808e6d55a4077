// What a run covered, against what there is to cover (issue 12, item 4). Coverage keys are counted per property
// (results.ts countRecords, fuzz-runner.ts observedAdapter) and come in categories:
//   graph nodes     `ip4-input`, `nat44-ed-out2in` — as the adapter's traces spell them (profile by profile)
//   drop reasons    `drop <node>: <error>` — the error-drop record of a trace
//   ACL rules       `acl-rule <action> <first|middle|last|only>` — the matched rule's action and position
//   policy features `policy …` — NetworkPolicy API features of the generated clusters (generators/features.ts)
//   case features   `case …` — connection protocols, odd packet kinds, lifecycle steps, topologies
//   divergences     `divergence <id>` — a known divergence that excused a claim
// The universe is what the reference model can do on a Contiv-rendered cluster; entries no well-formed input
// can reach (a model consistency check, a state a Contiv configuration never creates) are listed with the
// reason, so "unhit" names only what generation could still reach.
import { NODES } from '../reference/graph.ts';
import { NODE_NAMES, type NodeName } from '../reference/node-names.ts';
import { PROFILES, type ProfileName } from '../reference/profiles.ts';
import { POLICY_FEATURES } from '../generators/features.ts';
import type { RunInfo, RunResult } from './results.ts';

export type CoverageCategory = 'graph nodes' | 'drop reasons' | 'ACL rules' | 'policy features' | 'case features' | 'divergences';

export const COVERAGE_CATEGORIES: readonly CoverageCategory[] = ['graph nodes', 'drop reasons', 'ACL rules', 'policy features', 'case features', 'divergences'];

/** The category of a coverage key; undefined for detail keys (`acl <A> rule <R>`, `acl session`). */
export function categoryOf(key: string): CoverageCategory | undefined {
  if (!key.includes(' ')) return 'graph nodes';
  if (key.startsWith('drop ')) return 'drop reasons';
  if (key.startsWith('acl-rule ')) return 'ACL rules';
  if (key.startsWith('policy ')) return 'policy features';
  if (key.startsWith('case ')) return 'case features';
  if (key.startsWith('divergence ')) return 'divergences';
  return undefined;
}

export const ACL_ACTIONS = ['deny', 'permit', 'permit+reflect'] as const;

/** The coverage key of a matched ACL rule: its action and where it sits in its table. */
export function aclRuleKey(action: number, rule: number, rules: number): string {
  const name = ACL_ACTIONS[action] ?? `action ${action}`;
  const pos = rules <= 1 ? 'only' : rule === 0 ? 'first' : rule >= rules - 1 ? 'last' : 'middle';
  return `acl-rule ${name} ${pos}`;
}

/** The coverage key of a drop: the node that counted it and VPP's error string. */
export function dropKey(node: string, error: string): string {
  return `drop ${node}: ${error}`;
}

/** The drops of the model, by node and error-table key (nodes' `errors`); the node is spelled per profile (NAT44 names). */
const DROPS: Partial<Record<NodeName, string[]>> = {
  'ethernet-input': ['macMismatch', 'unknownType', 'unknownVlan', 'short'],
  'arp-input': ['notLocal', 'malformed', 'notModelled'],
  'ip4-input': ['tooShort', 'version', 'options', 'badChecksum', 'fragmentOffsetOne', 'badLength'],
  'acl-plugin-in-ip4-fa': ['drop', 'tooMany'],
  'acl-plugin-out-ip4-fa': ['drop', 'tooMany'],
  'acl-plugin-in-ip4-l2': ['drop', 'tooMany'],
  'nat44-out2in': ['noTranslation'],
  'ip4-rewrite': ['mtuExceeded', 'noAdjacency'],
  'ip4-local': ['unknownProtocol', 'udpLength', 'udpChecksum', 'icmpNotModelled'],
  'ip4-icmp-error': ['noSource'],
  'ip4-drop': ['adjacencyDrop'],
  'ip4-arp': ['requestSent'],
  'l2-fwd': ['miss', 'reflect', 'bviEthertype'],
  'l2-input': ['drop'],
  'l2-output': ['shg'],
  'vxlan4-encap': ['noTunnel', 'unresolved'],
  'vxlan4-input': ['badFlags', 'noTunnel', 'short'],
};

/** A node's error string by its table key (a key the node does not declare is a bug here). */
function errorString(node: NodeName, key: string): string {
  const e = NODES[node].errors[key];
  if (e === undefined) throw new Error(`coverage.ts: ${node} declares no error '${key}'`);
  return e;
}

/**
 * Model entries no input can reach on a Contiv-rendered cluster, with why. They stay in the universe's lists
 * (a run that does reach one says so) but are not counted as unhit.
 */
const REFLECTIVE_ONLY = 'input ACLs of a Contiv rendering are the Reflective ACL alone (one permit+reflect rule, docs/datapath.md §3.1): they never deny';
const SESSION_TABLE = 'the session table holds 1 000 000 sessions (docs/datapath.md §8.5); a case opens a handful';
const LAB_DRIVERS = "a podflow lab's drivers (packet-generator pods, an af_packet NIC): generated clusters use Contiv's (TAP v2, DPDK); the VPP 26.06 golden scenarios walk them";
const UNREACHABLE: Record<string, string> = {
  'pg-input': LAB_DRIVERS,
  'af-packet-input': LAB_DRIVERS,
  'ip4-arp': 'Contiv installs static ARP entries for every pod and remote BVI; only a destination on the node interconnect that is no node reaches it, and real VPP then ARPs on the wire, which the model does not emit',
  'drop ip4-arp: ARP requests sent': 'see ip4-arp',
  'drop ip4-rewrite: no adjacency (model: lookup did not resolve)': 'a model consistency check: ip4-lookup only sends resolved routes to ip4-rewrite',
  'drop ip4-icmp-error: no IPv4 address on the RX interface to send an ICMP error from': 'every interface Contiv configures has an address',
  'drop vxlan4-encap: no tunnel for the TX interface': 'Contiv creates a tunnel for every bridge-domain member it adds',
  'drop vxlan4-encap: tunnel destination has no route': 'Contiv routes every tunnel destination over the node interconnect',
  'drop arp-input: ARP reply by VPP (not modelled)': 'the model does not answer ARP for VPP addresses, and a real VPP does: no generator asks (pods have static ARP, docs/datapath.md §2.7)',
  'drop acl-plugin-in-ip4-fa: ACL deny packets': REFLECTIVE_ONLY,
  'drop acl-plugin-in-ip4-l2: ACL deny packets': REFLECTIVE_ONLY,
  'drop acl-plugin-in-ip4-fa: too many sessions to add new': SESSION_TABLE,
  'drop acl-plugin-out-ip4-fa: too many sessions to add new': SESSION_TABLE,
  'drop acl-plugin-in-ip4-l2: too many sessions to add new': SESSION_TABLE,
  'drop nat44-out2in: No translation': 'Contiv turns NAT44 forwarding on: an unmatched packet passes untranslated',
  'drop nat44-ed-out2in: No translation': 'Contiv turns NAT44 forwarding on: an unmatched packet passes untranslated',
  'acl-rule deny only': "Contiv's local tables permit the NAT loopback before their final deny, and the global table ends with a permit",
  'acl-rule permit+reflect first': 'permit+reflect is only the Reflective ACL, a table of one rule',
  'acl-rule permit+reflect middle': 'permit+reflect is only the Reflective ACL, a table of one rule',
  'acl-rule permit+reflect last': 'permit+reflect is only the Reflective ACL, a table of one rule',
};

/** Nodes only one profile's walk has (18.01's l2-input-classify; current VPP's NAT44-ED, reassembly and drop nodes). */
const CURRENT_ONLY: ReadonlySet<NodeName> = new Set<NodeName>(['ip4-sv-reassembly-feature', 'ip4-sv-reassembly-output-feature', 'l2-input-feat-arc', 'l2-input-feat-arc-end', 'nat-pre-out2in', 'nat-pre-in2out-output', 'nat44-classify', 'nat44-out2in-slowpath', 'drop']);

function walkedBy(profile: (typeof PROFILES)[ProfileName], n: NodeName): boolean {
  if (n === 'l2-input-classify') return profile.l2InputClassifyRecord;
  if (CURRENT_ONLY.has(n)) return profile.natEndpointDependent === true;
  return true;
}

export interface CoverageUniverse {
  /** per category, every key there is to hit */
  keys: Record<CoverageCategory, string[]>;
  /** keys no well-formed input reaches, with why */
  unreachable: Record<string, string>;
}

/**
 * The universe of one adapter run: graph nodes and drops in the spelling of the profile its traces use (none
 * when the adapter has no traces), ACL rule kinds, policy features, and its known divergences.
 */
export function coverageUniverse(o: { profile?: string; traces: boolean; divergences?: readonly string[] }): CoverageUniverse {
  const profile = PROFILES[(o.profile ?? 'vpp-18.01-contiv') as ProfileName] ?? PROFILES['vpp-18.01-contiv'];
  const spell = (n: NodeName): string => (profile.natNodeNames as Record<string, string>)[n] ?? n;
  const nodes = o.traces ? NODE_NAMES.filter((n) => walkedBy(profile, n)).map(spell) : [];
  const drops: string[] = [];
  if (o.traces) {
    for (const [node, keys] of Object.entries(DROPS) as [NodeName, string[]][]) {
      for (const k of keys) drops.push(dropKey(spell(node), errorString(node, k)));
    }
  }
  const unreachable: Record<string, string> = {};
  const acl: string[] = [];
  if (o.traces) for (const a of ACL_ACTIONS) for (const p of ['first', 'middle', 'last', 'only']) acl.push(`acl-rule ${a} ${p}`);
  for (const k of [...nodes, ...drops, ...acl]) if (UNREACHABLE[k]) unreachable[k] = UNREACHABLE[k];
  return {
    keys: {
      'graph nodes': nodes,
      'drop reasons': drops,
      'ACL rules': acl,
      'policy features': [...POLICY_FEATURES],
      'case features': [],
      divergences: (o.divergences ?? []).map((d) => `divergence ${d}`),
    },
    unreachable,
  };
}

export interface CategoryCoverage {
  category: CoverageCategory;
  /** keys of the universe hit at least once */
  hit: number;
  /** keys of the universe that can be hit (unreachable ones excluded) */
  total: number;
  /** reachable keys of the universe not hit, in the universe's order */
  unhit: string[];
  /** hit keys outside the universe (another spelling, a category without a universe) */
  extra: string[];
}

/** Per category: how much of the universe a coverage count hit, and what is left. */
export function summarizeCoverage(coverage: Readonly<Record<string, number>>, u: CoverageUniverse): CategoryCoverage[] {
  return COVERAGE_CATEGORIES.map((category) => {
    const universe = u.keys[category];
    const inUniverse = new Set(universe);
    const reachable = universe.filter((k) => !u.unreachable[k] || (coverage[k] ?? 0) > 0);
    const unhit = reachable.filter((k) => !((coverage[k] ?? 0) > 0));
    const extra = Object.keys(coverage)
      .filter((k) => (coverage[k] ?? 0) > 0 && categoryOf(k) === category && !inUniverse.has(k))
      .sort();
    return { category, hit: reachable.length - unhit.length, total: reachable.length, unhit, extra };
  });
}

/** Adds counts into a total (run-wide coverage from per-property coverage). */
export function addCoverage(into: Record<string, number>, from: Readonly<Record<string, number>> | undefined): Record<string, number> {
  for (const [k, v] of Object.entries(from ?? {})) if (typeof v === 'number' && Number.isFinite(v)) into[k] = (into[k] ?? 0) + v;
  return into;
}

/** One line per category with a universe, e.g. `graph nodes 28/30 (unhit: ip4-arp, l2-output)`. */
export function coverageLines(summary: readonly CategoryCoverage[], max = 8): string[] {
  return summary
    .filter((c) => c.total > 0)
    .map((c) => `${c.category} ${c.hit}/${c.total}${c.unhit.length > 0 ? ` (unhit: ${c.unhit.slice(0, max).map((k) => k.replace(/^(drop|acl-rule|policy|divergence) /, '')).join(', ')}${c.unhit.length > max ? `, … ${c.unhit.length - max} more` : ''})` : ''}`);
}

/** A run's coverage: every property's counts added up, and the summary against the run's universe. */
export function runCoverage(r: RunResult): { total: Record<string, number>; summary: CategoryCoverage[]; universe: CoverageUniverse } {
  const total: Record<string, number> = {};
  for (const p of r.properties) {
    addCoverage(total, p.coverage);
    for (const [id, n] of Object.entries(p.knownDivergences ?? {})) if (typeof n === 'number' && Number.isFinite(n)) total[`divergence ${id}`] = (total[`divergence ${id}`] ?? 0) + n;
  }
  const universe = universeOf(r.info, total);
  return { total, summary: summarizeCoverage(total, universe), universe };
}

/**
 * The universe of a run: from the scope it recorded; for runs written before the scope was recorded, that of a
 * tracing run of the default profile when its coverage has a graph node, else of a run without traces.
 */
export function universeOf(info: Pick<RunInfo, 'coverageScope'>, total: Readonly<Record<string, number>>): CoverageUniverse {
  return coverageUniverse(info.coverageScope ?? { traces: Object.keys(total).some((k) => categoryOf(k) === 'graph nodes') });
}

/** Markdown lines of a coverage summary: a table of the categories, then the unhit and unexpected keys. */
export function coverageMarkdown(summary: readonly CategoryCoverage[], unreachable: Readonly<Record<string, string>> = {}): string[] {
  const rows = summary.filter((c) => c.total > 0 || c.extra.length > 0);
  if (rows.length === 0) return [];
  const lines = ['| category | hit | unhit |', '|---|---:|---|'];
  for (const c of rows) lines.push(`| ${c.category} | ${c.total > 0 ? `${c.hit}/${c.total}` : `${c.extra.length}`} | ${c.unhit.map((k) => `\`${k}\``).join(', ') || '—'} |`);
  const extra = rows.filter((c) => c.extra.length > 0 && c.total > 0);
  if (extra.length > 0) {
    lines.push('', 'Seen but not in the model (another spelling or behaviour of the data path under test):', '');
    for (const c of extra) lines.push(`- ${c.category}: ${c.extra.map((k) => `\`${k}\``).join(', ')}`);
  }
  const notReachable = Object.entries(unreachable);
  if (notReachable.length > 0) lines.push('', 'Not counted (no well-formed input reaches them):', '', ...notReachable.map(([k, why]) => `- \`${k}\` — ${why}`));
  return lines;
}
