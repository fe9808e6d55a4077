// The static features of a generated case: what the case *is* before any adapter runs it — the NetworkPolicy API
// features its policies use, the protocols of its connections, the kinds of its odd packets and lifecycle steps,
// its topology. They are coverage keys of their own (`policy …`, `case …`) and the handles the fuzzer steers by
// (cli/steering.ts): a case whose features are rare so far is preferred. Pure and deterministic.
import type { Cluster, LabelSelector, NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort } from '../policy/types.ts';

const SIDES = ['ingress', 'egress'] as const;
const SELECTOR_FORMS = ['all', 'matchLabels', 'In', 'NotIn', 'Exists', 'DoesNotExist'] as const;
const PEER_FORMS = ['podSelector', 'namespaceSelector', 'namespace+podSelector', 'ipBlock', 'ipBlock except'] as const;
const PORT_FORMS = ['numeric', 'named', 'range', 'protocol omitted', 'TCP', 'UDP', 'SCTP'] as const;

/**
 * Every NetworkPolicy feature the cluster generator can produce (generators/cluster.ts with its default
 * constraints), as `policy …` coverage keys. A run that never generated one of them lists it as unhit.
 */
export const POLICY_FEATURES: readonly string[] = [
  ...['absent', 'Ingress', 'Egress', 'Ingress+Egress'].map((t) => `policy policyTypes ${t}`),
  ...SELECTOR_FORMS.map((f) => `policy podSelector ${f}`),
  ...SIDES.flatMap((s) => [
    `policy ${s} rules absent`,
    `policy ${s} rules empty`,
    `policy ${s} peers absent`,
    `policy ${s} peers empty`,
    `policy ${s} ports absent`,
    ...PEER_FORMS.map((p) => `policy ${s} peer ${p}`),
    ...PORT_FORMS.map((p) => `policy ${s} port ${p}`),
  ]),
  ...SELECTOR_FORMS.map((f) => `policy peer podSelector ${f}`),
  ...(['all', 'matchLabels', 'Exists'] as const).map((f) => `policy peer namespaceSelector ${f}`),
];

/** The forms a label selector takes: empty (all), matchLabels, and each matchExpressions operator. */
function selectorForms(s: LabelSelector, out: Set<string>, prefix: string): void {
  let any = false;
  if (s.matchLabels && Object.keys(s.matchLabels).length > 0) {
    out.add(`${prefix} matchLabels`);
    any = true;
  }
  for (const e of s.matchExpressions ?? []) {
    out.add(`${prefix} ${e.operator}`);
    any = true;
  }
  if (!any) out.add(`${prefix} all`);
}

function peerFeatures(p: NetworkPolicyPeer, side: string, out: Set<string>): void {
  if (p.ipBlock) out.add(`policy ${side} peer ${p.ipBlock.except && p.ipBlock.except.length > 0 ? 'ipBlock except' : 'ipBlock'}`);
  else if (p.namespaceSelector && p.podSelector) out.add(`policy ${side} peer namespace+podSelector`);
  else if (p.namespaceSelector) out.add(`policy ${side} peer namespaceSelector`);
  else out.add(`policy ${side} peer podSelector`);
  if (p.podSelector) selectorForms(p.podSelector, out, 'policy peer podSelector');
  if (p.namespaceSelector) selectorForms(p.namespaceSelector, out, 'policy peer namespaceSelector');
}

function portFeatures(p: NetworkPolicyPort, side: string, out: Set<string>): void {
  if (typeof p.port === 'string') out.add(`policy ${side} port named`);
  else if (p.port === undefined) out.add(`policy ${side} port without number`);
  else out.add(`policy ${side} port ${p.endPort !== undefined ? 'range' : 'numeric'}`);
  out.add(`policy ${side} port ${p.protocol ?? 'protocol omitted'}`);
}

/** The `policy …` features of one NetworkPolicy (see POLICY_FEATURES). */
export function policyFeatures(p: NetworkPolicy, out: Set<string> = new Set()): Set<string> {
  out.add(`policy policyTypes ${p.policyTypes ? p.policyTypes.join('+') || 'empty' : 'absent'}`);
  selectorForms(p.podSelector, out, 'policy podSelector');
  for (const side of SIDES) {
    const rules = p[side] as { from?: NetworkPolicyPeer[]; to?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }[] | undefined;
    if (rules === undefined) {
      out.add(`policy ${side} rules absent`);
      continue;
    }
    if (rules.length === 0) out.add(`policy ${side} rules empty`);
    for (const r of rules) {
      const peers = side === 'ingress' ? r.from : r.to;
      if (peers === undefined) out.add(`policy ${side} peers absent`);
      else if (peers.length === 0) out.add(`policy ${side} peers empty`);
      else for (const peer of peers) peerFeatures(peer, side, out);
      if (r.ports === undefined || r.ports.length === 0) out.add(`policy ${side} ports absent`);
      else for (const port of r.ports) portFeatures(port, side, out);
    }
  }
  return out;
}

function isCluster(x: unknown): x is Cluster {
  return typeof x === 'object' && x !== null && Array.isArray((x as Cluster).pods) && Array.isArray((x as Cluster).policies);
}

/**
 * The static features of a case of any property: its cluster's policy features and topology, and whatever the
 * case adds (connections by protocol, odd packet kinds, lifecycle step kinds, idle times around the session
 * timeout). Cases are recognised by shape, so a new property's case gets the features of the parts it shares.
 */
export function caseFeatures(c: unknown): string[] {
  const out = new Set<string>();
  if (typeof c !== 'object' || c === null) return [];
  const o = c as Record<string, unknown>;
  const cluster = isCluster(c) ? c : isCluster(o.cluster) ? o.cluster : undefined;
  if (cluster) {
    out.add(`case nodes ${cluster.nodes?.length ?? 2}`);
    if (cluster.ipam) out.add('case ipam varied');
    if (cluster.nodes?.some((n) => n.id !== undefined)) out.add('case node ids pinned');
    out.add(cluster.policies.length === 0 ? 'case no policy' : `case policies ${Math.min(cluster.policies.length, 3)}${cluster.policies.length > 3 ? '+' : ''}`);
    for (const p of cluster.policies) policyFeatures(p, out);
  }
  if (Array.isArray(o.connections)) for (const x of o.connections as { protocol?: unknown }[]) if (typeof x?.protocol === 'string') out.add(`case connection ${x.protocol}`);
  if (Array.isArray(o.packets)) for (const x of o.packets as { kind?: unknown }[]) if (typeof x?.kind === 'string') out.add(`case odd ${x.kind}`);
  if (Array.isArray(o.steps))
    for (const x of o.steps as { kind?: unknown; fault?: unknown }[]) {
      if (typeof x?.kind === 'string') out.add(`case step ${x.kind}`);
      // nemesis steps name their fault: each fault counts (and steers) on its own
      if (x?.kind === 'fault' && typeof x.fault === 'string') out.add(`case fault ${x.fault}`);
    }
  if (typeof o.idle === 'number') out.add(`case idle ${o.idle < 120 ? 'before' : 'after'} the session timeout`);
  return [...out];
}
