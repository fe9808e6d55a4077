// Scenario topology and ACL configuration → the vppctl commands of each node (profile vpp-current: the CLI of
// VPP ≥ 20.05, docs/datapath.md §13). Pure: no I/O, unit-tested without VPP. What Contiv configures (§2.5–§2.7, §3):
// loop0 as BVI of bridge domain 1 (learning and flooding off), one VXLAN tunnel (VNI 10) per remote node with a
// static neighbour and a static L2 FIB entry for the remote BVI, routes to the remote pod subnets, per pod an
// interface with its /32 route and static neighbour, NAT44 with identity mappings for the node IP, and the ACLs.
//
// Lab interface names (the model's name → the lab's), used for ACL attachment and to read traces back:
//   GigabitEthernet0/8/0 → the lab file's `gbe` (af_packet host-… or memif…), loop0 → loop0 (the first loopback),
//   tap0 → pg0 (a packet-generator interface with tap0's address and MAC: a lab has no host stack, so injecting on
//   pg0 = the host stack sends over tap0, capturing its TX = the host receives; the host's end is a static neighbour),
//   vxlan_tunnel<k> → vxlan_tunnel<k> (created with `instance k`), pod tap<N> → pg<N> (a packet-generator
//   interface: injecting on it = the pod transmits, capturing its TX = the pod receives).
import { VXLAN_PORT } from '../../packet/index.ts';
import type { AdapterAclConfig, AdapterNode, AdapterServiceConfig, AdapterTopology } from '../adapter.ts';
import { hostEnds, TAP0_MAC } from '../host.ts';

export { hostEnds, TAP0_MAC };


export const VXLAN_BD = 1;

/** The model's interface names on one node and the lab's names for them. */
export interface LabNames {
  toLab: Map<string, string>;
  toModel: Map<string, string>;
}

/** Numbers of the pod interfaces: `tap<N>` and `pg<N>` keep N; any other name gets the next free number from 1000. */
export function labNames(node: AdapterNode, all: AdapterTopology, gbe: string): LabNames {
  const toLab = new Map<string, string>([
    [node.gbe.name, gbe],
    ['loop0', 'loop0'],
    ['tap0', 'pg0'],
  ]);
  tunnelsOf(node, all).forEach((t) => toLab.set(t.name, t.name));
  const used = new Set<number>([0]);
  for (const p of node.pods) {
    const m = /^(?:tap|pg)(\d+)$/.exec(p.tap.name);
    if (m) used.add(Number(m[1]));
  }
  let next = 1000;
  for (const p of node.pods) {
    const m = /^(?:tap|pg)(\d+)$/.exec(p.tap.name);
    let n: number;
    if (m && Number(m[1]) !== 0) n = Number(m[1]);
    else {
      while (used.has(next)) next++;
      n = next++;
      used.add(n);
    }
    toLab.set(p.tap.name, `pg${n}`);
  }
  return { toLab, toModel: new Map([...toLab].map(([k, v]) => [v, k])) };
}

/** One tunnel per remote node in node-ID order, instance = position (the model's default numbering, §2.4). */
export function tunnelsOf(node: AdapterNode, all: AdapterTopology): { name: string; instance: number; remote: AdapterNode }[] {
  return [...all.nodes]
    .filter((n) => n.id !== node.id)
    .sort((a, b) => a.id - b.id)
    .map((remote, instance) => ({ name: `vxlan_tunnel${instance}`, instance, remote }));
}

function offsetAddr(ip: string, offset: number): string {
  const n = (ip.split('.').reduce((a, b) => a * 256 + Number(b), 0) + offset) >>> 0;
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function addrOf(cidr: string): string {
  return cidr.split('/')[0]!;
}

export interface RenderOptions {
  /** the lab's main NIC name on this node */
  gbe: string;
  /**
   * NAT44 as Contiv configures it (defaults all on), or broken on purpose: without identity mappings and with a
   * pool address `poolOffset` above the node IP, VXLAN leaves source-translated.
   */
  nat?: { forwarding?: boolean; vxlanIdentity?: boolean; addressIdentity?: boolean; poolOffset?: number };
  sessions?: { udpIdle?: number; tcpIdle?: number; tcpTransient?: number; maxEntries?: number };
}

/**
 * One configuration command and the command that takes it back (none: nothing to undo, e.g. an interface
 * state, a MAC that the next configuration sets again, or a packet-generator interface, which the lab keeps
 * and the next configuration reuses; VPP 26.06 can delete one, as pod-replaced does).
 */
export interface ConfigStep {
  do: string;
  undo?: string;
}

/**
 * The node's configuration without ACLs, for a VPP where only the lab's main NIC exists (and packet-generator
 * interfaces of earlier configurations). The lab's main NIC gets the scenario's MAC and node IP; the other
 * nodes' NIC MACs are static neighbours (no ARP on the wire: every frame on it belongs to a scenario packet).
 * Undo the steps in reverse order to get back to that VPP.
 */
export function renderNodeConfig(node: AdapterNode, all: AdapterTopology, o: RenderOptions): ConfigStep[] {
  const names = labNames(node, all, o.gbe);
  const lab = (model: string): string => names.toLab.get(model)!;
  const c: ConfigStep[] = [];
  const step = (d: string, undo?: string): void => {
    c.push(undo === undefined ? { do: d } : { do: d, undo });
  };
  // Main NIC (node interconnect).
  step(`set interface mac address ${o.gbe} ${node.gbe.mac}`);
  step(`set interface ip address ${o.gbe} ${node.nodeIp}`, `set interface ip address del ${o.gbe} ${node.nodeIp}`);
  step(`set interface state ${o.gbe} up`);
  // loop0: the BVI of the VXLAN bridge domain.
  step(`create loopback interface mac ${node.bvi.mac} instance 0`, 'delete loopback interface intfc loop0');
  step(`set interface ip address loop0 ${node.bvi.ip}`, `set interface ip address del loop0 ${node.bvi.ip}`);
  step('set interface state loop0 up');
  step(`create bridge-domain ${VXLAN_BD} learn 0 forward 1 uu-flood 0 flood 0 arp-term 0`, `create bridge-domain ${VXLAN_BD} del`);
  step(`set interface l2 bridge loop0 ${VXLAN_BD} bvi 1`, 'set interface l3 loop0');
  // Default route (§2.6, §17): via the gateway the node config names, on the main NIC, its MAC a static neighbour
  // (no ARP on the wire: every frame on it belongs to a scenario packet).
  if (node.gateway) {
    step(`set ip neighbor ${o.gbe} ${node.gateway.ip} ${node.gateway.mac} static`, `set ip neighbor del ${o.gbe} ${node.gateway.ip} ${node.gateway.mac}`);
    step(`ip route add 0.0.0.0/0 via ${node.gateway.ip} ${o.gbe}`, `ip route del 0.0.0.0/0 via ${node.gateway.ip} ${o.gbe}`);
  }
  // tap0 stand-in (§17): a packet-generator interface with tap0's MAC and address; the host's end a static
  // neighbour (Contiv learns it by ARP, §17), the host's other addresses routed via it (routesToHost).
  const host = hostEnds(node);
  step('create packet-generator interface pg0');
  step(`set interface mac address pg0 ${TAP0_MAC}`);
  step(`set interface ip address pg0 ${host.tap0}`, `set interface ip address del pg0 ${host.tap0}`);
  step('set interface state pg0 up', 'set interface state pg0 down');
  if (host.mac) step(`set ip neighbor pg0 ${host.host} ${host.mac} static`, `set ip neighbor del pg0 ${host.host} ${host.mac}`);
  for (const a of host.addresses) {
    const prefix = a.includes('/') ? a : `${a}/32`;
    step(`ip route add ${prefix} via ${host.host} pg0`, `ip route del ${prefix} via ${host.host} pg0`);
  }
  // Per remote node (§2.7): tunnel, BD membership (SHG 1), static neighbour and L2 FIB entry, routes.
  for (const t of tunnelsOf(node, all)) {
    const tunnel = `vxlan tunnel src ${addrOf(node.nodeIp)} dst ${addrOf(t.remote.nodeIp)} vni ${t.remote.vni}`;
    step(`create ${tunnel} instance ${t.instance}`, `create ${tunnel} del`);
    step(`set interface state ${t.name} up`);
    step(`set interface l2 bridge ${t.name} ${VXLAN_BD} 1`, `set interface l3 ${t.name}`);
    step(`set ip neighbor loop0 ${addrOf(t.remote.bvi.ip)} ${t.remote.bvi.mac} static`, `set ip neighbor del loop0 ${addrOf(t.remote.bvi.ip)} ${t.remote.bvi.mac}`);
    step(`l2fib add ${t.remote.bvi.mac} ${VXLAN_BD} ${t.name} static`, `l2fib del ${t.remote.bvi.mac} ${VXLAN_BD}`);
    step(`set ip neighbor ${o.gbe} ${addrOf(t.remote.nodeIp)} ${t.remote.gbe.mac} static`, `set ip neighbor del ${o.gbe} ${addrOf(t.remote.nodeIp)} ${t.remote.gbe.mac}`);
    if (t.remote.podSubnet) step(`ip route add ${t.remote.podSubnet} via ${addrOf(t.remote.bvi.ip)}`, `ip route del ${t.remote.podSubnet} via ${addrOf(t.remote.bvi.ip)}`);
    // §17.3: the remote node's host network (routeToOtherHostStack) and management IP, its first host address
    // (routeToOtherManagementIP), via its BVI
    const rh = hostEnds(t.remote);
    const rhNet = `${cidrNetwork(rh.host, rh.prefix)}/${rh.prefix}`;
    step(`ip route add ${rhNet} via ${addrOf(t.remote.bvi.ip)}`, `ip route del ${rhNet} via ${addrOf(t.remote.bvi.ip)}`);
    const mgmt = rh.addresses[0];
    if (mgmt !== undefined) {
      const prefix = mgmt.includes('/') ? mgmt : `${mgmt}/32`;
      step(`ip route add ${prefix} via ${addrOf(t.remote.bvi.ip)}`, `ip route del ${prefix} via ${addrOf(t.remote.bvi.ip)}`);
    }
  }
  // Pods (§2.5): interface with the TAP's MAC and /32 address, route podIP/32 via it, static neighbour.
  for (const p of node.pods) {
    const ifc = lab(p.tap.name);
    step(`create packet-generator interface ${ifc}`);
    step(`set interface mac address ${ifc} ${p.tap.mac}`);
    if (p.tap.ip) step(`set interface ip address ${ifc} ${p.tap.ip}/32`, `set interface ip address del ${ifc} ${p.tap.ip}/32`);
    step(`set interface state ${ifc} up`, `set interface state ${ifc} down`);
    step(`ip route add ${p.ip}/32 via ${ifc}`, `ip route del ${p.ip}/32 via ${ifc}`);
    step(`set ip neighbor ${ifc} ${p.ip} ${p.mac} static`, `set ip neighbor del ${ifc} ${p.ip} ${p.mac}`);
  }
  // NAT44 (§3.2, §9): endpoint-dependent NAT with Contiv's roles and identity mappings. Disabling the plugin
  // removes all of it (roles, pool, mappings, sessions).
  const nat = { forwarding: true, vxlanIdentity: true, addressIdentity: true, ...(o.nat ?? {}) };
  step('nat44 plugin enable', 'nat44 plugin disable');
  for (const p of node.pods) step(`set interface nat44 out ${lab(p.tap.name)}`);
  step('set interface nat44 in loop0 out loop0');
  step('set interface nat44 in pg0 out pg0');
  step(`set interface nat44 out ${o.gbe} output-feature`);
  step(`nat44 add address ${offsetAddr(addrOf(node.nodeIp), nat.poolOffset ?? 0)}`);
  if (nat.forwarding) step('nat44 forwarding enable');
  if (nat.vxlanIdentity) step(`nat44 add identity mapping ${addrOf(node.nodeIp)} udp ${VXLAN_PORT}`);
  if (nat.addressIdentity) step(`nat44 add identity mapping ${addrOf(node.nodeIp)}`);
  // acl-plugin session settings (§8.5); the defaults come back on undo.
  const s = o.sessions ?? {};
  if (s.udpIdle !== undefined) step(`set acl-plugin session timeout udp idle ${s.udpIdle}`, 'set acl-plugin session timeout udp idle 600');
  if (s.tcpIdle !== undefined) step(`set acl-plugin session timeout tcp idle ${s.tcpIdle}`, 'set acl-plugin session timeout tcp idle 86400');
  if (s.tcpTransient !== undefined) step(`set acl-plugin session timeout tcp transient ${s.tcpTransient}`, 'set acl-plugin session timeout tcp transient 120');
  if (s.maxEntries !== undefined) step(`set acl-plugin session table max-entries ${s.maxEntries}`);
  return c;
}

type NodeAcls = AdapterAclConfig[string];
type Rule = NodeAcls['tables'][number]['rules'][number];

export function renderRule(r: Rule): string {
  const parts = [r.action, `src ${r.src ?? '0.0.0.0/0'}`, `dst ${r.dst ?? '0.0.0.0/0'}`];
  if (r.proto !== 0) parts.push(`proto ${r.proto}`);
  parts.push(`sport ${r.sport[0]}-${r.sport[1]}`, `dport ${r.dport[0]}-${r.dport[1]}`);
  return parts.join(' ');
}

/** What the lab currently has of one node's ACLs: lab index by model index, rules text, attachments. */
export interface LabAclState {
  labIndex: Map<number, number>;
  /** lab index → the rules as sent (to replace only what changed) */
  rules: Map<number, string>;
  /** lab interface → [input lab indices, output lab indices] */
  attach: Map<string, { input: number[]; output: number[] }>;
}

export function emptyAclState(): LabAclState {
  return { labIndex: new Map(), rules: new Map(), attach: new Map() };
}

/** The rules of a table as one CLI argument list (validated here: VPP's parser accepts nonsense as "any"). */
export function renderTableRules(t: NodeAcls['tables'][number], node: number): string {
  if (t.rules.length === 0) throw new Error(`node ${node}: ACL ${t.index} has no rules (VPP's CLI cannot create an empty ACL)`);
  const cidr = /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/;
  for (const r of t.rules) {
    for (const a of [r.src, r.dst]) if (a !== undefined && !cidr.test(a)) throw new Error(`node ${node}: ACL ${t.index}: '${a}' is not an IPv4 prefix`);
  }
  return `${t.rules.map(renderRule).join(', ')}${t.tag ? ` tag ${t.tag}` : ''}`;
}

/**
 * The command for one table: create it (VPP picks the index and prints `ACL index:N`), or replace an existing
 * one in place (`index N`: attachments and sessions stay), or nothing when the lab has it already.
 */
export function tableCommand(state: LabAclState, t: NodeAcls['tables'][number], node: number): { command: string; creates: boolean } | undefined {
  const text = renderTableRules(t, node);
  const idx = state.labIndex.get(t.index);
  if (idx === undefined) return { command: `set acl-plugin acl ${text}`, creates: true };
  if (state.rules.get(idx) !== text) return { command: `set acl-plugin acl index ${idx} ${text}`, creates: false };
  return undefined;
}

/**
 * Attachment changes per interface and direction, with the lab's indices (every table of `want` must be in
 * `labIndex`): detach first (an ACL may move between interfaces), then attach.
 */
export function renderAttachChanges(prev: LabAclState['attach'], want: NodeAcls | undefined, labIndex: Map<number, number>, names: LabNames, node: number): { commands: string[]; attach: LabAclState['attach'] } {
  const c: string[] = [];
  const wantAttach = new Map<string, { input: number[]; output: number[] }>();
  for (const a of want?.attach ?? []) {
    const ifc = names.toLab.get(a.interface);
    if (!ifc) throw new Error(`node ${node}: ACLs attach to '${a.interface}', which the lab does not have (has: ${[...names.toLab.keys()].join(', ')})`);
    const map = (list: number[]): number[] =>
      list.map((i) => {
        const l = labIndex.get(i);
        if (l === undefined) throw new Error(`node ${node}: interface ${a.interface} uses ACL ${i}, which is not defined`);
        return l;
      });
    wantAttach.set(ifc, { input: map(a.input), output: map(a.output) });
  }
  for (const [ifc, cur] of prev) {
    const w = wantAttach.get(ifc) ?? { input: [], output: [] };
    for (const dir of ['input', 'output'] as const) for (const i of cur[dir]) if (!w[dir].includes(i)) c.push(`set acl-plugin interface ${ifc} ${dir} acl ${i} del`);
  }
  for (const [ifc, w] of wantAttach) {
    const cur = prev.get(ifc) ?? { input: [], output: [] };
    for (const dir of ['input', 'output'] as const) for (const i of w[dir]) if (!cur[dir].includes(i)) c.push(`set acl-plugin interface ${ifc} ${dir} acl ${i}`);
  }
  return { commands: c, attach: wantAttach };
}

/** The commands that remove every ACL of a node (detach, then delete), back to no ACLs at all. */
export function renderAclRemoval(state: LabAclState): string[] {
  const c: string[] = [];
  for (const [ifc, a] of state.attach) for (const dir of ['input', 'output'] as const) for (const i of a[dir]) c.push(`set acl-plugin interface ${ifc} ${dir} acl ${i} del`);
  for (const idx of [...state.rules.keys()].sort((a, b) => b - a)) c.push(`delete acl-plugin acl index ${idx}`);
  return c;
}

/**
 * Services on one node as Contiv configures them in NAT44 (docs/datapath.md §16.2): the twice-NAT pool (the NAT
 * loopback), the interfaces in front of backends marked `in` besides `out`, and per external address and port a
 * static mapping with load balancing, `self-twice-nat out2in-only`. VPP 26.06 wants at least two locals in a
 * load-balancing mapping: a sole backend is a plain static mapping (Contiv's probability 0, "not really
 * configured", has no place there). Interfaces that are `in` already (loop0, tap0) are left as they are. Each step
 * with the `del` form that takes it back; undone in reverse order, the node is as renderNodeConfig left it.
 */
export function renderServiceSteps(node: AdapterNode, svc: AdapterServiceConfig[string] | undefined, names: LabNames): ConfigStep[] {
  if (!svc) return [];
  const at = `node ${node.id}: services`;
  const ipv4 = /^\d{1,3}(\.\d{1,3}){3}$/;
  const checkAddr = (a: unknown, what: string): string => {
    if (typeof a !== 'string' || !ipv4.test(a) || a.split('.').some((x) => Number(x) > 255)) throw new Error(`${at}: ${what} '${String(a)}' is not an IPv4 address`);
    return a;
  };
  const checkPort = (p: unknown, what: string): number => {
    if (typeof p !== 'number' || !Number.isInteger(p) || p < 1 || p > 65535) throw new Error(`${at}: ${what} ${String(p)} is not a port (1-65535)`);
    return p;
  };
  const c: ConfigStep[] = [];
  const pool = checkAddr(svc.twiceNatPool, 'twiceNatPool');
  c.push({ do: `nat44 add address ${pool} twice-nat`, undo: `nat44 add address ${pool} twice-nat del` });
  const alreadyIn = new Set(['loop0', 'tap0']);
  for (const ifc of [...new Set(svc.inInterfaces)]) {
    if (alreadyIn.has(ifc)) continue;
    const lab = names.toLab.get(ifc);
    if (lab === undefined) throw new Error(`${at}: inInterfaces names '${ifc}', which the node does not have (has: ${[...names.toLab.keys()].join(', ')})`);
    c.push({ do: `set interface nat44 in ${lab}`, undo: `set interface nat44 in ${lab} del` });
  }
  for (const [i, m] of svc.mappings.entries()) {
    const proto = m.protocol === 'TCP' ? 'tcp' : m.protocol === 'UDP' ? 'udp' : undefined;
    if (!proto) throw new Error(`${at}: mappings[${i}].protocol '${String(m.protocol)}' is not TCP or UDP`);
    const ext = `${checkAddr(m.external?.ip, `mappings[${i}].external.ip`)}`;
    const port = checkPort(m.external?.port, `mappings[${i}].external.port`);
    if (!Array.isArray(m.locals) || m.locals.length === 0) throw new Error(`${at}: mappings[${i}] (${m.service}) has no locals`);
    const locals = m.locals.map((l, j) => ({ ip: checkAddr(l.ip, `mappings[${i}].locals[${j}].ip`), port: checkPort(l.port, `mappings[${i}].locals[${j}].port`), probability: l.probability }));
    let d: string;
    if (locals.length === 1) d = `nat44 add static mapping ${proto} local ${locals[0]!.ip} ${locals[0]!.port} external ${ext} ${port} self-twice-nat out2in-only`;
    else {
      for (const [j, l] of locals.entries()) if (!Number.isInteger(l.probability) || l.probability < 0 || l.probability > 255) throw new Error(`${at}: mappings[${i}].locals[${j}].probability ${String(l.probability)} is not an integer 0-255`);
      d = `nat44 add load-balancing static mapping protocol ${proto} external ${ext}:${port} ${locals.map((l) => `local ${l.ip}:${l.port} probability ${l.probability}`).join(' ')} self-twice-nat out2in-only`;
    }
    c.push({ do: d, undo: `${d} del` });
  }
  return c;
}

/** The network of an IPv4 address at a prefix length, as text. */
function cidrNetwork(addr: string, prefix: number): string {
  const n = addr.split('.').reduce((a, b) => a * 256 + Number(b), 0);
  const size = 2 ** (32 - prefix);
  const net = n - (n % size);
  return [24, 16, 8, 0].map((s) => Math.floor(net / 2 ** s) % 256).join('.');
}
