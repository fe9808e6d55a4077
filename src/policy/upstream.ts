// The upstream semantics oracle: Kubernetes NetworkPolicy as the documentation states it
// (https://kubernetes.io/docs/concepts/services-networking/network-policies/ and the networking.k8s.io/v1 API
// reference), read directly and independently of the Contiv renderer, with its own label-selector code.
// docs/datapath.md §10.10 lists where Contiv 9f521b2eb differs (D1–D8); this file is the right-hand column.
//
// The rules, each with the words of the documentation it follows:
// * "A pod is isolated for egress if there is any NetworkPolicy that both selects the pod and has Egress in its
//   policyTypes" (likewise ingress). A policy selects the pods of its own namespace that its podSelector matches.
// * policyTypes absent (or empty, which the API server defaults the same way): "Ingress will always be set and
//   Egress will be set if the NetworkPolicy has any egress rules".
// * "For a connection from a source pod to a destination pod to be allowed, both the egress policy on the source
//   pod and the ingress policy on the destination pod need to allow the connection." An isolated side allows
//   exactly the union of the rules of the policies that apply to it in that direction; no rules = deny all.
// * A rule allows traffic that matches both its peers and its ports. from/to absent or empty: every peer (pods and
//   IPs alike). ports absent or empty: every port and every protocol.
// * Peer: podSelector alone = pods of the policy's namespace; namespaceSelector alone = every pod of the matching
//   namespaces ({} = all namespaces); both in one peer = pods matching podSelector in namespaces matching
//   namespaceSelector (AND); two peers = OR. ipBlock = IPs in cidr and in no `except`.
// * Ports: protocol defaults to TCP; SCTP is its own protocol; `port` absent = all ports of the protocol; a number,
//   or with endPort the range port..endPort; a name = the container port of that name and protocol on the
//   DESTINATION pod (the selected pod for ingress, the peer for egress); an IP destination has no named ports.
// * "A pod cannot block access to itself": a pod's connection to itself is always allowed.
// * "Traffic to and from the node where a Pod is running is always allowed": applied when the caller passes the
//   node IPs (options.nodeIps); without them node IPs are ordinary external IPs.
// * Connections with no pod at either end are outside NetworkPolicy: allowed.
//
// Decisions where the documentation leaves room:
// * ipBlock also matches pod IPs (the docs say ipBlock "should be" for cluster-external IPs, but implementations
//   match pod IPs too; we follow the implementations). A pod without a known IP matches no ipBlock.
// * ICMP (undefined upstream): allowed only by rules without ports; a rule with ports matches only the listed
//   protocols. An isolated pod with no such rule denies ICMP.
// * Replies of allowed connections are allowed (the documented rule); this oracle judges connection attempts only.
// * Inputs the API server rejects are read literally, never thrown on: In/NotIn with no values match nothing/all,
//   values of Exists/DoesNotExist are ignored, a peer with no selector and no ipBlock matches nothing, a peer with
//   ipBlock and selectors must match both, endPort with a named port is ignored, endPort < port matches nothing.
import { ip4, prefixContains } from '../packet/addr.ts';
import type {
  Cluster,
  ClusterPod,
  Connection,
  LabelSelector,
  LabelSelectorRequirement,
  NetworkPolicy,
  NetworkPolicyPeer,
  NetworkPolicyPort,
} from './types.ts';

export type Direction = 'Ingress' | 'Egress';

export interface UpstreamOptions {
  /** Kubernetes node name → node IP; traffic between a pod and its own node is always allowed */
  nodeIps?: ReadonlyMap<string, string>;
}

/** How one side (the source's egress or the destination's ingress) judged a connection. */
export type SideVerdict =
  | { allowed: true; why: 'no-pod' }
  | { allowed: true; why: 'loopback' }
  | { allowed: true; why: 'not-isolated' }
  | { allowed: true; why: 'own-node' }
  | { allowed: true; why: 'rule'; policy: string; rule: number }
  | { allowed: false; why: 'no-rule-matches'; policies: string[] };

export interface UpstreamVerdict {
  allowed: boolean;
  /** set when the verdict did not need the policies at all */
  shortcut?: 'loopback' | 'no-pod';
  egress: SideVerdict;
  ingress: SideVerdict;
}

// ---------------------------------------------------------------------------------------------------------------
// Label selectors (metav1.LabelSelector): matchLabels and matchExpressions ANDed; an empty selector matches all.

function requirementMatches(req: LabelSelectorRequirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, req.key);
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return has && values.includes(labels[req.key]!);
    case 'NotIn':
      // a pod without the key is "not in" any set of values
      return !has || !values.includes(labels[req.key]!);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    default:
      return false;
  }
}

/** Does the selector match these labels? */
export function selectorMatches(selector: LabelSelector, labels: Record<string, string>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (!Object.hasOwn(labels, key) || labels[key] !== value) return false;
  }
  return (selector.matchExpressions ?? []).every((req) => requirementMatches(req, labels));
}

// ---------------------------------------------------------------------------------------------------------------
// Which policies apply to a pod

/** policyTypes as the API server fills them in when absent or empty. */
export function effectivePolicyTypes(policy: NetworkPolicy): Direction[] {
  if (policy.policyTypes !== undefined && policy.policyTypes.length > 0) return policy.policyTypes;
  return (policy.egress ?? []).length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
}

/** A policy selects the pods of its own namespace that its podSelector matches. */
export function policySelects(policy: NetworkPolicy, pod: ClusterPod): boolean {
  return policy.namespace === pod.namespace && selectorMatches(policy.podSelector, pod.labels);
}

/** The policies that apply to the pod for a direction, in cluster order. */
export function applyingPolicies(cluster: Cluster, pod: ClusterPod, direction: Direction): NetworkPolicy[] {
  return cluster.policies.filter((p) => policySelects(p, pod) && effectivePolicyTypes(p).includes(direction));
}

/** Is the pod isolated for the direction (some policy selecting it has the direction in its effective policyTypes)? */
export function isolated(cluster: Cluster, pod: ClusterPod, direction: Direction): boolean {
  return applyingPolicies(cluster, pod, direction).length > 0;
}

// ---------------------------------------------------------------------------------------------------------------
// Peers and ports

/** One end of a connection, resolved. */
type Endpoint = { kind: 'pod'; pod: ClusterPod; ip: string | undefined } | { kind: 'ip'; ip: string };

function parseIp(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  try {
    return ip4(text);
  } catch {
    return undefined;
  }
}

function cidrContains(cidr: string, addr: number): boolean {
  const m = /^(.+)\/(\d{1,2})$/.exec(cidr);
  const base = parseIp(m?.[1]);
  const len = Number(m?.[2]);
  return base !== undefined && len <= 32 && prefixContains(base, len, addr);
}

function ipBlockMatches(block: { cidr: string; except?: string[] }, ipText: string | undefined): boolean {
  const addr = parseIp(ipText);
  if (addr === undefined) return false;
  return cidrContains(block.cidr, addr) && !(block.except ?? []).some((ex) => cidrContains(ex, addr));
}

function namespaceLabels(cluster: Cluster, name: string): Record<string, string> {
  return cluster.namespaces.find((ns) => ns.name === name)?.labels ?? {};
}

function peerMatches(cluster: Cluster, policy: NetworkPolicy, peer: NetworkPolicyPeer, end: Endpoint): boolean {
  const hasSelector = peer.podSelector !== undefined || peer.namespaceSelector !== undefined;
  if (!hasSelector && peer.ipBlock === undefined) return false;
  if (peer.ipBlock !== undefined && !ipBlockMatches(peer.ipBlock, end.ip)) return false;
  if (!hasSelector) return true;
  if (end.kind !== 'pod') return false;
  const pod = end.pod;
  const inNamespace = peer.namespaceSelector !== undefined ? selectorMatches(peer.namespaceSelector, namespaceLabels(cluster, pod.namespace)) : pod.namespace === policy.namespace;
  return inNamespace && (peer.podSelector === undefined || selectorMatches(peer.podSelector, pod.labels));
}

function portMatches(port: NetworkPolicyPort, conn: Connection, dst: Endpoint): boolean {
  const protocol = port.protocol ?? 'TCP';
  if (conn.protocol !== protocol) return false; // ICMP never equals TCP/UDP/SCTP
  if (port.port === undefined) return true;
  if (typeof port.port === 'number') {
    const end = port.endPort ?? port.port;
    return conn.port >= port.port && conn.port <= end;
  }
  // named port: resolved against the destination pod's container ports of the same protocol
  return dst.kind === 'pod' && dst.pod.containerPorts.some((cp) => cp.name === port.port && cp.protocol === protocol && cp.containerPort === conn.port);
}

function ruleMatches(cluster: Cluster, policy: NetworkPolicy, peers: NetworkPolicyPeer[] | undefined, ports: NetworkPolicyPort[] | undefined, peer: Endpoint, conn: Connection, dst: Endpoint): boolean {
  const peerOk = peers === undefined || peers.length === 0 || peers.some((p) => peerMatches(cluster, policy, p, peer));
  const portOk = ports === undefined || ports.length === 0 || ports.some((p) => portMatches(p, conn, dst));
  return peerOk && portOk;
}

// ---------------------------------------------------------------------------------------------------------------
// Verdicts

function policyId(p: NetworkPolicy): string {
  return `${p.namespace}/${p.name}`;
}

/** `namespace/name` (a bare name means the default namespace). */
function findPod(cluster: Cluster, ref: string): ClusterPod {
  const slash = ref.indexOf('/');
  const namespace = slash >= 0 ? ref.slice(0, slash) : 'default';
  const name = slash >= 0 ? ref.slice(slash + 1) : ref;
  const pod = cluster.pods.find((p) => p.namespace === namespace && p.name === name);
  if (!pod) throw new RangeError(`connection names pod ${JSON.stringify(ref)}, which is not in the cluster`);
  return pod;
}

function resolve(cluster: Cluster, end: Connection['src'], podIps: ReadonlyMap<string, string>): Endpoint {
  if ('ip' in end) return { kind: 'ip', ip: end.ip };
  const pod = findPod(cluster, end.pod);
  return { kind: 'pod', pod, ip: podIps.get(`${pod.namespace}/${pod.name}`) ?? pod.ip };
}

/** The egress side (pod = the source, peer = the destination) or the ingress side (pod = the destination). */
function judgeSide(cluster: Cluster, direction: Direction, self: Endpoint, peer: Endpoint, conn: Connection, dst: Endpoint, options: UpstreamOptions): SideVerdict {
  if (self.kind !== 'pod') return { allowed: true, why: 'no-pod' };
  const policies = applyingPolicies(cluster, self.pod, direction);
  if (policies.length === 0) return { allowed: true, why: 'not-isolated' };
  const nodeIp = options.nodeIps?.get(self.pod.nodeName);
  if (peer.kind === 'ip' && nodeIp !== undefined && peer.ip === nodeIp) return { allowed: true, why: 'own-node' };
  for (const policy of policies) {
    const rules = direction === 'Ingress' ? (policy.ingress ?? []).map((r) => [r.from, r.ports] as const) : (policy.egress ?? []).map((r) => [r.to, r.ports] as const);
    const index = rules.findIndex(([peers, ports]) => ruleMatches(cluster, policy, peers, ports, peer, conn, dst));
    if (index >= 0) return { allowed: true, why: 'rule', policy: policyId(policy), rule: index };
  }
  return { allowed: false, why: 'no-rule-matches', policies: policies.map(policyId) };
}

/**
 * The verdict with its reasons: which policy and rule allowed each side, or which policies isolated it.
 * `podIps` maps `namespace/name` → IP (falls back to pod.ip); connection pods are named `namespace/name`.
 */
export function explainAllowed(cluster: Cluster, conn: Connection, podIps: ReadonlyMap<string, string>, options: UpstreamOptions = {}): UpstreamVerdict {
  const src = resolve(cluster, conn.src, podIps);
  const dst = resolve(cluster, conn.dst, podIps);
  if (src.kind === 'pod' && dst.kind === 'pod' && src.pod === dst.pod) {
    return { allowed: true, shortcut: 'loopback', egress: { allowed: true, why: 'loopback' }, ingress: { allowed: true, why: 'loopback' } };
  }
  const egress = judgeSide(cluster, 'Egress', src, dst, conn, dst, options);
  const ingress = judgeSide(cluster, 'Ingress', dst, src, conn, dst, options);
  const verdict: UpstreamVerdict = { allowed: egress.allowed && ingress.allowed, egress, ingress };
  if (src.kind !== 'pod' && dst.kind !== 'pod') verdict.shortcut = 'no-pod';
  return verdict;
}

/** Is the connection allowed under upstream Kubernetes NetworkPolicy semantics? */
export function allowed(cluster: Cluster, conn: Connection, podIps: ReadonlyMap<string, string>, options: UpstreamOptions = {}): boolean {
  return explainAllowed(cluster, conn, podIps, options).allowed;
}

/** One line for reports, e.g. `allowed: egress not isolated; ingress by default/web rule 0`. */
export function formatVerdict(v: UpstreamVerdict): string {
  if (v.shortcut === 'loopback') return 'allowed: a pod cannot block access to itself';
  if (v.shortcut === 'no-pod') return 'allowed: no pod at either end (outside NetworkPolicy)';
  const side = (name: string, s: SideVerdict): string => {
    switch (s.why) {
      case 'no-pod':
        return `${name} not a pod`;
      case 'loopback':
        return `${name} to itself`;
      case 'not-isolated':
        return `${name} not isolated`;
      case 'own-node':
        return `${name} from/to the pod's own node`;
      case 'rule':
        return `${name} by ${s.policy} rule ${s.rule}`;
      case 'no-rule-matches':
        return `${name} denied (isolated by ${s.policies.join(', ')}, no rule matches)`;
    }
  };
  return `${v.allowed ? 'allowed' : 'denied'}: ${side('egress', v.egress)}; ${side('ingress', v.ingress)}`;
}
