// `podflow policies explain -f cluster.yaml`: Kubernetes manifests in, per node and pod the tables Contiv renders
// as VPP ACL rules (ACL index, rule index, action, src, dst, proto, ports) with their attachments, and the allow
// matrix pod × pod × port for both semantics, marking where they differ and why.
import type { Command } from 'commander';
import { ip4ToString } from '../packet/index.ts';
import { PolicyComparer, type Comparison } from '../policy/compare.ts';
import { nodeIds, type RenderedCluster } from '../policy/contiv/render.ts';
import type { AclRule } from '../reference/state/acl.ts';
import { TopologyError } from '../reference/topology/topology.ts';
import { cidrToString, makeIpam, nodePodNetwork, PodIpAllocator } from '../reference/topology/ipam.ts';
import { parseClusterYaml, PolicyInputError, readClusterFile } from '../policy/yaml.ts';
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

const COLUMNS: [Connection['protocol'], number][] = [
  ['TCP', 80],
  ['TCP', 443],
  ['TCP', 8080],
  ['UDP', 53],
  ['ICMP', 0],
  ['SCTP', 80],
];

function cell(c: Comparison): string {
  if (c.kind === 'agree') return c.verdict;
  if (c.kind === 'divergence') return `${c.contiv}/${c.upstream}*${c.ids.join('+')}`;
  return `${c.contiv}/${c.upstream}!UNDOCUMENTED`;
}

/** Columns: the common ports plus every port the policies and pods name. */
export function matrixColumns(cluster: Cluster): [Connection['protocol'], number][] {
  const cols = new Map(COLUMNS.map(([p, n]) => [`${p}/${n}`, [p, n] as [Connection['protocol'], number]]));
  const add = (p: Connection['protocol'], n: number): void => void cols.set(`${p}/${n}`, [p, n]);
  for (const pod of cluster.pods) for (const cp of pod.containerPorts) add(cp.protocol, cp.containerPort);
  for (const pol of cluster.policies)
    for (const r of [...(pol.ingress ?? []), ...(pol.egress ?? [])]) for (const port of r.ports ?? []) if (typeof port.port === 'number') add(port.protocol ?? 'TCP', port.port);
  return [...cols.values()].sort((a, b) => (a[0] === b[0] ? a[1] - b[1] : a[0] < b[0] ? -1 : 1));
}

export function matrixText(cluster: Cluster, cmp: PolicyComparer): { lines: string[]; differences: number; undocumented: number } {
  const cols = matrixColumns(cluster);
  const pods = cluster.pods.map((p) => `${p.namespace}/${p.name}`);
  const width = Math.max(12, ...pods.map((p) => p.length));
  const lines = ['allow matrix (contiv semantics; `contiv/upstream*Dn` where upstream Kubernetes differs, Dn = the documented reason):', ''];
  let differences = 0;
  let undocumented = 0;
  for (const src of pods) {
    lines.push(`from ${src}:`);
    lines.push(`  ${'to'.padEnd(width)}  ${cols.map(([p, n]) => (p === 'ICMP' ? 'ICMP' : `${p}/${n}`).padEnd(16)).join('')}`);
    for (const dst of pods) {
      if (dst === src) continue;
      const cells = cols.map(([protocol, port]) => {
        const c = cmp.compare({ src: { pod: src }, dst: { pod: dst }, protocol, port });
        if (c.kind !== 'agree') differences++;
        if (c.kind === 'undocumented') undocumented++;
        return cell(c).padEnd(16);
      });
      lines.push(`  ${dst.padEnd(width)}  ${cells.join('')}`);
    }
    lines.push('');
  }
  return { lines, differences, undocumented };
}

/**
 * A topology error of the cluster's model (raised by buildTopology on `topology.nodes[i].pods[j]…`) as an input
 * error naming the pod and its Kubernetes node: a pod IP outside its node's pod subnet, more pods on a node than
 * the subnet holds.
 */
function clusterTopologyProblem(file: string, cluster: Cluster, e: TopologyError): UsageError {
  const m = /^topology\.nodes\[(\d+)\](?:\.pods\[(\d+)\])?(\.ip)?/.exec(e.path);
  const node = m ? cluster.nodes[Number(m[1])] : undefined;
  if (!node) return new UsageError(`${file}: ${e.message}`);
  const ids = nodeIds(cluster);
  const id = ids.get(node.name)!;
  const onNode = cluster.pods.filter((p) => p.nodeName === node.name);
  const pod = m![2] !== undefined ? onNode[Number(m![2])] : undefined;
  const reason = e.message.slice(e.path.length + 2);
  if (!pod) return new UsageError(`${file}: node ${node.name} (Contiv node ID ${id}): ${reason}`);
  const where = `${file}: pod ${pod.namespace}/${pod.name} on node ${node.name} (Contiv node ID ${id})`;
  let subnet = '';
  let capacity = 0;
  try {
    const ipam = makeIpam(cluster.ipam ?? {});
    subnet = cidrToString(nodePodNetwork(ipam, id));
    capacity = new PodIpAllocator(ipam, id).maxSeq - 1;
  } catch {
    // the IPAM itself is bad: the topology error says so
  }
  if (m![3] !== undefined && pod.ip !== undefined) {
    if (!/not an assignable/.test(reason) || !subnet) return new UsageError(`${where}: status.podIP ${pod.ip}: ${reason}`);
    return new UsageError(`${where}: status.podIP ${pod.ip} is outside the node's pod subnet ${subnet} (or is its network, gateway, NAT loopback or broadcast address)`);
  }
  if (/no pod IP left/.test(reason)) {
    return new UsageError(`${where}: the node has ${onNode.length} pods, more than its pod subnet${subnet ? ` ${subnet}` : ''} holds (${capacity > 0 ? `${capacity} addresses` : reason})`);
  }
  return new UsageError(`${where}: ${reason}`);
}

/**
 * Reads a cluster file and renders it for `policies explain`: every problem of the input (YAML, fields, pod
 * IPs and pod counts that do not fit the nodes' pod subnets) is a UsageError, one line per problem.
 */
export function explainCluster(file: string): { cluster: Cluster; cmp: PolicyComparer } {
  return explainClusterText(undefined, file);
}

/** explainCluster on text already read (`text` undefined: read `file`). */
export function explainClusterText(text: string | undefined, file: string): { cluster: Cluster; cmp: PolicyComparer } {
  let cluster: Cluster;
  try {
    cluster = text === undefined ? readClusterFile(file) : parseClusterYaml(text, file);
  } catch (e) {
    if (e instanceof PolicyInputError) {
      const [first, ...more] = e.issues.map((i) => `${i.path}: ${i.message}`);
      throw new UsageError(first ?? `${file}: invalid cluster file`, more);
    }
    throw e;
  }
  try {
    return { cluster, cmp: new PolicyComparer(cluster) };
  } catch (e) {
    if (e instanceof TopologyError) throw clusterTopologyProblem(file, cluster, e);
    throw e;
  }
}

export function registerPoliciesCommands(program: Command, setExit: (code: number) => void): void {
  const policies = program.command('policies').description('Kubernetes NetworkPolicies: Contiv rendering and semantics');
  policies
    .command('explain')
    .description('render a cluster file the way Contiv does: VPP ACLs per node and pod, and the allow matrix for contiv and upstream semantics')
    .requiredOption('-f, --file <cluster.yaml>', 'Kubernetes YAML: Namespaces, Nodes, Pods and NetworkPolicies (multi-document or List)')
    .option('--no-matrix', 'print only the rendered tables')
    .action((opts: { file: string; matrix: boolean }) => {
      const { cluster, cmp } = explainCluster(opts.file);
      const out: string[] = [];
      if (cmp.renderError) out.push(`Contiv cannot render this cluster (DIVERGENCE ${cmp.renderError.divergence}): ${cmp.renderError.message}`, '');
      else out.push(...tablesText(cmp.rendered!));
      let undocumented = 0;
      if (opts.matrix) {
        const m = matrixText(cluster, cmp);
        out.push(...m.lines, `${m.differences} cell(s) where contiv and upstream differ${m.undocumented ? `, ${m.undocumented} of them UNDOCUMENTED` : ''}`);
        undocumented = m.undocumented;
      }
      process.stdout.write(`${out.join('\n')}\n`);
      setExit(undocumented > 0 ? 1 : 0);
    });
}
