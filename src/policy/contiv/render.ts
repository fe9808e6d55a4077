// Kubernetes cluster → Contiv's rendered configuration per node (docs/datapath.md §10, §3.1): the pods' rule lists,
// local and global tables, and the VPP ACLs with their attachments (per-pod output ACL, Global ACL on the main
// NIC / loop0 / tap0 output, Reflective ACL on input), shared where tables are identical, fed to the model.
import { ip4ToString } from '../../packet/index.ts';
import type { NodeSpec, ScenarioInput } from '../../reference/scenario.ts';
import type { Acl, AclRule } from '../../reference/state/acl.ts';
import type { AclConfig } from '../../reference/state/vpp.ts';
import { buildTopology, type Interface, type Topology } from '../../reference/topology/topology.ts';
import type { Cluster, ClusterPod } from '../types.ts';
import { podRules, type PodRules } from './configurator.ts';
import { policySelects, processPolicy, type ContivPolicy, type PodIps, type RenderFaults } from './processor.ts';
import { rulesEqual, type ContivRule } from './rules.ts';
import { globalTable, localTable, type LocalPod } from './tables.ts';

export const REFLECTION_TAG = 'contiv/vpp-policy-REFLECTION';
export const GLOBAL_TAG = 'contiv/vpp-policy-NODE-GLOBAL';

export function podKey(p: Pick<ClusterPod, 'namespace' | 'name'>): string {
  return `${p.namespace}/${p.name}`;
}

/** Contiv node IDs: pinned ones first, then the smallest unused positive integer in order of appearance. */
export function nodeIds(cluster: Cluster): Map<string, number> {
  const ids = new Map<string, number>();
  const used = new Set<number>();
  for (const n of cluster.nodes) if (n.id !== undefined) {
    ids.set(n.name, n.id);
    used.add(n.id);
  }
  let next = 1;
  for (const n of cluster.nodes) {
    if (ids.has(n.name)) continue;
    while (used.has(next)) next++;
    ids.set(n.name, next);
    used.add(next);
  }
  return ids;
}

/** The scenario topology of a cluster: one model node per Kubernetes node, pods named `namespace/name`. */
export function clusterTopologyInput(cluster: Cluster): ScenarioInput {
  const topology: ScenarioInput['topology'] = { nodes: clusterNodeSpecs(cluster) };
  if (cluster.ipam) topology.ipam = cluster.ipam;
  return { version: 1, topology };
}

/**
 * The node specs of clusterTopologyInput, every schema default already present (what trustedScenario would
 * make of them, field for field), so that renderCluster can build the topology from them directly.
 */
function clusterNodeSpecs(cluster: Cluster): NodeSpec[] {
  const ids = nodeIds(cluster);
  return cluster.nodes.map((n) => nodeSpec(n, ids.get(n.name)!, cluster));
}

/** One node's spec: its host stack and gateway when the cluster gives them (docs/datapath.md §17), its pods. */
function nodeSpec(n: Cluster['nodes'][number], id: number, cluster: Cluster): NodeSpec {
  const spec: NodeSpec = {
    id,
    name: n.name,
    gbe: {},
    tap0: {},
    loop0: {},
    tunnels: {},
    pods: cluster.pods
      .filter((p) => p.nodeName === n.name)
      .map((p) => {
        // Conditional fields are assigned, not spread: object spread is a slow path in V8 (a fuzz case renders).
        const pod: NodeSpec['pods'][number] = {
          name: podKey(p),
          namespace: p.namespace,
          labels: p.labels,
          serviceEndpoint: false,
          containerPorts: p.containerPorts.map((c) => {
            const port: NodeSpec['pods'][number]['containerPorts'][number] = { port: c.containerPort, protocol: c.protocol };
            if (c.name !== undefined) port.name = c.name;
            return port;
          }),
          tap: {},
        };
        if (p.ip !== undefined) pod.ip = p.ip;
        if (p.tap !== undefined) pod.tap = { name: p.tap.name, swIfIndex: p.tap.swIfIndex };
        return pod;
      }),
  };
  if (n.host?.ips) spec.hostIps = n.host.ips;
  if (n.host?.mac !== undefined) spec.hostMac = n.host.mac;
  if (n.gateway) spec.gateway = { ip: n.gateway.ip, mac: n.gateway.mac };
  return spec;
}

export interface RenderedPod {
  key: string;
  ip: number;
  nodeId: number;
  rules: PodRules;
  local: ContivRule[];
  /** the VPP ACL index of its local table, when isolated */
  aclIndex?: number;
}

export interface RenderedAcl {
  index: number;
  tag: string;
  contiv: ContivRule[];
  rules: AclRule[];
}

export interface RenderedNode {
  id: number;
  name: string;
  pods: RenderedPod[];
  global: ContivRule[];
  acls: RenderedAcl[];
  /** by VPP interface name */
  attach: { interface: string; input: number[]; output: number[] }[];
  config: AclConfig;
}

export interface RenderedCluster {
  topology: Topology;
  nodes: RenderedNode[];
  podByKey: Map<string, RenderedPod>;
  policies: ContivPolicy[];
}

/** ContivRule → VPP ACL rule (§10.9): DENY/PERMIT, any networks omitted, TCP/UDP with a destination port range, ANY as protocol 0. */
export function toAclRule(r: ContivRule): AclRule {
  const rule: AclRule = { action: r.action === 'DENY' ? 0 : 1, proto: 0, sport: [0, 65535], dport: [0, 65535] };
  if (r.src) rule.src = r.src;
  if (r.dst) rule.dst = r.dst;
  if (r.protocol === 'TCP' || r.protocol === 'UDP') {
    rule.proto = r.protocol === 'TCP' ? 6 : 17;
    if (r.dstPort !== 0) rule.dport = [r.dstPort, r.dstPort];
  }
  return rule;
}

function attachAcl(attach: RenderedNode['attach'], config: AclConfig, ifc: Interface, input: number, output: number): void {
  const a = { interface: ifc.name, input: [input], output: [output] };
  attach.push(a);
  config.input.set(ifc.swIfIndex, a.input);
  config.output.set(ifc.swIfIndex, a.output);
}

/** Renders every node of the cluster as Contiv would; throws ContivRenderError where Contiv would crash (D6). */
export function renderCluster(cluster: Cluster, faults: RenderFaults = {}): RenderedCluster {
  // The node specs go to buildTopology as they are: they already are what trustedScenario would return.
  const topology = buildTopology(clusterNodeSpecs(cluster), cluster.ipam ?? {});
  // Pod keys are built once per pod (not per selector match): a fresh `ns/name` string is concatenated and
  // hashed on every Map lookup.
  const clusterPodByKey = new Map<string, ClusterPod>();
  const podIps: (number | undefined)[] = [];
  for (const p of cluster.pods) {
    const key = podKey(p);
    clusterPodByKey.set(key, p);
    podIps.push(topology.podByName.get(key)?.ip);
  }
  // A method, not an arrow property: tsx (esbuild keepNames) wraps named closures in a defineProperty call. By
  // index rather than a Map keyed by pod objects (which gives each pod an identity hash): a cluster has few pods.
  const ips: PodIps = {
    ipOf(pod) {
      const i = cluster.pods.indexOf(pod);
      return i < 0 ? topology.podByName.get(podKey(pod))?.ip : podIps[i];
    },
  };
  const policies = cluster.policies.map((p) => processPolicy(cluster, p, ips, faults));
  const nodes: RenderedNode[] = [];
  const podByKey = new Map<string, RenderedPod>();
  for (const node of topology.nodes) {
    const pods: RenderedPod[] = [];
    for (const mp of node.pods) {
      const cp = clusterPodByKey.get(mp.name)!;
      const applied: ContivPolicy[] = [];
      for (let i = 0; i < policies.length; i++) if (policySelects(cluster.policies[i]!, cp)) applied.push(policies[i]!);
      pods.push({ key: mp.name, ip: mp.ip, nodeId: node.id, rules: podRules(applied, node.natLoopback, faults), local: [] });
    }
    const locals: LocalPod[] = pods.map((p) => ({ ip: p.ip, rules: p.rules }));
    pods.forEach((p, i) => (p.local = localTable(locals[i]!, locals)));
    const global = faults.noGlobalTable ? [] : globalTable(locals);
    // VPP ACLs: the Reflective ACL, each distinct local table once, the Global ACL (indices in creation order).
    const acls: RenderedAcl[] = [];
    const isolated = pods.filter((p) => p.local.length > 0);
    const needsReflection = isolated.length > 0 || global.length > 0;
    if (needsReflection) acls.push({ index: 0, tag: REFLECTION_TAG, contiv: [], rules: [{ action: 2, proto: 0, sport: [0, 65535], dport: [0, 65535] }] });
    for (const p of isolated) {
      const shared = acls.find((a) => a.tag !== REFLECTION_TAG && a.tag !== GLOBAL_TAG && rulesEqual(a.contiv, p.local));
      if (shared) p.aclIndex = shared.index;
      else {
        p.aclIndex = acls.length;
        acls.push({ index: acls.length, tag: `contiv/vpp-policy-local-${ip4ToString(p.ip)}`, contiv: p.local, rules: p.local.map(toAclRule) });
      }
    }
    let globalIndex: number | undefined;
    if (global.length > 0) {
      globalIndex = acls.length;
      acls.push({ index: globalIndex, tag: GLOBAL_TAG, contiv: global, rules: global.map(toAclRule) });
    }
    // Attachments by name for the adapters, by sw_if_index for the model: the interfaces are at hand (no
    // by-name map per node), and every attachment has an input and an output ACL.
    const attach: RenderedNode['attach'] = [];
    const config: AclConfig = { acls: new Map(), input: new Map(), output: new Map() };
    for (const a of acls) config.acls.set(a.index, { index: a.index, tag: a.tag, rules: a.rules } satisfies Acl);
    for (const p of isolated) attachAcl(attach, config, topology.podByName.get(p.key)!.tap, 0, p.aclIndex!);
    if (globalIndex !== undefined) for (const ifc of [node.gbe, node.loop0, node.tap0]) attachAcl(attach, config, ifc, 0, globalIndex);
    nodes.push({ id: node.id, name: node.name, pods, global, acls, attach, config });
    for (const p of pods) podByKey.set(p.key, p);
  }
  return { topology, nodes, podByKey, policies };
}
