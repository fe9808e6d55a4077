// Contiv's policy processor (C:plugins/policy/processor/, docs/datapath.md §10.1–§10.4): which policies apply to a
// pod and the matches of each policy, with Contiv's own reading of the API — policyTypes missing = Ingress
// only (D5), a peer with both selectors keeps only the podSelector (D3), an empty namespaceSelector matches
// every namespace but kube-system (D4), SCTP is TCP (D2), a named port is every port (D1), and a port entry
// without a port number crashes the processor (D6), which this model reports as a render error.
import { ip4 } from '../../packet/index.ts';
import type { Cluster, ClusterPod, LabelSelector, NetworkPolicy } from '../types.ts';
import { net, subtractSubnet, type Net } from './rules.ts';

export type ContivPolicyType = 'INGRESS' | 'EGRESS' | 'INGRESS_AND_EGRESS';

export interface ContivPort {
  protocol: 'TCP' | 'UDP';
  /** 0 = all ports of the protocol */
  port: number;
}

export interface ContivMatch {
  type: 'Ingress' | 'Egress';
  /** null = any L3 peer (from/to absent or empty); [] = selectors matched nothing */
  pods: number[] | null;
  ipBlocks: Net[] | null;
  ports: ContivPort[];
}

export interface ContivPolicy {
  /** `namespace/name`, the processor's sort key */
  id: string;
  type: ContivPolicyType;
  matches: ContivMatch[];
}

/** The processor dereferences a nil port (matches_calculator.go): the Contiv agent would crash (§14 q4). */
export class ContivRenderError extends Error {
  constructor(
    readonly divergence: string,
    message: string,
  ) {
    super(message);
    this.name = 'ContivRenderError';
  }
}

/** Contiv's label selector (C:plugins/policy/cache): matchLabels and matchExpressions ANDed. */
export function selects(sel: LabelSelector, labels: Record<string, string>): boolean {
  // for…in over own keys rather than Object.entries: no pair arrays for a check run per pod and selector.
  const ml = sel.matchLabels;
  if (ml) for (const k in ml) if (Object.hasOwn(ml, k) && labels[k] !== ml[k]) return false;
  if (sel.matchExpressions) for (const e of sel.matchExpressions) {
    const has = Object.hasOwn(labels, e.key);
    const v = labels[e.key];
    switch (e.operator) {
      case 'In':
        if (!has || !(e.values ?? []).includes(v!)) return false;
        break;
      case 'NotIn':
        if (has && (e.values ?? []).includes(v!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
    }
  }
  return true;
}

function isEmptySelector(sel: LabelSelector): boolean {
  return Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0;
}

export function policyType(p: NetworkPolicy): ContivPolicyType {
  const types = new Set(p.policyTypes ?? []);
  if (types.has('Ingress') && types.has('Egress')) return 'INGRESS_AND_EGRESS';
  if (types.has('Egress')) return 'EGRESS';
  // Only Ingress, or missing/empty (DEFAULT, which the processor treats as INGRESS: D5).
  return 'INGRESS';
}

/** The pods a policy applies to: its podSelector within its own namespace (§10.1). */
export function policySelects(p: NetworkPolicy, pod: ClusterPod): boolean {
  return pod.namespace === p.namespace && selects(p.podSelector, pod.labels);
}

export interface PodIps {
  ipOf(pod: ClusterPod): number | undefined;
}

/** Deliberate rendering faults, for mutation testing of the invariant catalogue (never set in real use). */
export interface RenderFaults {
  /** ipBlock.except is not subtracted */
  ignoreIpBlockExcept?: boolean;
  /** the NAT-loopback PERMIT is not generated */
  noNatLoopbackPermit?: boolean;
  /** the global table (egress policies towards other nodes) is not rendered */
  noGlobalTable?: boolean;
}

/** The match of one rule: its peers (pods, ipBlocks) and ports, in the field order of ContivMatch. */
function match(cluster: Cluster, p: NetworkPolicy, type: ContivMatch['type'], peer: NonNullable<NetworkPolicy['ingress']>[number]['from'], list: NonNullable<NetworkPolicy['ingress']>[number]['ports'], ips: PodIps, faults: RenderFaults): ContivMatch {
  // Built field by field, not as `{ type, ...peerPods(), ports }`: object spread is a slow path in V8.
  const m = { type } as ContivMatch;
  if (!peer || peer.length === 0) {
    m.pods = null;
    m.ipBlocks = null;
  } else {
    const pods: number[] = [];
    const blocks: Net[] = [];
    peerPods(cluster, p, peer, ips, faults, pods, blocks);
    m.pods = pods;
    m.ipBlocks = blocks;
  }
  m.ports = ports(p, list);
  return m;
}

function peerPods(cluster: Cluster, p: NetworkPolicy, peer: NonNullable<NetworkPolicy['ingress']>[number]['from'] & object, ips: PodIps, faults: RenderFaults, pods: number[], blocks: Net[]): void {
  let nsLabels: Map<string, Record<string, string>> | undefined;
  for (const x of peer) {
    let selected: ClusterPod[] = [];
    if (x.podSelector) {
      // A peer with both selectors keeps only the podSelector, evaluated in the policy's namespace (D3).
      selected = cluster.pods.filter((pod) => pod.namespace === p.namespace && selects(x.podSelector!, pod.labels));
    } else if (x.namespaceSelector) {
      const sel = x.namespaceSelector;
      // An empty namespaceSelector matches every pod except those in kube-system (D4).
      nsLabels ??= new Map(cluster.namespaces.map((n) => [n.name, n.labels]));
      const labelsOf = nsLabels;
      selected = cluster.pods.filter((pod) => (isEmptySelector(sel) ? pod.namespace !== 'kube-system' : selects(sel, labelsOf.get(pod.namespace) ?? {})));
    } else if (x.ipBlock) {
      let subnets = [cidrNet(x.ipBlock.cidr)];
      for (const ex of faults.ignoreIpBlockExcept ? [] : (x.ipBlock.except ?? [])) subnets = subnets.flatMap((s) => subtractSubnet(s, cidrNet(ex)));
      blocks.push(...subnets);
      continue;
    }
    for (const pod of selected) {
      const ip = ips.ipOf(pod);
      if (ip !== undefined && !pods.includes(ip)) pods.push(ip);
    }
  }
}

export function cidrNet(cidr: string): Net {
  const [addr, len] = cidr.split('/');
  return net(ip4(addr!), Number(len));
}

function ports(p: NetworkPolicy, list: NonNullable<NetworkPolicy['ingress']>[number]['ports']): ContivPort[] {
  return (list ?? []).map((x, i) => {
    if (x.port === undefined) {
      throw new ContivRenderError('D6', `policy ${p.namespace}/${p.name}: a port entry without a port number (ports[${i}]) makes Contiv's processor dereference a nil pointer`);
    }
    // Protocol UDP is UDP; everything else, SCTP and missing included, is TCP (D2). A named port is port 0 (D1).
    return { protocol: x.protocol === 'UDP' ? 'UDP' : 'TCP', port: typeof x.port === 'number' ? x.port : 0 };
  });
}

/** The processed form of one policy (types and matches); throws ContivRenderError for D6 inputs. */
export function processPolicy(cluster: Cluster, p: NetworkPolicy, ips: PodIps, faults: RenderFaults = {}): ContivPolicy {
  const matches: ContivMatch[] = [];
  if (p.ingress) for (const r of p.ingress) matches.push(match(cluster, p, 'Ingress', r.from, r.ports, ips, faults));
  if (p.egress) for (const r of p.egress) matches.push(match(cluster, p, 'Egress', r.to, r.ports, ips, faults));
  return { id: `${p.namespace}/${p.name}`, type: policyType(p), matches };
}
