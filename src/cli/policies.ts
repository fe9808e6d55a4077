// The policy part of `podflow cluster explain -f cluster.yaml` (src/cli/cluster.ts; its old name `podflow policies
// explain`): Kubernetes manifests or a kubectl dump in, per node and pod the tables
// Contiv renders as VPP ACL rules (ACL index, rule index, action, src, dst, proto, ports) with their attachments, and
// the allow matrix pod × pod × port for both semantics, marking where they differ and why. Host-network pods and pods
// without a node or an IP are listed, not rendered; --from/--to/--port select cells of the matrix.
import { ip4ToString } from '../packet/index.ts';
import { PolicyComparer, type Comparison } from '../policy/compare.ts';
import { nodeIds, type RenderedCluster } from '../policy/contiv/render.ts';
import type { AclRule } from '../reference/state/acl.ts';
import { TopologyError } from '../reference/topology/topology.ts';
import { cidrToString, makeIpam, nodePodNetwork, PodIpAllocator } from '../reference/topology/ipam.ts';
import { dumpNodeIds } from '../policy/dump.ts';
import { parseClusterDump, PolicyInputError, readClusterDump, type ClusterDump } from '../policy/yaml.ts';
import type { Cluster, Connection } from '../policy/types.ts';
import { UsageError } from './io.ts';

function aclRuleText(r: AclRule): string {
  const action = r.action === 0 ? 'deny' : r.action === 1 ? 'permit' : 'permit+reflect';
  const net = (n: AclRule['src']): string => (n ? `${ip4ToString(n.network)}/${n.prefixLen}` : 'any');
  const ports = r.proto === 6 || r.proto === 17 ? ` sport ${r.sport[0]}-${r.sport[1]} dport ${r.dport[0]}-${r.dport[1]}` : '';
  return `${action.padEnd(14)} src ${net(r.src).padEnd(18)} dst ${net(r.dst).padEnd(18)} proto ${r.proto}${ports}`;
}

/** The rendered ACLs of every node, as VPP would hold them. */
export function tablesText(r: RenderedCluster): string[] {
  const out: string[] = [];
  for (const n of r.nodes) {
    const node = r.topology.nodeById.get(n.id)!;
    out.push(`node ${n.id} (${n.name}, ${ip4ToString(node.ip.network)})`);
    if (n.acls.length === 0) out.push('  no ACLs: no pod of this node is isolated and no egress policy applies here');
    for (const a of n.acls) {
      const inputs = n.attach.filter((x) => x.input.includes(a.index)).map((x) => x.interface);
      const outputs = n.attach.filter((x) => x.output.includes(a.index)).map((x) => x.interface);
      out.push(`  ACL ${a.index} ${a.tag}: ${[inputs.length ? `input of ${inputs.join(', ')}` : '', outputs.length ? `output of ${outputs.join(', ')}` : ''].filter(Boolean).join('; ')}`);
      a.rules.forEach((rule, i) => out.push(`    rule ${String(i).padStart(2)}: ${aclRuleText(rule)}`));
    }
    for (const p of n.pods) {
      const tap = r.topology.podByName.get(p.key)!.tap.name;
      out.push(`  pod ${p.key} ${ip4ToString(p.ip)} on ${tap}: ${p.local.length > 0 ? `isolated, local table = ACL ${p.aclIndex}` : 'not isolated'}`);
    }
    out.push('');
  }
  return out;
}

function cell(c: Comparison): string {
  if (c.kind === 'agree') return c.verdict;
  if (c.kind === 'divergence') return `${c.contiv}/${c.upstream}*${c.ids.join('+')}`;
  return `${c.contiv}/${c.upstream}!UNDOCUMENTED`;
}

/** A column of the allow matrix: ports lo..hi of one protocol that every policy treats alike, judged at lo. */
export interface MatrixColumn {
  protocol: Connection['protocol'];
  lo: number;
  hi: number;
  /** a port no policy names (what a policy with ports does to every other port) */
  outside?: boolean;
}

export function columnLabel(c: MatrixColumn): string {
  if (c.protocol === 'ICMP') return 'ICMP';
  return c.lo === c.hi ? `${c.protocol}/${c.lo}` : `${c.protocol}/${c.lo}-${c.hi}`;
}

const PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;
/** Tried first for the port outside every policy: the ports a reader expects to see. */
const OUTSIDE_CANDIDATES = [80, 443, 8080];

/**
 * Columns: every port and port range a policy names (named ports as the container ports of the pods that carry
 * the name), split where the ports a policy names start or end, so the ports of one column match the same policy
 * ports and get the same verdict; a range's first port is a column of its own, as Contiv reads `port` and not
 * `endPort`. Plus one port no policy names, TCP when one is left.
 */
export function matrixColumns(cluster: Cluster): MatrixColumn[] {
  const named = new Map<string, [number, number][]>(PROTOCOLS.map((p) => [p, []]));
  for (const pol of cluster.policies) {
    for (const r of [...(pol.ingress ?? []), ...(pol.egress ?? [])]) {
      for (const port of r.ports ?? []) {
        const protocol = port.protocol ?? 'TCP';
        if (typeof port.port === 'number') named.get(protocol)!.push([port.port, port.endPort ?? port.port]);
        else if (typeof port.port === 'string') {
          for (const pod of cluster.pods) for (const cp of pod.containerPorts) if (cp.name === port.port && cp.protocol === protocol) named.get(protocol)!.push([cp.containerPort, cp.containerPort]);
        }
      }
    }
  }
  const cols: MatrixColumn[] = [];
  let outside: MatrixColumn | undefined;
  for (const protocol of PROTOCOLS) {
    const ranges = named.get(protocol)!;
    const covered = (port: number): boolean => ranges.some(([lo, hi]) => lo <= port && port <= hi);
    const bounds = [...new Set(ranges.flatMap(([lo, hi]) => [lo, lo + 1, hi + 1]))].sort((a, b) => a - b);
    for (let i = 0; i + 1 < bounds.length; i++) if (covered(bounds[i]!)) cols.push({ protocol, lo: bounds[i]!, hi: bounds[i + 1]! - 1 });
    if (!outside) {
      const free = OUTSIDE_CANDIDATES.find((p) => !covered(p)) ?? Array.from({ length: 65535 }, (_, i) => i + 1).find((p) => !covered(p));
      if (free !== undefined) outside = { protocol, lo: free, hi: free, outside: true };
    }
  }
  if (outside) cols.push(outside);
  return cols.sort((a, b) => PROTOCOLS.indexOf(a.protocol as (typeof PROTOCOLS)[number]) - PROTOCOLS.indexOf(b.protocol as (typeof PROTOCOLS)[number]) || a.lo - b.lo);
}

/** Which cells of the matrix to print: source pods (rows), destination pods, columns; all when absent. */
export interface MatrixSelection {
  from?: string[];
  to?: string[];
  columns?: MatrixColumn[];
}

export function matrixText(cluster: Cluster, cmp: PolicyComparer, select: MatrixSelection = {}): { lines: string[]; differences: number; undocumented: number } {
  const cols = select.columns ?? matrixColumns(cluster);
  const pods = cluster.pods.map((p) => `${p.namespace}/${p.name}`);
  const sources = select.from ?? pods;
  const targets = select.to ?? pods;
  const width = Math.max(12, ...targets.map((p) => p.length));
  const cellWidth = Math.max(16, ...cols.map((c) => columnLabel(c).length + 2));
  const outside = cols.find((c) => c.outside);
  const lines = [
    'allow matrix (contiv semantics; `contiv/upstream*Dn` where upstream Kubernetes differs, Dn = the documented reason):',
    `columns: the ports and port ranges the policies name, each judged at its first port (every port of a column matches the same policy ports)${outside ? `; ${columnLabel(outside)} stands for the ports no policy names` : ''}`,
    '',
  ];
  let differences = 0;
  let undocumented = 0;
  for (const src of sources) {
    const dsts = targets.filter((d) => d !== src);
    if (dsts.length === 0) continue;
    lines.push(`from ${src}:`);
    lines.push(`  ${'to'.padEnd(width)}  ${cols.map((c) => columnLabel(c).padEnd(cellWidth)).join('')}`);
    for (const dst of dsts) {
      const cells = cols.map((c) => {
        const r = cmp.compare({ src: { pod: src }, dst: { pod: dst }, protocol: c.protocol, port: c.protocol === 'ICMP' ? 0 : c.lo });
        if (r.kind !== 'agree') differences++;
        if (r.kind === 'undocumented') undocumented++;
        return cell(r).padEnd(cellWidth);
      });
      lines.push(`  ${dst.padEnd(width)}  ${cells.join('')}`);
    }
    lines.push('');
  }
  return { lines, differences, undocumented };
}

/** A pod pattern of --from/--to: `namespace/name` or `name` (any namespace); `*` matches any run of characters. */
function podPattern(pattern: string): RegExp {
  const glob = (t: string): string => t.split('*').map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return pattern.includes('/') ? new RegExp(`^${glob(pattern)}$`) : new RegExp(`^[^/]*/${glob(pattern)}$`);
}

/**
 * The pods (`namespace/name`) that the patterns of one option match; a pattern that matches none is a usage error
 * naming the option (and saying so when it names a host-network or skipped pod, which are not in the matrix).
 */
export function selectPods(option: string, patterns: readonly string[], pods: readonly string[], dump?: ClusterDump): string[] {
  const out = new Set<string>();
  for (const pattern of patterns) {
    const re = podPattern(pattern);
    const hits = pods.filter((p) => re.test(p));
    if (hits.length === 0) {
      const host = dump?.hostNetwork.find((p) => re.test(`${p.namespace}/${p.name}`));
      const skipped = dump?.skipped.find((p) => re.test(`${p.namespace}/${p.name}`));
      const why = host ? `: ${host.namespace}/${host.name} is a host-network pod (its node's host), not in the matrix` : skipped ? `: ${skipped.namespace}/${skipped.name} is skipped (${skipped.reason})` : ` (the matrix has ${pods.length} pods${pods.length > 0 ? `, e.g. ${pods.slice(0, 3).join(', ')}` : ''})`;
      throw new UsageError(`--${option} ${pattern}: matches no pod${why}`);
    }
    for (const h of hits) out.add(h);
  }
  return pods.filter((p) => out.has(p));
}

/**
 * The columns that --port values select: `<protocol>/<port>` (TCP, UDP, SCTP; protocol TCP when only a port is
 * given) picks the column holding that port, or a column of that port alone when no policy names it; `ICMP` an
 * ICMP column.
 */
export function selectColumns(values: readonly string[], cols: readonly MatrixColumn[]): MatrixColumn[] {
  const out: MatrixColumn[] = [];
  for (const value of values) {
    if (/^icmp$/i.test(value)) {
      if (!out.some((c) => c.protocol === 'ICMP')) out.push({ protocol: 'ICMP', lo: 0, hi: 0 });
      continue;
    }
    const m = /^(?:(tcp|udp|sctp)\/)?(\d{1,5})$/i.exec(value);
    const port = m ? Number(m[2]) : NaN;
    if (!m || port < 1 || port > 65535) throw new UsageError(`--port ${value}: expected <protocol>/<port> (protocol TCP, UDP or SCTP, port 1-65535; e.g. TCP/9500) or ICMP`);
    const protocol = (m[1] ?? 'TCP').toUpperCase() as Connection['protocol'];
    const col = cols.find((c) => c.protocol === protocol && c.lo <= port && port <= c.hi && !c.outside) ?? { protocol, lo: port, hi: port, outside: true };
    if (!out.includes(col) && !out.some((c) => c.protocol === col.protocol && c.lo === col.lo && c.hi === col.hi)) out.push(col);
  }
  return out;
}

/**
 * A topology error of the cluster's model (raised by buildTopology on `topology.nodes[i].pods[j]…`) as one input
 * error line naming the file and the object: the Pod whose IP is outside its node's pod subnet, the Node that has
 * more pods than its pod subnet holds.
 */
function clusterTopologyProblem(file: string, cluster: Cluster, e: TopologyError): UsageError {
  const m = /^topology\.nodes\[(\d+)\](?:\.pods\[(\d+)\])?(\.ip)?/.exec(e.path);
  const node = m ? cluster.nodes[Number(m[1])] : undefined;
  if (!node) return new UsageError(`${file}: ${e.message}`);
  const id = nodeIds(cluster).get(node.name)!;
  const onNode = cluster.pods.filter((p) => p.nodeName === node.name);
  const pod = m![2] !== undefined ? onNode[Number(m![2])] : undefined;
  const reason = e.message.slice(e.path.length + 2);
  let subnet = '';
  let capacity = 0;
  try {
    const ipam = makeIpam(cluster.ipam ?? {});
    subnet = cidrToString(nodePodNetwork(ipam, id));
    capacity = new PodIpAllocator(ipam, id).maxSeq - 1;
  } catch {
    // the IPAM itself is bad: the topology error says so
  }
  const nodeText = `node ${node.name} (Contiv node ID ${id})`;
  if (!pod) return new UsageError(`${file}: Node/${node.name}: ${reason}`);
  if (/no pod IP left/.test(reason)) {
    return new UsageError(`${file}: Node/${node.name}: ${onNode.length} pods, more than the pod subnet${subnet ? ` ${subnet}` : ''} of ${nodeText} holds (${capacity > 0 ? `${capacity} addresses` : reason})`);
  }
  const where = `${file}: Pod/${pod.namespace}/${pod.name}`;
  if (m![3] !== undefined && pod.ip !== undefined) {
    if (!/not an assignable/.test(reason) || !subnet) return new UsageError(`${where}: status.podIP ${pod.ip}: ${reason}`);
    return new UsageError(`${where}: status.podIP ${pod.ip} is outside the pod subnet ${subnet} of its ${nodeText} (or is the subnet's network, gateway, NAT loopback or broadcast address)`);
  }
  return new UsageError(`${where} on ${nodeText}: ${reason}`);
}

export interface Explained {
  cluster: Cluster;
  cmp: PolicyComparer;
  dump: ClusterDump;
  /** per node, where its Contiv node ID comes from */
  nodeIdOrigins: Map<string, string>;
}

/**
 * Reads a cluster file (a kubectl dump or podflow's own manifests) and renders it for `policies explain`: every
 * problem of the input (YAML, fields, a file with no pod to explain, pod IPs and pod counts that do not fit the
 * nodes' pod subnets) is a UsageError, one line per problem.
 */
export function explainCluster(file: string): Explained {
  return explainClusterText(undefined, file);
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** explainCluster on text already read (`text` undefined: read `file`). */
export function explainClusterText(text: string | undefined, file: string): Explained {
  let dump: ClusterDump;
  try {
    dump = text === undefined ? readClusterDump(file) : parseClusterDump(text, file);
  } catch (e) {
    if (e instanceof PolicyInputError) {
      const [first, ...more] = e.issues.map((i) => `${i.path}: ${i.message}`);
      throw new UsageError(first ?? `${file}: invalid cluster file`, more);
    }
    throw e;
  }
  if (dump.cluster.pods.length === 0) {
    const d = dump.declared;
    const services = d.Service + d.Endpoints + d.EndpointSlice > 0 ? `, ${plural(d.Service, 'Service')}, ${plural(d.Endpoints, 'Endpoints', 'Endpoints')}, ${plural(d.EndpointSlice, 'EndpointSlice')}` : '';
    const holds = `it holds ${plural(d.Namespace, 'Namespace')}, ${plural(d.Node, 'Node')}, ${plural(d.Pod, 'Pod')}${services} and ${plural(d.NetworkPolicy, 'NetworkPolicy', 'NetworkPolicies')}`;
    if (d.Pod === 0) throw new UsageError(`${file}: no Pod objects, so no pod to explain (${holds}; give the output of \`kubectl get ns,nodes,pods,services,endpoints,endpointslices,networkpolicies -A -o yaml\`)`);
    throw new UsageError(`${file}: no pod on the pod network to explain: of its ${plural(d.Pod, 'Pod')}, ${dump.hostNetwork.length} host-network and ${dump.skipped.length} skipped (without a node or an IP, or ended)`);
  }
  const { cluster, origins } = dumpNodeIds(dump);
  try {
    return { cluster, cmp: new PolicyComparer(cluster), dump, nodeIdOrigins: origins };
  } catch (e) {
    if (e instanceof TopologyError) throw clusterTopologyProblem(file, cluster, e);
    throw e;
  }
}

/** What the file held besides the pods of the matrix: missing Nodes, node IDs, host-network and skipped pods. */
export function inputText(x: Explained): string[] {
  const { cluster, dump } = x;
  const out = [`cluster: ${plural(cluster.nodes.length, 'node')}, ${plural(cluster.pods.length, 'pod')} on the pod network, ${plural(cluster.policies.length, 'NetworkPolicy', 'NetworkPolicies')}`];
  if (dump.declared.Node === 0) out.push("no Node objects in the file: nodes are taken from the pods' spec.nodeName (without their InternalIP)");
  const ids = nodeIds(cluster);
  for (const n of cluster.nodes) out.push(`  node ${n.name}: Contiv node ID ${ids.get(n.name)} (${x.nodeIdOrigins.get(n.name) ?? 'smallest unused'})`);
  if (dump.hostNetwork.length > 0) {
    out.push(`host-network pods: ${dump.hostNetwork.length} (each is its node's host: its traffic is judged as host traffic, outside the pod data path, not as a pod with an IP of its own; not in the matrix)`);
    for (const p of dump.hostNetwork) {
      const where = p.nodeName ? ` on ${p.nodeName}` : '';
      const ip = p.ip ?? (p.nodeName ? dump.nodeAddresses.get(p.nodeName) : undefined);
      out.push(`  ${p.namespace}/${p.name}${where}${ip ? ` (${ip}, the node's address)` : ''}`);
    }
  }
  if (dump.skipped.length > 0) {
    out.push(`skipped pods: ${dump.skipped.length} (not on the pod network; not in the matrix)`);
    for (const p of dump.skipped) out.push(`  ${p.namespace}/${p.name}: ${p.reason}`);
  }
  out.push('');
  return out;
}
