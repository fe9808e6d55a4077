// `podflow cluster explain -f cluster.yaml` (and its old name `podflow policies explain`, the same output): what
// policies/explain printed — per node and pod the VPP ACLs Contiv renders, the pod × pod × port allow matrix for
// both semantics — and the cluster's Services: per node the NAT44 static mappings Contiv renders for them and the
// NAT44 interface roles that follow (docs/datapath.md §16.2, §3.2), and per service port its backends with the
// verdict for each client pod. Connections to a Service are judged the way Kubernetes does: policies see the
// backend after translation, so client → service:port is allowed to backend B iff client → B:targetPort is
// (docs/datapath.md §16.9); a client that is itself the backend reaches itself through self-twice-NAT from the
// NAT loopback, which Contiv's local table always permits (§10.7).
import type { Command } from 'commander';
import { ip4ToString } from '../packet/index.ts';
import { PolicyComparer, type Comparison } from '../policy/compare.ts';
import { renderCluster } from '../policy/contiv/render.ts';
import { contivFormula } from '../policy/contiv/semantics.ts';
import { clusterServices, type ResolvedBackend, type ResolvedService } from '../policy/services.ts';
import { allowed } from '../policy/upstream.ts';
import type { Connection } from '../policy/types.ts';
import { describeMapping, renderServices } from '../reference/services.ts';
import type { Topology } from '../reference/topology/topology.ts';
import { explainCluster, inputText, matrixColumns, matrixText, selectColumns, selectPods, tablesText, type Explained, type MatrixSelection } from './policies.ts';
import { UsageError } from './io.ts';

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** A service pattern of --to: `svc/<namespace>/<name>` or `svc/<name>` (any namespace); `*` a wildcard. */
export function selectServices(patterns: readonly string[], services: readonly string[]): string[] {
  const out = new Set<string>();
  for (const pattern of patterns) {
    const body = pattern.slice('svc/'.length);
    const glob = (t: string): string => t.split('*').map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
    const re = body.includes('/') ? new RegExp(`^${glob(body)}$`) : new RegExp(`^[^/]*/${glob(body)}$`);
    const hits = services.filter((s) => re.test(s));
    if (hits.length === 0) throw new UsageError(`--to ${pattern}: matches no Service (the file has ${services.length}${services.length > 0 ? `: ${services.slice(0, 3).join(', ')}` : ''})`);
    for (const h of hits) out.add(h);
  }
  return services.filter((s) => out.has(s));
}

function cellText(c: Comparison): string {
  if (c.kind === 'agree') return c.verdict;
  if (c.kind === 'divergence') return `${c.contiv}/${c.upstream}*${c.ids.join('+')}`;
  return `${c.contiv}/${c.upstream}!UNDOCUMENTED`;
}

function backendText(b: ResolvedBackend, port: number | undefined): string {
  const what = b.pod !== undefined ? `pod ${b.pod}` : b.host !== undefined ? b.host : 'no pod of the file';
  const where = b.nodeName !== undefined ? ` on ${b.nodeName}${b.nodeId !== undefined ? ` (node ${b.nodeId})` : ''}` : ' (no nodeName: local on every node for Contiv)';
  return `${b.ip}:${port}  ${what}${where}${b.ready ? '' : '  NOT READY: not translated to'}`;
}

export interface ServicesText {
  lines: string[];
  differences: number;
  undocumented: number;
}

/**
 * The Services part of the explanation: per node the mappings and NAT roles, then per Service and port the
 * backends and, per client pod, the verdict for each ready backend.
 */
export function servicesText(x: Explained, topology: Topology, select: { from?: string[]; services?: string[]; ports?: string[] } = {}): ServicesText {
  const { cluster, cmp, dump } = x;
  const hostNetworkPods = new Map(dump.hostNetwork.map((p) => [`${p.namespace}/${p.name}`, p.nodeName ?? '']));
  const nodeAddresses = new Map(dump.nodeAddresses);
  // Nodes without an InternalIP in the file have the address Contiv gives them (192.168.16.<id> by default).
  for (const n of topology.nodes) if (!nodeAddresses.has(n.name)) nodeAddresses.set(n.name, ip4ToString(n.ip.network));
  const { specs, resolved } = clusterServices(cluster, cmp.podIps, { nodeAddresses, hostNetworkPods });
  const lines: string[] = [];
  if ((cluster.services ?? []).length === 0) return { lines, differences: 0, undocumented: 0 };
  lines.push(`services: ${resolved.length} (${resolved.filter((r) => r.skipped).length} without a data path)`, '');
  const perNode = renderServices(topology, specs);
  lines.push('service translations per node (NAT44 static mappings with load balancing and self-twice-NAT, docs/datapath.md §16.2):');
  for (const node of topology.nodes) {
    const ns = perNode.get(node.id)!;
    lines.push(`node ${node.id} (${node.name}, ${ip4ToString(node.ip.network)}): twice-NAT pool ${ip4ToString(ns.twiceNatPool)}`);
    if (ns.mappings.length === 0) lines.push('  no mappings: no Service has a ready endpoint');
    for (const m of ns.mappings) lines.push(`  ${describeMapping(m)}`);
    const backendTaps = ns.backendPods.map((p) => `${topology.podByName.get(p)?.tap.name ?? '?'} (${p})`);
    lines.push(`  NAT44 roles: tap0, loop0 in+out; main NIC out with the output feature; ${backendTaps.length > 0 ? `backend pod TAPs in+out: ${backendTaps.join(', ')}; ` : ''}other pod TAPs out`);
  }
  lines.push('');
  lines.push('connections to services (policies judge the backend after translation: client → service:port as client → backend:targetPort;');
  lines.push('`contiv/upstream*Dn` where they differ; a client that is the backend itself reaches itself from the NAT loopback, which Contiv always permits, docs/datapath.md §10.7):');
  let differences = 0;
  let undocumented = 0;
  const clients = select.from ?? cluster.pods.map((p) => `${p.namespace}/${p.name}`);
  const ownNodeIps = new Map<string, string>([...nodeAddresses]);
  for (const r of resolved) {
    const id = `${r.service.namespace}/${r.service.name}`;
    if (select.services && !select.services.includes(id)) continue;
    lines.push(`service ${id} (${serviceHead(r)})`);
    lines.push(`  endpoints: ${r.endpointsFrom}`);
    for (const n of r.notes) lines.push(`  note: ${n}`);
    if (r.skipped) {
      lines.push(`  skipped: ${r.skipped}`, '');
      continue;
    }
    for (const p of r.service.ports) {
      const label = `${p.protocol}/${p.port}`;
      if (select.ports && !select.ports.includes(label)) continue;
      const rendered = r.spec!.ports.find((q) => q.name === p.name);
      const where = [r.spec!.clusterIP && r.spec!.clusterIP !== 'None' ? `${r.spec!.clusterIP}:${p.port}` : '', ...(r.spec!.externalIPs ?? []).map((e) => `${e}:${p.port}`), p.nodePort !== undefined ? `<node IP>:${p.nodePort}` : ''].filter(Boolean);
      lines.push(`  port ${p.name || '(unnamed)'} ${label}${where.length ? ` on ${where.join(', ')}` : ''} → targetPort ${p.targetPort ?? p.port}${rendered && rendered.protocol !== p.protocol ? ` (Contiv: ${rendered.protocol})` : ''}${rendered ? '' : ' (not rendered, see the notes)'}`);
      const backends = r.backends.filter((b) => b.ports.has(p.name));
      if (backends.length === 0) {
        lines.push('    no backend gives this port: nothing to translate to');
        continue;
      }
      for (const b of backends) lines.push(`    backend ${backendText(b, b.ports.get(p.name))}`);
      const ready = backends.filter((b) => b.ready);
      if (ready.length === 0 || p.protocol === 'SCTP') {
        if (p.protocol === 'SCTP' && ready.length > 0) lines.push('    verdicts: upstream only (Contiv does not translate SCTP: see the notes)');
        if (ready.length === 0) continue;
      }
      for (const client of clients) {
        const cells = ready.map((b) => {
          const port = b.ports.get(p.name)!;
          const conn: Connection = { src: { pod: client }, dst: b.pod !== undefined ? { pod: b.pod } : { ip: b.ip }, protocol: p.protocol, port };
          const target = `${b.ip}:${port}`;
          if (b.pod === client && r.spec!.clusterIP === 'None') {
            // Headless: no translation; the pod connects to its own address.
            return `${target} ${cmp.upstream(conn)} (the pod's own address: no translation, a pod cannot block access to itself)`;
          }
          if (b.pod === client) {
            // Self-access: upstream "a pod cannot block access to itself"; Contiv sees the NAT loopback as source.
            const upstream = allowed(cluster, conn, cmp.podIps) ? 'allow' : 'deny';
            const contiv = cmp.rendered ? contivFormula(cmp.rendered, { ...conn, src: { ip: ip4ToString(topology.nodeById.get(cmp.rendered.podByKey.get(client)!.nodeId)!.natLoopback) } }) : 'render-error';
            if (contiv !== upstream) differences++;
            return `${target} ${contiv === upstream ? upstream : `${contiv}/${upstream}*D7`} (self-access: twice-NAT from the NAT loopback)`;
          }
          if (b.pod === undefined) {
            const upstream = allowed(cluster, conn, cmp.podIps, { nodeIps: ownNodeIps }) ? 'allow' : 'deny';
            return `${target} ${upstream} (upstream; a host backend: no Contiv pod policy applies)`;
          }
          if (p.protocol === 'SCTP') return `${target} ${cmp.upstream(conn)} (upstream)`;
          const c = cmp.compare(conn);
          if (c.kind !== 'agree') differences++;
          if (c.kind === 'undocumented') undocumented++;
          return `${target} ${cellText(c)}`;
        });
        lines.push(`    from ${client}: ${cells.join('; ')}`);
      }
    }
    lines.push('');
  }
  return { lines, differences, undocumented };
}

function serviceHead(r: ResolvedService): string {
  const s = r.service;
  const parts: string[] = [s.type];
  if (s.clusterIP !== undefined) parts.push(s.clusterIP === 'None' ? 'headless' : `cluster IP ${s.clusterIP}`);
  if (s.externalIPs.length > 0) parts.push(`external IPs ${s.externalIPs.join(', ')}`);
  if (s.externalTrafficPolicy === 'Local') parts.push('externalTrafficPolicy Local');
  return parts.join(', ');
}

export interface ClusterExplainOptions {
  file: string;
  matrix: boolean;
  from?: string[];
  to?: string[];
  port?: string[];
}

/** The whole explanation and its exit code (1 when a difference between contiv and upstream is undocumented). */
export function clusterExplainText(opts: ClusterExplainOptions): { text: string; exit: number } {
  const x = explainCluster(opts.file);
  const { cluster, cmp } = x;
  const pods = cluster.pods.map((p) => `${p.namespace}/${p.name}`);
  const serviceIds = (cluster.services ?? []).map((s) => `${s.namespace}/${s.name}`);
  const select: MatrixSelection = {};
  const toServices = (opts.to ?? []).filter((t) => t.startsWith('svc/'));
  const toPods = (opts.to ?? []).filter((t) => !t.startsWith('svc/'));
  if (opts.from) select.from = selectPods('from', opts.from, pods, x.dump);
  if (toPods.length > 0) select.to = selectPods('to', toPods, pods, x.dump);
  else if (toServices.length > 0) select.to = [];
  const services = toServices.length > 0 ? selectServices(toServices, serviceIds) : toPods.length > 0 ? [] : undefined;
  if (opts.port) select.columns = selectColumns(opts.port, matrixColumns(cluster));
  const out = inputText(x);
  if (cmp.renderError) out.push(`Contiv cannot render this cluster (DIVERGENCE ${cmp.renderError.divergence}): ${cmp.renderError.message}`, '');
  else out.push(...tablesText(cmp.rendered!));
  let undocumented = 0;
  let differences = 0;
  if (opts.matrix && select.to?.length !== 0) {
    const m = matrixText(cluster, cmp, select);
    out.push(...m.lines);
    differences += m.differences;
    undocumented += m.undocumented;
  }
  const topology = (cmp.rendered ?? renderCluster({ ...cluster, policies: [] })).topology;
  const ports = opts.port?.map((v) => {
    const m = /^(?:(tcp|udp|sctp)\/)?(\d{1,5})$/i.exec(v);
    return m ? `${(m[1] ?? 'TCP').toUpperCase()}/${Number(m[2])}` : v.toUpperCase();
  });
  const svc = servicesText(x, topology, { ...(select.from ? { from: select.from } : {}), ...(services ? { services } : {}), ...(ports ? { ports } : {}) });
  out.push(...svc.lines);
  differences += svc.differences;
  undocumented += svc.undocumented;
  if (opts.matrix || svc.lines.length > 0) out.push(`${differences} cell(s) where contiv and upstream differ${undocumented ? `, ${undocumented} of them UNDOCUMENTED` : ''}`);
  return { text: `${out.join('\n')}\n`, exit: undocumented > 0 ? 1 : 0 };
}

function addExplain(parent: Command, setExit: (code: number) => void, description: string): void {
  parent
    .command('explain')
    .description(description)
    .requiredOption('-f, --file <cluster.yaml>', 'Kubernetes YAML: Namespaces, Nodes, Pods, NetworkPolicies, Services, Endpoints, EndpointSlices (multi-document or List), e.g. what `kubectl get ns,nodes,pods,services,endpoints,endpointslices,networkpolicies -A -o yaml` prints')
    .option('--no-matrix', 'print no pod × pod allow matrix')
    .option('--from <pod>', 'clients: source pods, `namespace/name` or `name`, `*` as a wildcard (repeatable)', collect)
    .option('--to <pod|svc/ns/name>', 'destination pods like --from, or Services as `svc/<namespace>/<name>` or `svc/<name>` (repeatable)', collect)
    .option('--port <proto/port>', 'matrix columns (the column holding this port) and service ports (by their port), e.g. TCP/9500, UDP/53, ICMP (repeatable)', collect)
    .action((opts: ClusterExplainOptions) => {
      const r = clusterExplainText(opts);
      process.stdout.write(r.text);
      setExit(r.exit);
    });
}

export function registerClusterCommands(program: Command, setExit: (code: number) => void): void {
  const cluster = program.command('cluster').description('a Kubernetes cluster file: Contiv rendering of its policies and Services, and their semantics');
  addExplain(cluster, setExit, 'render a cluster file the way Contiv does: VPP ACLs per node and pod, the allow matrix for contiv and upstream semantics, and the Services: NAT44 mappings per node and the verdicts per backend');
  const policies = program.command('policies').description('the old name of `podflow cluster` (same commands, same output)');
  addExplain(policies, setExit, 'the same as `podflow cluster explain`');
}
