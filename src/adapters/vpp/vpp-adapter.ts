// The VPP lab adapter: a scenario's topology and ACLs rendered as vppctl commands (render-vppctl.ts) and sent to
// real VPP nodes (transport.ts); every injected frame replayed from a pcap on the pod's packet-generator
// interface, with `show trace` armed on the input nodes, a pcap capture on each node's main NIC and a
// packet-generator capture on every pod interface; what comes out is mapped back to the scenario's capture
// points (`pod:<name>:rx`, `node:<id>:wire`, `node:<id>:host` for tap0's stand-in pg0) and its traces are parsed into records with the model's interface
// names. One frame at a time: everything captured in its window belongs to it.
import { createHash } from 'node:crypto';
import { decodePcap, encodePcap } from '../../packet/pcap.ts';
import { decodePacket } from '../../packet/index.ts';
import { parseTrace } from '../../trace/parse.ts';
import type { Ip4HeaderView, TraceRecord } from '../../trace/records.ts';
import { AdapterUnavailable, type Adapter, type AdapterAclConfig, type AdapterNode, type AdapterServiceConfig, type AdapterTopology, type ConfigState, type SessionState, type DriftItem, type Fault, type FaultId, type Injection, type InterfaceDrivers, type Observation, type WireImpairment } from '../adapter.ts';
import { hostWireImpairments } from '../host.ts';
import { LabFileError, readLabFile, type LabFile, type LabNode } from './lab-file.ts';
import { emptyAclState, labNames, VXLAN_BD, renderAttachChanges, renderAclRemoval, renderNodeConfig, renderServiceSteps, tableCommand, type ConfigStep, type LabAclState, type LabNames, type RenderOptions } from './render-vppctl.ts';
import { SHOW_COMMANDS, interfaceNames, vppConfigState, type ShowOutputs } from './show-state.ts';
import { SESSION_COMMANDS, aclSessionDetail, aclSessionEntry, aclSessionIds, natSessions } from './show-sessions.ts';
import { runAll, VppCliError, VppctlTransport, type Step, type Transport } from './transport.ts';
import { VPP_KNOWN_DIVERGENCES } from './known-divergences.ts';
import { isLocalLab, LAB_WIRE_MTU, restartLabNode } from './local-lab.ts';
import { framesInFlight, interfaceCounters, stuckTxRequests, type InterfaceCounters, type StreamSent } from './in-flight.ts';
import { hostExec, labUnderlay, linuxNic, underlayPort, wireArgvs, type HostExec } from './lab-wire.ts';

export interface VppAdapterOptions {
  /** transports per lab node ID (tests inject fakes); default: vppctl per the lab file */
  transports?: Map<number, Transport>;
  nat?: RenderOptions['nat'];
  /** ms to wait at most for a frame's consequences to settle (default 500) */
  settleMs?: number;
  /** ms without any counter change that count as settled after configuration (default 10; an exchange is over when its frames are accounted for) */
  quietMs?: number;
  /**
   * Send all frames of one inject() call at once (one stream per source, one capture window) and map what comes
   * out back to packets by their inner IPv4 header (addresses, protocol, IP id, ports). Only for calls whose frames
   * are independent flows with distinct keys (the bench); the properties send one frame per call.
   */
  batch?: boolean;
  name?: string;
  /**
   * node-restart: stops a lab node's VPP and starts it again with only its main NIC, returning the transport to
   * the new process (tests inject fakes); default on a local lab (`podflow lab vpp up`): restartLabNode. Without
   * one (a remote lab) the adapter does not list node-restart among its faults.
   */
  restart?: (node: LabNode) => Promise<{ transport: Transport; pid?: number }>;
  /** runs tc and ip on this host for wire-impaired (tests inject a fake); default: the programs themselves */
  exec?: HostExec;
  /** waits for an idle-timeout (tests inject a fake); default: real time */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * The nemesis's faults a VPP lab performs, as an operator would (src/faults/): `clear acl-plugin sessions` or
 * `clear nat44 ed sessions` on one node, every table set again in place with the same rules (`set acl-plugin acl
 * index N …`), the tables of another rendering, `set interface state <pod interface> down` then `up`. Each command
 * goes into the node's transcript, so the reproduction scripts hold the faults in order.
 */
export const VPP_NEMESIS: readonly FaultId[] = ['acl-sessions-cleared', 'nat-sessions-cleared', 'acl-resync', 'acl-replaced', 'tap-flap'];
/**
 * Also: `set interface state loop0|<main NIC> down` then `up`; a pod's interface deleted and made again as setup
 * makes it (CNI DEL then ADD: ACLs detached, NAT role, neighbour, route and address removed, `delete
 * packet-generator interface`, then the pod's setup steps and its ACL attachments again); and, on a local lab only
 * (the adapter can restart its VPPs), a node's VPP killed, started again and configured again.
 */
(VPP_NEMESIS as FaultId[]).push('link-flap', 'pod-replaced', 'node-restart');
/** And config-drift: the `del` form of the command that configured the item, then the command again (driftCommands). */
(VPP_NEMESIS as FaultId[]).push('config-drift');

/**
 * Faults a lab performs beyond VPP_NEMESIS: idle-timeout (a real wait; the nemesis sets the lab up with short
 * `set acl-plugin session timeout …`) on every lab, and wire-impaired (nftables or netem on the node's underlay
 * port, in the lab's underlay namespace) only on a local lab whose file lists its namespaces (`podflow lab vpp up`).
 */
export function vppLabFaults(lab: LabFile): FaultId[] {
  const wire = labUnderlay(lab) !== undefined && lab.nodes.every((n) => linuxNic(n) !== undefined);
  return [...VPP_NEMESIS, 'idle-timeout', ...(wire ? (['wire-impaired'] as const) : [])];
}

interface NodeState {
  lab: LabNode;
  t: Transport;
  model: AdapterNode;
  names: LabNames;
  steps: ConfigStep[];
  /** the Services configured (applyServices), after `steps` */
  services: ConfigStep[];
  acls: LabAclState;
  /** every configuration command sent since setup (for reproduction()) */
  transcript: string[];
  /** config-drift: items removed and not yet restored, by item key → the commands that restore them */
  drifted?: Map<string, { commands: string[]; list?: number[] }>;
  /** a main-NIC capture may still run: armed, and its exchange not collected (interrupted) */
  capturing?: boolean;
}

/** Interface names in trace text are the lab's: rename them to the model's (longest names first). */
/**
 * The lab's interface drivers: pods are packet-generator interfaces (pg<N>); the main NIC is af_packet when every
 * node's is a `host-…` interface (a memif or other NIC: the model keeps its default, and its traces say so).
 */
export function labDrivers(lab: LabFile): InterfaceDrivers {
  return lab.nodes.every((n) => n.gbe.startsWith('host-')) ? { pod: 'packet-generator', host: 'packet-generator', nic: 'af_packet' } : { pod: 'packet-generator', host: 'packet-generator' };
}

export function modelNamesInTrace(text: string, names: LabNames): string {
  let out = text;
  for (const [lab, model] of [...names.toModel].sort((a, b) => b[0].length - a[0].length)) {
    if (lab === model) continue;
    out = out.replace(new RegExp(`(?<![\\w/-])${lab.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(?=-output|-tx|[^\\w/]|$)`, 'g'), model);
  }
  return out;
}

function macBytes(text: string): Uint8Array {
  return Uint8Array.from(text.split(':').map((h) => parseInt(h, 16)));
}

/** A frame whose destination or source MAC is `mac`, or a broadcast/multicast one (the group bit). */
export function toOrFrom(frame: Uint8Array, mac: Uint8Array): boolean {
  if (frame.length < 12) return true;
  if ((frame[0]! & 1) === 1) return true;
  const eq = (off: number): boolean => mac.every((b, i) => frame[off + i] === b);
  return eq(0) || eq(6);
}

/**
 * The flow key of a frame: its innermost IPv4 header's addresses, protocol and id, and the L4 ports — what
 * VPP leaves unchanged between a pod's TAP and the other pod's (TTL and checksum change, MACs change, VXLAN
 * wraps). Undefined for frames without IPv4.
 */
export function flowKey(frame: Uint8Array): string | undefined {
  const layers = decodePacket(frame).layers;
  let ip: Extract<(typeof layers)[number], { kind: 'ipv4' }> | undefined;
  let l4: (typeof layers)[number] | undefined;
  for (const [i, l] of layers.entries()) if (l.kind === 'ipv4') [ip, l4] = [l, layers[i + 1]];
  if (!ip) return undefined;
  const ports = l4 && (l4.kind === 'tcp' || l4.kind === 'udp') ? `${l4.srcPort}|${l4.dstPort}` : '';
  return `${ip.src}|${ip.dst}|${ip.protocol}|${ip.id}|${ports}`;
}

/** The same key from a packet's trace on one node: its innermost `ip4-input` header. */
export function traceKey(records: readonly TraceRecord[]): string | undefined {
  let ip: Ip4HeaderView | undefined;
  for (const r of records) if (r.node === 'ip4-input' && r.body.kind === 'ip4-header') ip = r.body.ip;
  if (!ip) return undefined;
  const ports = ip.l4 && (ip.l4.kind === 'tcp' || ip.l4.kind === 'udp') ? `${ip.l4.srcPort}|${ip.l4.dstPort}` : '';
  return `${ip.src}|${ip.dst}|${ip.protocol}|${ip.fragmentId}|${ports}`;
}

const config = (command: string): Step => ({ command, kind: 'config' });
/** The undo commands of configuration steps, last step first. */
const undoOf = (steps: readonly ConfigStep[]): string[] => [...steps].reverse().flatMap((s) => (s.undo ? [s.undo] : []));
const cli = (command: string): Step => ({ command, kind: 'cli' });

/** Promise.all that waits for every promise, also after one failed, then rethrows the first failure. */
async function allSettled<T>(ps: Promise<T>[]): Promise<T[]> {
  const r = await Promise.allSettled(ps);
  for (const x of r) if (x.status === 'rejected') throw x.reason;
  return r.map((x) => (x as PromiseFulfilledResult<T>).value);
}

export class VppAdapter implements Adapter {
  readonly name: string;
  readonly capabilities: Adapter['capabilities'];
  private nodes = new Map<number, NodeState>();
  private topologyKey?: string;
  private seq = 0;
  private transports: Map<number, Transport>;
  /** the ACL configuration last applied (what a restarted node gets again) */
  private lastAcls: AdapterAclConfig = {};
  private readonly restarter?: (node: LabNode) => Promise<{ transport: Transport; pid?: number }>;
  /**
   * Whether anything may have changed the data path's state since setup or reset made it fresh: a frame injected
   * (sessions, NAT, counters, traces) or a fault performed. A reset of a fresh configuration has nothing to do.
   */
  private touched = true;
  /** underlay ports with netem on them (wire-impaired not yet healed): lab node id → namespace and port */
  private impaired = new Map<number, { heal: string[][] }>();

  constructor(
    private readonly lab: LabFile,
    private readonly opts: VppAdapterOptions = {},
  ) {
    this.name = opts.name ?? 'vpp';
    // Real VPP traces; no drop reasons the properties can use; no virtual clock (timeouts would take minutes).
    this.capabilities = { traces: true, dropReasons: false, virtualTime: false, maxNodes: lab.nodes.length, knownDivergences: VPP_KNOWN_DIVERGENCES, referenceProfile: lab.profile, faults: vppLabFaults(lab), drivers: labDrivers(lab), services: true };
    // a local lab's wire is this host's: reorder needs netem in this kernel
    if (this.capabilities.faults?.includes('wire-impaired')) this.capabilities = { ...this.capabilities, wireImpairments: hostWireImpairments() };
    this.transports = opts.transports ?? new Map(lab.nodes.map((n) => [n.id, new VppctlTransport(n, this.name)]));
    this.restarter = opts.restart ?? (isLocalLab(lab) ? async (n) => {
      const pid = await restartLabNode(this.lab, n.id);
      return { pid, transport: new VppctlTransport({ ...n, pid }, this.name) };
    } : undefined);
    if (!this.restarter) this.capabilities = { ...this.capabilities, faults: (this.capabilities.faults ?? []).filter((id) => id !== 'node-restart') };
  }

  /**
   * Every lab node answers `show version` with VPP's version within its timeout (all nodes at once); otherwise
   * AdapterUnavailable naming the first node that does not, in one line.
   */
  async preflight(): Promise<void> {
    const why = (e: unknown): string => {
      const m = (e as Error).message ?? String(e);
      return (m.startsWith(`${this.name}: `) ? m.slice(this.name.length + 2) : m).split('\n')[0]!;
    };
    const problems = await Promise.all(
      this.lab.nodes.map(async (n): Promise<string | undefined> => {
        const label = `lab node ${n.id}${n.name ? ` (${n.name})` : ''}`;
        const t = this.transports.get(n.id);
        if (!t) return `${label}: no transport`;
        try {
          const out = await t.cli('show version');
          return /vpp v\S+/i.test(out) ? undefined : `${label} answered \`show version\` with ${JSON.stringify(out.trim().split('\n')[0] ?? '')}, not a VPP version`;
        } catch (e) {
          return `${label} does not answer \`show version\` (within ${n.timeoutMs} ms): ${why(e)}`;
        }
      }),
    );
    const bad = problems.find((p) => p !== undefined);
    if (bad) throw new AdapterUnavailable(this.name, bad);
  }

  /**
   * The first line of `show version` of each lab node (`node <id>: vpp v…`, joined by `; `), through the node's
   * transport (within its timeout); a node that does not answer is left out, none answering is undefined.
   */
  async version(): Promise<string | undefined> {
    const lines = await Promise.all(
      this.lab.nodes.map(async (n): Promise<string | undefined> => {
        try {
          const first = (await this.transports.get(n.id)?.cli('show version'))?.trim().split('\n')[0]?.replace(/[\p{C}]+/gu, ' ').trim();
          return first ? `node ${n.id}: ${first.slice(0, 200)}` : undefined;
        } catch {
          return undefined;
        }
      }),
    );
    const got = lines.filter((l): l is string => l !== undefined);
    return got.length > 0 ? got.join('; ') : undefined;
  }

  /** Configures the lab for a topology: undoes the previous configuration, then renders the new one. */
  async setup(topology: AdapterTopology, options: { sessions?: RenderOptions['sessions'] } = {}): Promise<void> {
    const nodes = [...topology.nodes].sort((a, b) => a.id - b.id);
    if (nodes.length > this.lab.nodes.length) throw new AdapterUnavailable(this.name, `the case has ${nodes.length} nodes, the lab ${this.lab.nodes.length}`);
    const key = JSON.stringify({ topology, sessions: options.sessions });
    if (key === this.topologyKey) {
      await this.reset();
      return;
    }
    await this.healWires();
    await this.recover();
    await this.unconfigure();
    this.topologyKey = undefined;
    const plans: { state: NodeState; steps: ConfigStep[] }[] = [];
    for (const [i, model] of nodes.entries()) {
      const lab = this.lab.nodes[i]!;
      const t = this.transports.get(lab.id)!;
      const o: RenderOptions = { gbe: lab.gbe, ...(this.opts.nat ? { nat: this.opts.nat } : {}), ...(options.sessions ? { sessions: options.sessions } : {}) };
      const state: NodeState = { lab, t, model, names: labNames(model, topology, lab.gbe), steps: [], services: [], acls: emptyAclState(), transcript: [] };
      this.nodes.set(model.id, state);
      plans.push({ state, steps: renderNodeConfig(model, topology, o) });
    }
    // Every node at once (each has its own connection; a node's steps stay in order).
    await allSettled(
      plans.map(async ({ state, steps }) => {
        // Journal first (intent): a run that dies mid-way leaves the undo list for the next one.
        await this.writeJournal(state, steps);
        await runAll(state.t, steps.map((s) => config(s.do)), (i) => {
          state.steps.push(steps[i]!);
          state.transcript.push(steps[i]!.do);
        });
      }),
    );
    // VPP announces new interface addresses (gratuitous ARP on the pod interfaces) a moment after the CLI
    // returns: let that pass before any capture window opens, or a pod "receives" it with the first packet.
    await this.settle();
    this.topologyKey = key;
    this.touched = false;
  }

  private journalPath(lab: LabNode): string {
    return `${lab.files}/podflow-applied.json`;
  }

  private async writeJournal(n: NodeState, steps: ConfigStep[] = n.steps): Promise<void> {
    const undo = [...renderAclRemoval(n.acls), ...undoOf(n.services), ...undoOf(steps)];
    await n.t.put(this.journalPath(n.lab), new TextEncoder().encode(`${JSON.stringify({ undo }, null, 1)}\n`));
  }

  /**
   * Once per adapter: undoes what an earlier podflow run left configured on each lab node (its journal), so a
   * crashed or interrupted run never poisons the next. Undo commands of steps that never ran fail; that is fine.
   */
  private recovered = false;
  private async recover(): Promise<void> {
    if (this.recovered) return;
    for (const lab of this.lab.nodes) {
      const t = this.transports.get(lab.id)!;
      let text: string;
      try {
        text = new TextDecoder().decode(await t.get(this.journalPath(lab)));
      } catch {
        continue;
      }
      if (text.trim() === '') continue;
      let undo: unknown;
      try {
        undo = (JSON.parse(text) as { undo?: unknown }).undo;
      } catch {
        throw new Error(`node ${lab.id}: ${this.journalPath(lab)} is not podflow's journal (invalid JSON); remove it or restart the lab`);
      }
      for (const c of Array.isArray(undo) ? undo : []) if (typeof c === 'string') await t.cli(c).catch(() => undefined);
      await t.remove(this.journalPath(lab));
    }
    this.recovered = true;
  }

  /** Everything setup() and apply() configured, taken back in reverse order (the lab as `lab vpp up` left it). */
  private async unconfigure(): Promise<void> {
    // Best effort per command: an undo VPP rejects names something already gone (another run reconfigured the
    // lab, or the operator did); what could not be reached still fails (AdapterUnavailable).
    await this.eachNode(async (n) => {
      const undo = [...renderAclRemoval(n.acls), ...undoOf(n.services), ...undoOf(n.steps)];
      await runAll(n.t, undo.map(cli));
      n.acls = emptyAclState();
      n.steps = [];
      n.services = [];
      await n.t.remove(this.journalPath(n.lab));
      // VPP writes pcap traces to /tmp whatever the name says: the last capture's file is ours to remove
      await n.t.remove(`/tmp/${this.wireFile(n)}`);
    });
    this.nodes.clear();
  }

  /** Changes only the ACLs that differ (tables replaced in place keep their attachments and sessions). */
  async apply(acls: AdapterAclConfig): Promise<void> {
    this.lastAcls = acls;
    await this.eachNode(async (n) => {
      const want = acls[String(n.model.id)];
      const labIndex = new Map(n.acls.labIndex);
      const rules = new Map(n.acls.rules);
      // each table's command depends only on its own index (a new one is numbered by VPP): all in one go
      const tables = [...(want?.tables ?? [])].sort((a, b) => a.index - b.index).flatMap((table) => {
        const cmd = tableCommand({ ...n.acls, labIndex }, table, n.model.id);
        return cmd ? [{ table, cmd }] : [];
      });
      await runAll(n.t, tables.map((x) => config(x.cmd.command)), (i, out) => {
        const { table, cmd } = tables[i]!;
        n.transcript.push(cmd.command);
        const idx = cmd.creates ? Number(/ACL index:(\d+)/.exec(out)?.[1]) : labIndex.get(table.index)!;
        if (!Number.isInteger(idx)) throw new Error(`node ${n.model.id}: VPP did not say which index ACL ${table.index} got: ${out.trim()}`);
        labIndex.set(table.index, idx);
        rules.set(idx, cmd.command.replace(/^set acl-plugin acl (index \d+ )?/, ''));
      });
      const a = renderAttachChanges(n.acls.attach, want, labIndex, n.names, n.model.id);
      await runAll(n.t, a.commands.map(config));
      n.transcript.push(...a.commands);
      n.acls = { labIndex, rules, attach: a.attach };
      await this.writeJournal(n);
    });
  }

  /**
   * Services as Contiv renders them in NAT44 (renderServiceSteps, docs/datapath.md §16.2), replacing the ones
   * configured before on every node: the old mappings, pool and `in` roles taken back in reverse order (their
   * sessions go with them), then the new ones. A node the configuration does not name gets none.
   */
  async applyServices(services: AdapterServiceConfig): Promise<void> {
    this.touched = true;
    for (const id of Object.keys(services)) if (!this.nodes.has(Number(id))) throw new Error(`${this.name}: services for node ${id}, which the topology does not have`);
    // rendered (and checked) for every node before anything changes
    const plans = [...this.nodes.values()].map((n) => ({ n, steps: renderServiceSteps(n.model, services[String(n.model.id)], n.names) }));
    await allSettled(
      plans.map(async ({ n, steps }) => {
        const undo = undoOf(n.services);
        await runAll(n.t, undo.map(config));
        n.transcript.push(...undo);
        n.services = [];
        // journal first (intent): the new steps' undo too
        n.services = steps;
        await this.writeJournal(n);
        n.services = [];
        await runAll(n.t, steps.map((s) => config(s.do)), (i) => {
          n.services.push(steps[i]!);
          n.transcript.push(steps[i]!.do);
        });
      }),
    );
  }

  /**
   * Each node's configuration as its `show` commands print it (show-state.ts), by `node <model id> <what>`. A
   * command VPP refuses (NAT44 not enabled on the node) reads as that error, the same every time.
   */
  async configState(): Promise<ConfigState> {
    const out: ConfigState = {};
    for (const n of this.nodes.values()) {
      const o = {} as ShowOutputs;
      for (const [k, c] of Object.entries(SHOW_COMMANDS) as [keyof ShowOutputs, string][]) {
        o[k] = await n.t.cli(c).catch((e: unknown) => {
          if (e instanceof VppCliError) return `error: ${e.message.split('\n')[0]}`;
          throw e;
        });
      }
      const state = vppConfigState(n.model.id, o);
      // only the interfaces this configuration uses: a lab keeps the pg interfaces of earlier topologies (VPP
      // cannot delete them), which a restarted VPP no longer has
      const ours = new Set(n.names.toLab.values());
      const key = `node ${n.model.id} interfaces`;
      state[key] = state[key]!.filter((l) => ours.has(l.split(' ')[0]!));
      Object.assign(out, state);
    }
    return out;
  }

  /**
   * Each node's session tables (show-sessions.ts), by `node <model id> acl|nat44`: the ACL sessions in the session
   * hash, each read by its index for its own key, interface and TCP flags (one command per session), interfaces by
   * their model names; the NAT44-ED sessions as listed. Output that is not VPP's is an error saying what is wrong.
   */
  async sessionState(): Promise<SessionState> {
    const out: SessionState = {};
    for (const n of this.nodes.values()) {
      const toModel = new Map([...n.names.toLab].map(([m, l]) => [l, m]));
      const names = interfaceNames(await n.t.cli(SHOW_COMMANDS.ifIndex));
      const acl: Record<string, string> = {};
      for (const { thread, index } of aclSessionIds(await n.t.cli(SESSION_COMMANDS.aclHash))) {
        const d = aclSessionDetail(await n.t.cli(SESSION_COMMANDS.aclSession(thread, index)), thread, index);
        const lab = names.get(d.swIfIndex) ?? `sw_if_index${d.swIfIndex}`;
        const [k, v] = aclSessionEntry(d, toModel.get(lab) ?? lab);
        acl[k] = v;
      }
      out[`node ${n.model.id} acl`] = acl;
      out[`node ${n.model.id} nat44`] = natSessions(await n.t.cli(SESSION_COMMANDS.nat));
    }
    return out;
  }

  /**
   * What the adapter believes attached (it renders the next apply() as changes to it) follows a drifted ACL
   * attachment: gone when detached, back at its place when restored.
   */
  private noteAttachment(n: NodeState, item: Extract<DriftItem, { kind: 'acl-attachment' }>, restoredTo: number[] | undefined): void {
    const ifc = n.names.toLab.get(item.interface)!;
    const idx = n.acls.labIndex.get(item.acl)!;
    const cur = n.acls.attach.get(ifc) ?? { input: [], output: [] };
    const list = restoredTo ?? cur[item.direction].filter((i) => i !== idx);
    n.acls.attach.set(ifc, { ...cur, [item.direction]: list });
  }

  /** The lab node that plays model node `node` and its interface names (model name -> lab name), once set up. */
  labNodeOf(node: number): { lab: LabNode; toLab: ReadonlyMap<string, string> } {
    const n = this.nodes.get(node);
    if (!n) throw new Error(`${this.name}: no node ${node} configured`);
    return { lab: n.lab, toLab: n.names.toLab };
  }

  /** Performs a fault of VPP_NEMESIS (see there) with the vppctl commands an operator would use. */
  async fault(f: Fault): Promise<void> {
    this.touched = true;
    const nodeOf = (id: number): NodeState => this.nodes.get(id) ?? (() => { throw new Error(`${this.name}: ${f.id}: no node ${id} configured`); })();
    const run = async (n: NodeState, command: string): Promise<void> => {
      await n.t.config(command);
      n.transcript.push(command);
    };
    switch (f.id) {
      case 'acl-sessions-cleared':
        await run(nodeOf(f.node), 'clear acl-plugin sessions');
        return;
      case 'nat-sessions-cleared':
        // NAT44-ED (the only NAT44 of current VPP): every session of the node, static and identity mappings kept
        await run(nodeOf(f.node), 'clear nat44 ed sessions');
        return;
      case 'acl-resync':
        // acl_add_replace of every table with its own index and rules: replaced in place, attachments and sessions stay
        for (const n of this.nodes.values()) for (const [idx, rules] of [...n.acls.rules].sort((a, b) => a[0] - b[0])) await run(n, `set acl-plugin acl index ${idx} ${rules}`);
        return;
      case 'acl-replaced':
        await this.apply(f.acls);
        return;
      case 'wire-impaired': {
        const n = nodeOf(f.node);
        if (!this.capabilities.faults!.includes('wire-impaired')) throw new Error(`${this.name}: cannot perform fault wire-impaired (the lab file lists no namespaces: not a local lab)`);
        await this.impairWire(n, f.impairment);
        return;
      }
      case 'idle-timeout': {
        if (!(f.seconds >= 0)) throw new Error(`${this.name}: idle-timeout: seconds must be a number ≥ 0, got ${f.seconds}`);
        await (this.opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms))))(f.seconds * 1000);
        for (const n of this.nodes.values()) n.transcript.push(`# idle-timeout: no traffic for ${f.seconds} s (podflow waited)`);
        return;
      }
      case 'tap-flap': {
        const n = nodeOf(f.node);
        const tap = n.model.pods.find((p) => p.name === f.pod)?.tap.name;
        const ifc = tap === undefined ? undefined : n.names.toLab.get(tap);
        if (ifc === undefined) throw new Error(`${this.name}: tap-flap: no pod ${f.pod} on node ${f.node}`);
        await run(n, `set interface state ${ifc} down`);
        await run(n, `set interface state ${ifc} up`);
        return;
      }
      case 'link-flap': {
        // loop0 is loop0 on the lab; the main NIC is the lab file's `gbe`
        const n = nodeOf(f.node);
        const ifc = f.link === 'loop0' ? 'loop0' : n.lab.gbe;
        await run(n, `set interface state ${ifc} down`);
        await run(n, `set interface state ${ifc} up`);
        return;
      }
      case 'pod-replaced': {
        const n = nodeOf(f.node);
        const tap = n.model.pods.find((p) => p.name === f.pod)?.tap.name;
        const ifc = tap === undefined ? undefined : n.names.toLab.get(tap);
        if (ifc === undefined) throw new Error(`${this.name}: pod-replaced: no pod ${f.pod} on node ${f.node}`);
        await this.replacePod(n, ifc, run);
        return;
      }
      case 'node-restart':
        await this.restartNode(nodeOf(f.node));
        return;
      case 'config-drift': {
        const n = nodeOf(f.node);
        const key = JSON.stringify(f.item);
        const drifted = (n.drifted ??= new Map());
        if (f.restore) {
          const d = drifted.get(key) ?? { commands: driftCommands(n, f.item, this.name).restore };
          for (const c of d.commands) await run(n, c);
          drifted.delete(key);
          if (f.item.kind === 'acl-attachment') this.noteAttachment(n, f.item, d.list);
        } else {
          const c = driftCommands(n, f.item, this.name);
          const list = f.item.kind === 'acl-attachment' ? n.acls.attach.get(n.names.toLab.get(f.item.interface)!)?.[f.item.direction] : undefined;
          for (const x of c.remove) {
            await run(n, x).catch((e: unknown) => {
              // VPP 26.06 refuses to delete an identity mapping it lists once NAT44-ED sessions were cleared
              if (e instanceof VppCliError && f.item.kind === 'nat-identity' && /Mapping not exist/.test(e.message)) throw new AdapterUnavailable(this.name, `config-drift: node ${f.node} refused \`${x}\` (Mapping not exist) although it lists the mapping: findings/vpp-26.06-nat44-ed-session-clear-breaks-identity-mappings`);
              throw e;
            });
          }
          drifted.set(key, { commands: c.restore, ...(list ? { list: [...list] } : {}) });
          if (f.item.kind === 'acl-attachment') this.noteAttachment(n, f.item, undefined);
        }
        return;
      }
      default:
        throw new Error(`${this.name}: cannot perform fault ${(f as Fault).id} (performs ${VPP_NEMESIS.join(', ')})`);
    }
  }

  /**
   * CNI DEL then ADD of a pod on the lab: the renderer detaches the interface's ACLs (its sessions go, §8.4), the
   * pod's setup steps are taken back in reverse order (NAT role, static neighbour, route, state, address) and the
   * packet-generator interface is deleted; then the same steps make it again (same name, MAC, address, route,
   * neighbour, NAT role) and the ACLs last applied are attached again (apply(): only that interface changes).
   */
  private async replacePod(n: NodeState, ifc: string, run: (n: NodeState, command: string) => Promise<void>): Promise<void> {
    const own = [...n.steps, ...n.services].filter((s) => s.do.split(' ').includes(ifc));
    const att = n.acls.attach.get(ifc);
    for (const dir of ['input', 'output'] as const) for (const i of att?.[dir] ?? []) await run(n, `set acl-plugin interface ${ifc} ${dir} acl ${i} del`);
    n.acls.attach.delete(ifc);
    await this.writeJournal(n);
    for (const s of [...own].reverse()) {
      const undo = s.undo ?? (/^set interface nat44 out \S+$/.test(s.do) ? `${s.do} del` : undefined);
      if (undo) await run(n, undo);
    }
    await run(n, `delete packet-generator interface ${ifc}`);
    for (const s of own) await run(n, s.do);
    await this.apply(this.lastAcls);
    await this.settle();
  }

  /**
   * node-restart: the node's VPP stopped and started again (the restarter: a local lab's restartLabNode), then
   * configured as setup() configured it (the same steps) and given the ACLs last applied (apply() with the
   * node's ACL state emptied: VPP numbers the tables afresh). The transcript says so in a comment and holds the
   * commands again, so the node's reproduction script replays the restart.
   */
  private async restartNode(n: NodeState): Promise<void> {
    if (!this.restarter) throw new AdapterUnavailable(this.name, `node-restart: lab node ${n.lab.id} is not on a local lab podflow started, so podflow cannot restart its VPP`);
    const old = n.lab.pid;
    n.t.close();
    let got: { transport: Transport; pid?: number };
    try {
      got = await this.restarter(n.lab);
    } catch (e) {
      throw e instanceof AdapterUnavailable ? e : new AdapterUnavailable(this.name, `node-restart of lab node ${n.lab.id}: ${(e as Error).message.split('\n')[0]}`);
    }
    n.t = got.transport;
    this.transports.set(n.lab.id, got.transport);
    if (got.pid !== undefined) {
      n.lab = { ...n.lab, pid: got.pid };
      const i = this.lab.nodes.findIndex((x) => x.id === n.lab.id);
      if (i >= 0) this.lab.nodes[i] = n.lab;
    }
    n.transcript.push(`# node-restart: VPP${old !== undefined ? ` pid ${old}` : ''} stopped and started again${got.pid !== undefined ? ` (pid ${got.pid})` : ''} with only its main NIC (create host-interface name gbe); configured again:`);
    for (const s of [...n.steps, ...n.services]) {
      await n.t.config(s.do);
      n.transcript.push(s.do);
    }
    n.acls = emptyAclState();
    await this.apply(this.lastAcls);
    await this.settle();
  }

  /**
   * The underlay port of a node impaired (wireArgvs: nftables or netem in the lab's underlay namespace) or healed.
   * The commands go into the node's transcript as comments (they are not vppctl) saying where they ran.
   */
  private async impairWire(n: NodeState, impairment: WireImpairment): Promise<void> {
    const exec = this.opts.exec ?? hostExec;
    const underlay = labUnderlay(this.lab)!;
    const cur = this.impaired.get(n.lab.id);
    if (impairment === 'healed') {
      if (cur) await this.heal(n.lab.id, cur, n);
      return;
    }
    // one impairment at a time per port: another replaces it
    if (cur) await this.heal(n.lab.id, cur, n);
    const port = await underlayPort(exec, n.lab, underlay).catch((e: Error) => {
      throw new AdapterUnavailable(this.name, e.message);
    });
    const { impair, heal } = wireArgvs(underlay, port, impairment);
    for (const [i, argv] of impair.entries()) {
      const r = await exec(argv);
      n.transcript.push(`# wire-impaired (${impairment}), not vppctl: ran on the lab host: ${argv.join(' ')}`);
      if (r.status !== 0) {
        // what did go on comes off again
        for (const h of heal.slice(0, i)) await exec(h);
        throw new AdapterUnavailable(this.name, `node ${n.model.id}: ${argv.join(' ')}: ${r.stderr.trim().split('\n')[0]}`);
      }
    }
    this.impaired.set(n.lab.id, { heal });
  }

  private async heal(id: number, w: { heal: string[][] }, n?: NodeState): Promise<void> {
    const exec = this.opts.exec ?? hostExec;
    for (const argv of w.heal) {
      const r = await exec(argv);
      n?.transcript.push(`# wire-impaired healed, not vppctl: ran on the lab host: ${argv.join(' ')}`);
      if (r.status !== 0) throw new AdapterUnavailable(this.name, `lab node ${id}: ${argv.join(' ')}: ${r.stderr.trim().split('\n')[0]}`);
    }
    this.impaired.delete(id);
  }

  /** Every impairment still on an underlay port removed (setup, reset, teardown: none outlives its case). */
  private async healWires(): Promise<void> {
    for (const [id, w] of [...this.impaired]) await this.heal(id, w);
  }

  async reset(): Promise<void> {
    // fresh since setup or the last reset (no frame, no fault since): nothing to forget
    if (!this.touched && this.impaired.size === 0) return;
    await this.healWires();
    await this.eachNode(async (n) => {
      // configuration drift a case left behind (it stopped before healing): configured again, fresh means fresh
      for (const [key, d] of [...(n.drifted ?? [])].reverse()) {
        for (const c of d.commands) await n.t.config(c).then(() => n.transcript.push(c));
        const item = JSON.parse(key) as DriftItem;
        if (item.kind === 'acl-attachment') this.noteAttachment(n, item, d.list);
      }
      n.drifted?.clear();
      const steps: Step[] = [cli('clear acl-plugin sessions')];
      // NAT44-ED sessions: disable and enable forgets them with the rest of NAT, so the NAT steps run again.
      const nat = n.steps.findIndex((s) => s.do === 'nat44 plugin enable');
      if (nat >= 0) {
        steps.push(config('nat44 plugin disable'));
        for (const s of [...n.steps.slice(nat), ...n.services]) if (/^(nat44|set interface nat44)/.test(s.do)) steps.push(config(s.do));
      }
      steps.push(cli('clear trace'), cli('clear errors'), cli('clear interfaces'));
      await runAll(n.t, steps);
    });
    this.touched = false;
  }

  async inject(frames: Injection[]): Promise<Observation> {
    this.touched = true;
    const obs: Observation = { captures: [], traces: new Map() };
    if (this.opts.batch && frames.length > 1) await this.injectBatch(frames, obs);
    else for (const f of frames) await this.injectOne(f, obs);
    return obs;
  }

  /**
   * Arms traces and captures on a node (old files removed first: VPP writes none when nothing came), then runs
   * `then` (the streams this node sends, created) and reads the node's interface counters: the exchange's
   * baseline. One round trip when the transport runs scripts.
   */
  private async arm(n: NodeState, packets: number, then: Step[] = []): Promise<Map<string, InterfaceCounters>> {
    // a capture an interrupted exchange left running (its check gave up: unknown) is stopped, or VPP refuses a new
    // one — before its file is removed: stopping it writes the file
    if (n.capturing) await n.t.cli('pcap trace rx tx off');
    await n.t.remove(`/tmp/${this.wireFile(n)}`);
    for (const tap of this.capturedTaps(n)) await n.t.remove(this.rxFile(n, tap));
    n.capturing = true;
    const outs = await runAll(n.t, [
      cli('clear trace'),
      config(`trace add pg-input ${Math.max(100, 2 * packets)}`),
      config(`trace add af-packet-input ${Math.max(100, 4 * packets)}`),
      config(`pcap trace rx tx max ${Math.max(1000, 8 * packets)} intfc ${n.lab.gbe} file ${this.wireFile(n)}`),
      ...this.capturedTaps(n).map((tap) => config(`packet-generator capture ${n.names.toLab.get(tap)} pcap ${this.rxFile(n, tap)} count ${Math.max(1000, 4 * packets)}`)),
      ...then,
      cli('show interface'),
    ]);
    return interfaceCounters(outs.at(-1)!);
  }

  /** The model interfaces whose TX is captured: every pod's TAP and tap0 (pg0, the host's end). */
  private capturedTaps(n: NodeState): string[] {
    return [...n.model.pods.map((p) => p.tap.name), 'tap0'];
  }

  private rxFile(n: NodeState, tap: string): string {
    return `${n.lab.files}/rx-${n.names.toLab.get(tap)}.pcap`;
  }

  /**
   * Runs `first` (the streams this node sent, deleted), then stops the captures and reads them back: traces (model
   * names), wire frames to or from the node, pod frames.
   */
  private async collect(n: NodeState, packets: number, first: Step[] = []): Promise<{ traces: TraceRecord[][]; wire: Uint8Array[]; rx: { pod?: string; data: Uint8Array }[] }> {
    const outs = await runAll(n.t, [...first, cli('pcap trace rx tx off'), ...this.capturedTaps(n).map((tap) => cli(`packet-generator capture ${n.names.toLab.get(tap)} disable`)), cli(`show trace max ${Math.max(100, 4 * packets)}`)]);
    n.capturing = false;
    const text = outs.at(-1)!;
    const traces: TraceRecord[][] = [];
    for (const pt of parseTrace(modelNamesInTrace(text, n.names)).captures) {
      // A frame for another node's NIC (a flooding underlay) is none of this node's business.
      if (pt.records.some((r) => r.body.kind === 'error-drop' && /mac mismatch/i.test(r.body.error))) continue;
      traces.push(pt.records);
    }
    const own = macBytes(n.model.gbe.mac);
    const wire = (await this.readPcap(n.t, `/tmp/${this.wireFile(n)}`)).filter((d) => toOrFrom(d, own));
    // pod: undefined = the host's end of tap0 (node:<id>:host)
    const rx: { pod?: string; data: Uint8Array }[] = [];
    for (const p of n.model.pods) for (const data of await this.readPcap(n.t, this.rxFile(n, p.tap.name))) rx.push({ pod: p.name, data });
    for (const data of await this.readPcap(n.t, this.rxFile(n, 'tap0'))) rx.push({ data });
    return { traces, wire, rx };
  }

  private async injectBatch(frames: Injection[], obs: Observation): Promise<void> {
    const byKey = new Map<string, Injection>();
    for (const f of frames) {
      const k = flowKey(f.frame);
      if (k === undefined || byKey.has(k)) throw new Error(`vpp adapter: batched frames must be IPv4 flows with distinct keys (packet ${f.packet}: ${k ?? 'no IPv4 header'})`);
      byKey.set(k, f);
    }
    const sources = new Map<string, { src: { n: NodeState; ifc: string }; wire: boolean; frames: Injection[] }>();
    for (const f of frames) {
      const id = 'pod' in f.from ? `pod:${f.from.pod}` : 'wire' in f.from ? `wire:${f.from.node}` : `host:${f.from.node}`;
      if (!sources.has(id)) sources.set(id, { src: this.sourceOf(f.from), wire: 'wire' in f.from, frames: [] });
      sources.get(id)!.frames.push(f);
      if ('pod' in f.from) obs.captures.push({ point: `pod:${f.from.pod}:tx`, time: f.at, packet: f.packet, data: f.frame });
      if ('host' in f.from) obs.captures.push({ point: `node:${f.from.node}:host`, time: f.at, packet: f.packet, data: f.frame });
    }
    const streams: { n: NodeState; name: string; file: string; create: string }[] = [];
    for (const s of sources.values()) {
      const name = `pf${++this.seq}`;
      const file = `${s.src.n.lab.files}/${name}.pcap`;
      await s.src.n.t.put(file, encodePcap(s.frames.map((f) => ({ tsSec: Math.floor(f.at), tsFrac: Math.round((f.at % 1) * 1e6), data: f.frame }))));
      streams.push({ n: s.src.n, name, file, create: s.wire ? `packet-generator new { name ${name} limit ${s.frames.length} node ethernet-input interface ${s.src.ifc} pcap ${file} }` : `packet-generator new { name ${name} limit ${s.frames.length} source ${s.src.ifc} node ethernet-input pcap ${file} }` });
    }
    const of = (n: NodeState): typeof streams => streams.filter((st) => st.n === n);
    // armed, the node's streams created, and its counters read (the baseline), node by node at once
    const base = await this.baseline((n) => this.arm(n, frames.length, of(n).map((st) => config(st.create))));
    for (const st of streams) await st.n.t.config(`packet-generator enable-stream ${st.name}`);
    await this.settle({ base, streams: [...sources.values()].map((s) => ({ node: s.src.n.model.id, ifc: s.src.ifc, count: s.frames.length })) });
    // The streams go before the traces are read: pg-input prints a stream that still exists by its name and
    // decodes the frame; a deleted one by its index with a hex dump — the model's form (a pod's frame does not
    // depend on how podflow named the stream that sent it).
    const packetOf = (data: Uint8Array): Injection | undefined => {
      const k = flowKey(data);
      return k === undefined ? undefined : byKey.get(k);
    };
    const collected = await this.eachNode((n) => this.collect(n, frames.length, of(n).map((st) => config(`packet-generator delete ${st.name}`))));
    for (const st of streams) await st.n.t.remove(st.file);
    for (const [i, n] of [...this.nodes.values()].entries()) {
      const got = collected[i]!;
      for (const records of got.traces) {
        const f = byKey.get(traceKey(records) ?? '');
        if (!f) continue;
        obs.traces!.set(f.packet, [...(obs.traces!.get(f.packet) ?? []), { nodeId: n.model.id, records }]);
      }
      for (const data of got.wire) {
        const f = packetOf(data);
        if (f) obs.captures.push({ point: `node:${n.model.id}:wire`, time: f.at, packet: f.packet, data });
      }
      for (const r of got.rx) {
        const f = packetOf(r.data);
        if (f) obs.captures.push({ point: r.pod === undefined ? `node:${n.model.id}:host` : `pod:${r.pod}:rx`, time: f.at, packet: f.packet, data: r.data });
      }
    }
  }

  private podNode(pod: string): { n: NodeState; ifc: string } {
    for (const n of this.nodes.values()) {
      const p = n.model.pods.find((x) => x.name === pod);
      if (p) return { n, ifc: n.names.toLab.get(p.tap.name)! };
    }
    throw new Error(`vpp adapter: no pod '${pod}' in the configured topology`);
  }

  /** The node and lab interface a frame enters on: a pod's pg<N>, tap0's stand-in pg0, or the main NIC. */
  private sourceOf(from: Injection['from']): { n: NodeState; ifc: string } {
    if ('pod' in from) return this.podNode(from.pod);
    if ('wire' in from) return this.wireNode(from.node);
    return { n: this.wireNode(from.node).n, ifc: 'pg0' };
  }

  private wireNode(nodeId: number): { n: NodeState; ifc: string } {
    const n = this.nodes.get(nodeId);
    if (!n) throw new Error(`vpp adapter: no node ${nodeId} in the configured topology`);
    return { n, ifc: n.lab.gbe };
  }

  private wireFile(n: NodeState): string {
    // `pcap trace … file <name>` writes /tmp/<name> on the node (VPP takes no directory): named after the node's
    // files directory, so two labs on one machine never share it.
    return `podflow-${createHash('sha256').update(n.lab.files).digest('hex').slice(0, 12)}-wire.pcap`;
  }

  // Streams always name their first node: VPP 26.06's `packet-generator new … source pg<N> pcap …` without one
  // looks the input node up as pg->interfaces[N] — indexing the interface pool by the interface's number, not
  // its pool index — and for pg<N> beyond the pool's entries reads another entry's (or freed) mode, starting the
  // frame at ip4-input ("ip4 length > l2 length"). Found by connection-lifecycle on a lab (src/vnet/pg/cli.c).
  private async injectOne(f: Injection, obs: Observation): Promise<void> {
    // A pod transmits on its packet-generator interface; a frame "from the wire" is a stream that pretends to be
    // received on the node's main NIC (`node ethernet-input interface <gbe>`).
    const src = this.sourceOf(f.from);
    const stream = `pf${++this.seq}`;
    const input = `${src.n.lab.files}/${stream}.pcap`;
    await src.n.t.put(input, encodePcap([{ tsSec: Math.floor(f.at), tsFrac: Math.round((f.at % 1) * 1e6), data: f.frame }]));
    if ('pod' in f.from) obs.captures.push({ point: `pod:${f.from.pod}:tx`, time: f.at, packet: f.packet, data: f.frame });
    if ('host' in f.from) obs.captures.push({ point: `node:${f.from.node}:host`, time: f.at, packet: f.packet, data: f.frame });
    const create = config(!('wire' in f.from) ? `packet-generator new { name ${stream} limit 1 source ${src.ifc} node ethernet-input pcap ${input} }` : `packet-generator new { name ${stream} limit 1 node ethernet-input interface ${src.ifc} pcap ${input} }`);
    // every node armed, the stream created on its node, and the counters read (the baseline), node by node at once
    const base = await this.baseline((n) => this.arm(n, 1, n === src.n ? [create] : []));
    await src.n.t.config(`packet-generator enable-stream ${stream}`);
    await this.settle({ base, streams: [{ node: src.n.model.id, ifc: src.ifc, count: 1 }] });
    // the stream goes before the trace is read (see injectBatch: pg-input then prints the model's form)
    // Everything captured in this window belongs to the frame.
    const traces: { nodeId: number; records: unknown[] }[] = [];
    const collected = await this.eachNode((n) => this.collect(n, 1, n === src.n ? [config(`packet-generator delete ${stream}`)] : []));
    await src.n.t.remove(input);
    for (const [i, n] of [...this.nodes.values()].entries()) {
      const got = collected[i]!;
      for (const records of got.traces) traces.push({ nodeId: n.model.id, records });
      for (const data of got.wire) obs.captures.push({ point: `node:${n.model.id}:wire`, time: f.at, packet: f.packet, data });
      for (const r of got.rx) obs.captures.push({ point: r.pod === undefined ? `node:${n.model.id}:host` : `pod:${r.pod}:rx`, time: f.at, packet: f.packet, data: r.data });
    }
    obs.traces!.set(f.packet, [...(obs.traces!.get(f.packet) ?? []), ...traces]);
  }

  /**
   * Runs f on every configured node at once — each node has its own connection, and a node's commands stay in
   * order — and waits for all of them (none still runs when this returns); the first failure is rethrown.
   */
  private eachNode<T>(f: (n: NodeState) => Promise<T>): Promise<T[]> {
    return allSettled([...this.nodes.values()].map(f));
  }

  /** Every node's interface counters (keyed by model node ID) as `read` returns them: the baseline of an exchange. */
  private async baseline(read: (n: NodeState) => Promise<Map<string, InterfaceCounters>>): Promise<Map<number, Map<string, InterfaceCounters>>> {
    const got = await this.eachNode(read);
    return new Map([...this.nodes.values()].map((n, i) => [n.model.id, got[i]!]));
  }

  /**
   * For an exchange (`base`: the counters before its streams were enabled): waits until two readings of every
   * node's counters in a row are alike and every frame is accounted for (framesInFlight: each stream ran, every
   * frame a main NIC sent was received by the others). The counters decide, not a quiet window: on a loaded
   * machine a node can be off the CPU for longer than any window while a frame waits in its af_packet ring, and
   * when every frame is counted nothing of the exchange is still under way. Otherwise (after configuration) waits
   * until no counter has changed for `quietMs`. At most `settleMs` in all.
   */
  private async settle(exchange?: { base: Map<number, Map<string, InterfaceCounters>>; streams: StreamSent[] }): Promise<void> {
    const max = this.opts.settleMs ?? 500;
    const quiet = this.opts.quietMs ?? 10;
    const start = Date.now();
    const all = [...this.nodes.values()];
    const gbe = new Map(all.map((n) => [n.model.id, n.lab.gbe]));
    let last = '';
    let changed = start;
    for (;;) {
      const texts = await Promise.all(all.map((n) => n.t.cli('show interface')));
      const now = texts.join('\n');
      const t = Date.now();
      if (now !== last) {
        last = now;
        changed = t;
      } else if (exchange) {
        // Two readings alike in a row, and every frame accounted for: the exchange is over (the counters decide,
        // no quiet window needed — see in-flight.ts; VPP counts a frame in the dispatch that carries it to its end)
        const counters = new Map(all.map((n, i) => [n.model.id, interfaceCounters(texts[i]!)]));
        if (framesInFlight(exchange.base, counters, gbe, exchange.streams) === 0) return;
      } else if (t - changed >= quiet) return;
      if (t - start > max) {
        if (exchange) await this.checkTxRings();
        return;
      }
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  /**
   * After an exchange whose frames did not all arrive: a node whose af_packet NIC holds frames the kernel refused
   * (`request:N` in its TX queue) sends nothing more until restarted (findings/vpp-26.06-af-packet-refused-frame-
   * blocks-tx-ring) — what the case saw is the lab's wire, not the data path: unknown, saying which node.
   */
  private async checkTxRings(): Promise<void> {
    for (const n of this.nodes.values()) {
      const stuck = stuckTxRequests(await n.t.cli(`show hardware-interfaces ${n.lab.gbe}`));
      if (stuck > 0)
        throw new AdapterUnavailable(
          this.name,
          `lab node ${n.lab.id}: ${stuck} frame(s) wait in the TX ring of ${n.lab.gbe} that the kernel refused; it sends nothing more until restarted (findings/vpp-26.06-af-packet-refused-frame-blocks-tx-ring; a local lab's wire MTU is ${LAB_WIRE_MTU}, a remote lab's must be at least VPP's)`,
        );
    }
  }

  private async readPcap(t: Transport, path: string): Promise<Uint8Array[]> {
    let bytes: Uint8Array;
    try {
      bytes = await t.get(path);
    } catch {
      return []; // nothing captured: VPP writes no file
    }
    if (bytes.length === 0) return [];
    const d = decodePcap(bytes);
    if (!d.ok) throw new AdapterUnavailable(this.name, `node ${t.nodeId}: ${path}: ${d.error.message}`);
    return d.records.map((r) => r.data);
  }

  /**
   * One vppctl script per node: the configuration of the last case as sent (`vppctl exec node<N>.vppctl` on a
   * VPP where only the main NIC exists), with the interface names and how to replay the pods' frames.
   */
  reproduction(): { name: string; text: string }[] {
    return [...this.nodes.values()].map((n) => {
      const names = [...n.names.toLab].map(([m, l]) => `#   ${m} -> ${l}`);
      const pods = n.model.pods.map((p) => `#   pod ${p.name}: packet-generator new { name <s> limit <n> source ${n.names.toLab.get(p.tap.name)} node ethernet-input pcap <the pod's received-…-tx.pcap> }, then packet-generator enable-stream <s>`);
      const host = `#   host stack (tap0): packet-generator new { name <s> limit <n> source pg0 node ethernet-input pcap <the node's host frames> }`;
      const head = [`# podflow ${this.name}: lab node ${n.lab.id} as model node ${n.model.id} (${n.model.name}); run on a fresh VPP whose main NIC is ${n.lab.gbe}:`, `#   vppctl exec node${n.model.id}.vppctl`, '# interfaces (model -> lab):', ...names, '# inject:', ...pods, host];
      return { name: `node${n.model.id}.vppctl`, text: `${[...head, ...n.transcript].join('\n')}\n` };
    });
  }

  /** Closes one node's connection (preflightVppLab: nothing was configured, nothing to undo). */
  closeTransport(id: number): void {
    this.transports.get(id)?.close();
  }

  async teardown(): Promise<void> {
    try {
      await this.healWires();
      await this.unconfigure();
    } finally {
      this.topologyKey = undefined;
      for (const t of this.transports.values()) t.close();
    }
  }
}


/**
 * The preflight of `--adapter vpp` from the lab file's path: the file is readable and valid, and every node
 * answers. AdapterUnavailable with one line otherwise.
 */
export async function preflightVppLab(path: string, name = 'vpp'): Promise<void> {
  let lab: LabFile;
  try {
    lab = readLabFile(path);
  } catch (e) {
    if (e instanceof LabFileError) throw new AdapterUnavailable(name, `lab file ${e.file}: ${e.problems.join('; ')}`);
    throw e;
  }
  const a = new VppAdapter(lab, { name });
  try {
    await a.preflight();
  } finally {
    for (const n of lab.nodes) a.closeTransport(n.id);
  }
}

/**
 * config-drift on a lab node: the `del` form of the very command render-vppctl.ts (or apply()) emitted for the
 * item, and that command again to restore it. Interfaces by the lab's names, ACLs by the lab's indices. An item
 * the node's configuration does not have (an interface or ACL it does not know) is an error naming it.
 */
export function driftCommands(n: { model: AdapterNode; names: LabNames; acls: LabAclState }, item: DriftItem, adapter = 'vpp'): { remove: string[]; restore: string[] } {
  const lab = (name: string): string => {
    const l = n.names.toLab.get(name);
    if (l === undefined) throw new Error(`${adapter}: config-drift: node ${n.model.id} has no interface '${name}' (has: ${[...n.names.toLab.keys()].join(', ')})`);
    return l;
  };
  switch (item.kind) {
    case 'static-neighbour': {
      const ifc = lab(item.interface);
      return { remove: [`set ip neighbor del ${ifc} ${item.ip} ${item.mac}`], restore: [`set ip neighbor ${ifc} ${item.ip} ${item.mac} static`] };
    }
    case 'l2fib':
      return { remove: [`l2fib del ${item.mac} ${VXLAN_BD}`], restore: [`l2fib add ${item.mac} ${VXLAN_BD} ${lab(item.interface)} static`] };
    case 'route': {
      const via = item.via ?? (item.interface !== undefined ? lab(item.interface) : undefined);
      if (via === undefined) throw new Error(`${adapter}: config-drift: route ${item.prefix} names neither an interface nor a next hop`);
      return { remove: [`ip route del ${item.prefix} via ${via}`], restore: [`ip route add ${item.prefix} via ${via}`] };
    }
    case 'nat-identity': {
      const c = `nat44 add identity mapping ${item.ip}${item.proto ? ` ${item.proto} ${item.port}` : ''}`;
      return { remove: [`${c} del`], restore: [c] };
    }
    case 'nat-interface': {
      const ifc = lab(item.interface);
      const c = `set interface nat44${item.inside ? ` in ${ifc}` : ''}${item.outside ? ` out ${ifc}` : ''}${item.outputFeature ? ' output-feature' : ''}`;
      return { remove: [`${c} del`], restore: [c] };
    }
    case 'acl-attachment': {
      const ifc = lab(item.interface);
      const idx = n.acls.labIndex.get(item.acl);
      if (idx === undefined) throw new Error(`${adapter}: config-drift: node ${n.model.id} has no ACL ${item.acl}`);
      // attaching appends to the interface's list: the ACLs after it in the list are attached again after it
      const list = n.acls.attach.get(ifc)?.[item.direction] ?? [];
      const at = list.indexOf(idx);
      const after = at < 0 ? [] : list.slice(at + 1);
      const cmd = (i: number, del: boolean): string => `set acl-plugin interface ${ifc} ${item.direction} acl ${i}${del ? ' del' : ''}`;
      return { remove: [cmd(idx, true)], restore: [...after.map((i) => cmd(i, true)), cmd(idx, false), ...after.map((i) => cmd(i, false))] };
    }
  }
}
