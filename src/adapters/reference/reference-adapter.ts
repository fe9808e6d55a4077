// The reference model as an adapter (wrapped, not special-cased, as Maelstrom's in-memory network is): it
// rebuilds the resolved topology as a pinned scenario and runs injections through simulate(). It is the one
// adapter that imports the model; it can also trace, report drop reasons, and run on virtual time.
import { PROFILES, type DataPathFaults, type ProfileName } from '../../reference/profiles.ts';
import { trustedScenario, type Scenario } from '../../reference/scenario.ts';
import { Simulation } from '../../reference/simulate.ts';
import type { Acl, AclRule } from '../../reference/state/acl.ts';
import { aclConfigFromSpec, type AclConfig, type VppInstance } from '../../reference/state/vpp.ts';
import { buildTopology, type Topology } from '../../reference/topology/topology.ts';
import { knownModelAcls, knownModelTopology } from '../../reference/known-config.ts';
import { modelConfigState } from '../../reference/state/config-state.ts';
import { modelSessionState } from '../../reference/state/session-state.ts';
import { clearAclSessions, clearNatSessions, flapTap, podTap, interfacesLosingSessions, replacePod } from '../../reference/state/faults.ts';
import { removeConfigItem, restoreConfigItem } from '../../reference/state/faults.ts';
import { idleUntil } from '../../reference/state/faults.ts';
import { flapLink, restartNode } from '../../reference/state/faults.ts';
import { configureServiceNat, serviceNatFromPlain as serviceNatFromAdapter, type NodeServiceNat } from '../../reference/nodes/nat-dnat.ts';
import type { PickBackend } from '../../reference/state/nat.ts';
import { ip4, isIp4 } from '../../packet/index.ts';
import { loadKnownDivergences, type KnownDivergence } from '../adapter.ts';
import type { Adapter, AdapterAclConfig, AdapterCapabilities, AdapterServiceConfig, AdapterTopology, ConfigState, SessionState, Fault, FaultId, Injection, InterfaceDrivers, Observation, PacketFate } from '../adapter.ts';

/** Every fault of the catalogue: the model performs each as an operation on its state (reference/state/faults.ts). */
export const REFERENCE_FAULTS: readonly FaultId[] = ['acl-sessions-cleared', 'nat-sessions-cleared', 'acl-resync', 'acl-replaced', 'tap-flap', 'pod-replaced'];
(REFERENCE_FAULTS as FaultId[]).push('link-flap', 'node-restart');
(REFERENCE_FAULTS as FaultId[]).push('wire-impaired', 'idle-timeout');
(REFERENCE_FAULTS as FaultId[]).push('config-drift');

export interface ReferenceAdapterOptions {
  profile?: ProfileName;
  /** NAT44 as configured (default: Contiv's, with both identity mappings and forwarding) */
  nat?: { forwarding?: boolean; vxlanIdentity?: boolean; addressIdentity?: boolean };
  /** session settings that override the scenario's (e.g. a broken data path with short timeouts) */
  sessions?: Record<string, number>;
  /** runs after each (re)configuration: a mutant's hook to break the configured VPPs */
  afterConfigure?: (sim: Simulation) => void;
  /** runs after each fault has been performed: a mutant's hook to mishandle it */
  afterFault?: (sim: Simulation, fault: Fault) => void;
  /** a name for reports (default `reference(<profile>)`) */
  name?: string;
  /** data-path faults switched on in the profile (a mutant) */
  faults?: DataPathFaults;
  /** interface drivers other than Contiv's (a lab's packet-generator pods and af_packet NIC): the walk prints theirs */
  drivers?: InterfaceDrivers;
  /** which backend a new Service connection gets (docs/datapath.md §16.4; default the model's own choice) */
  pickBackend?: PickBackend;
}

/**
 * Model topologies by content: the scenario topology's JSON (nodes as the adapter form gives them, drivers and
 * IPAM overrides) → the topology buildTopology makes of it. A case configures the same cluster on several adapters
 * (the adapter under test and the model it is compared with, each a fresh ReferenceAdapter), so the second setup
 * finds the first one's topology. Topologies are read-only to the model (simulate.ts), so one can serve every
 * simulation of that content. A few entries suffice (a case uses one cluster at a time, plus its pod updates).
 */
const TOPOLOGIES = new Map<string, Topology>();
const TOPOLOGY_CACHE_SIZE = 8;

function topologyOf(scenario: Scenario): Topology {
  const key = JSON.stringify(scenario.topology);
  let t = TOPOLOGIES.get(key);
  if (t === undefined) {
    t = buildTopology(scenario.topology.nodes, scenario.ipamOverrides);
    if (TOPOLOGIES.size >= TOPOLOGY_CACHE_SIZE) TOPOLOGIES.delete(TOPOLOGIES.keys().next().value!);
    TOPOLOGIES.set(key, t);
  }
  return t;
}

/**
 * What aclConfigFromSpec makes of the adapter form of `cfg` (a test pins it), without parsing text: fresh maps,
 * ACLs, rule objects and attachment lists, because hooks (mutants) edit a configured VPP's ACLs in place.
 */
export function copyAclConfig(cfg: AclConfig): AclConfig {
  const out: AclConfig = { acls: new Map(), input: new Map(), output: new Map() };
  for (const a of cfg.acls.values()) {
    const rules: AclRule[] = [];
    for (const r of a.rules) {
      const rule: AclRule = { action: r.action, proto: r.proto, sport: r.sport, dport: r.dport };
      if (r.src) rule.src = { network: r.src.network, prefixLen: r.src.prefixLen };
      if (r.dst) rule.dst = { network: r.dst.network, prefixLen: r.dst.prefixLen };
      rules.push(rule);
    }
    const acl: Acl = { index: a.index, rules };
    if (a.tag !== undefined) acl.tag = a.tag;
    out.acls.set(a.index, acl);
  }
  for (const [sw, list] of cfg.input) out.input.set(sw, list.slice());
  for (const [sw, list] of cfg.output) out.output.set(sw, list.slice());
  return out;
}

/**
 * One node's ACL configuration from its adapter form: the model's own when the renderer made it for this very
 * topology (known-config.ts; copied: hooks edit a configured VPP's ACLs in place), else parsed. The adapter form
 * is the scenario's raw form with every default filled in (no normalisation needed).
 */
function aclConfigOf(spec: AdapterAclConfig[string] | undefined, vpp: VppInstance, topology: Topology): AclConfig {
  const known = spec && knownModelAcls(spec, topology);
  return known ? copyAclConfig(known) : aclConfigFromSpec(spec, vpp.node, `acls.${vpp.node.id}`, vpp.ifByName);
}

/** Where the vpp-current profile (VPP 26.06 as it works) departs from what the design makes the invariants state. */
export const VPP_CURRENT_DIVERGENCES: readonly KnownDivergence[] = loadKnownDivergences(new URL('./vpp-current-divergences.json', import.meta.url));

export class ReferenceAdapter implements Adapter {
  readonly name: string;
  readonly capabilities: AdapterCapabilities;
  private topology?: AdapterTopology;
  /** the ACL configuration last applied (what a resync applies again) */
  private acls: AdapterAclConfig = {};
  /** the Services last applied (kept by apply(), given again to every node configured afresh) */
  private services: AdapterServiceConfig = {};
  private pickBackend: PickBackend | undefined;
  private sessions: Record<string, number> = {};
  private sim?: Simulation;
  private profile: ProfileName;
  /** the virtual time of the latest injection or idle period (an idle-timeout starts there) */
  private clock = 0;

  constructor(private readonly opts: ReferenceAdapterOptions = {}) {
    this.profile = opts.profile ?? 'vpp-18.01-contiv';
    this.capabilities = { traces: true, dropReasons: true, virtualTime: true, faults: REFERENCE_FAULTS, services: true };
    // Where today's VPP departs from Contiv's design, the vpp-current model does too (vpp-current-divergences.json).
    if (this.profile === 'vpp-current') this.capabilities.knownDivergences = VPP_CURRENT_DIVERGENCES;
    this.pickBackend = opts.pickBackend;
    this.name = opts.name ?? `reference(${this.profile})`;
  }

  async setup(topology: AdapterTopology, options: { profile?: string; sessions?: Record<string, number | undefined> } = {}): Promise<void> {
    this.topology = topology;
    if (options.profile) this.profile = options.profile as ProfileName;
    this.sessions = Object.fromEntries(Object.entries(options.sessions ?? {}).filter(([, v]) => v !== undefined)) as Record<string, number>;
    this.services = {};
    this.sim = this.configured(undefined);
    this.acls = {};
    this.clock = 0;
  }

  /**
   * Replaces the ACL configuration in place: sessions survive ACL changes (they are not re-evaluated, docs/datapath.md
   * §8.4), except on the interfaces `interfacesLosingSessions` names for the profile: those that lose every ACL
   * (18.01), or whose attached ACLs changed at all (current VPP).
   */
  async apply(acls: AdapterAclConfig): Promise<void> {
    const sim = this.requireSim();
    this.acls = acls;
    for (const vpp of sim.vpps.values()) {
      const before = vpp.acl;
      vpp.acl = aclConfigOf(acls[String(vpp.node.id)], vpp, sim.topology);
      for (const sw of interfacesLosingSessions(before, vpp.acl, vpp.profile)) vpp.aclSessions.removeInterface(sw);
    }
    this.opts.afterConfigure?.(sim);
  }

  /**
   * Configures the Services as given on every node, replacing those before (docs/datapath.md §16.3): the adapter form
   * (strings) is checked and turned into the model's mappings; DNAT sessions of mappings that are gone go with them.
   * Later apply() calls keep them; a node configured afresh (pods changed, node-restart) gets them again.
   */
  async applyServices(services: AdapterServiceConfig): Promise<void> {
    const sim = this.requireSim();
    const parsed = new Map<number, NodeServiceNat>();
    for (const key of Object.keys(services)) if (!sim.vpps.has(Number(key))) throw new Error(`${this.name}: applyServices: services["${key}"]: no node with ID ${key}`);
    for (const vpp of sim.vpps.values()) parsed.set(vpp.node.id, serviceNatFromAdapter(services[String(vpp.node.id)], vpp, `${this.name}: applyServices: services["${vpp.node.id}"]`));
    this.services = services;
    for (const vpp of sim.vpps.values()) configureServiceNat(vpp, parsed.get(vpp.node.id)!);
    this.opts.afterConfigure?.(sim);
  }

  /**
   * Makes the model choose Service backends with `pick` from now on (undefined: its own choice again), on every
   * node and on nodes configured afresh: a caller comparing the model with a data path passes the data path's choice.
   */
  setPickBackend(pick: PickBackend | undefined): void {
    this.pickBackend = pick;
    if (this.sim) for (const vpp of this.sim.vpps.values()) vpp.nat.pickBackend = pick;
  }

  /**
   * Pods added or deleted: the model is configured afresh for the new topology, then each surviving node takes
   * over its state — sessions (minus those of interfaces that are gone or renamed), NAT sessions, counters — and
   * its ACL configuration on the interfaces that remain, until the next apply().
   */
  async updateTopology(topology: AdapterTopology): Promise<void> {
    const old = this.requireSim();
    const before = this.topology!;
    this.topology = topology;
    const oldNodes = new Map(before.nodes.map((n) => [n.id, n]));
    for (const n of topology.nodes) {
      const o = oldNodes.get(n.id);
      if (!o || o.nodeIp !== n.nodeIp || o.bvi.ip !== n.bvi.ip || o.gbe.mac !== n.gbe.mac) throw new Error(`${this.name}: updateTopology changes node ${n.id} itself (only pods may come and go)`);
    }
    if (topology.nodes.length !== before.nodes.length) throw new Error(`${this.name}: updateTopology adds or removes nodes (only pods may come and go)`);
    const sim = this.configured(undefined);
    for (const vpp of sim.vpps.values()) {
      const prev = old.vpps.get(vpp.node.id)!;
      // An interface survives when the same sw_if_index still has the same name.
      const gone = [...prev.ifBySw.values()].filter((i) => vpp.ifBySw.get(i.swIfIndex)?.name !== i.name).map((i) => i.swIfIndex);
      for (const sw of gone) prev.aclSessions.removeInterface(sw);
      vpp.aclSessions = prev.aclSessions;
      vpp.natSessions = prev.natSessions;
      vpp.counters = prev.counters;
      const keep = <T>(m: Map<number, T>): Map<number, T> => new Map([...m].filter(([sw]) => !gone.includes(sw) && vpp.ifBySw.has(sw)));
      vpp.acl = { acls: prev.acl.acls, input: keep(prev.acl.input), output: keep(prev.acl.output) };
    }
    // The hook ran on the fresh configuration (configured()) and, at the last apply(), on the ACLs carried over:
    // running it again would break the carried-over tables once more per topology change.
    this.sim = sim;
  }

  /**
   * node-restart: the node configured afresh as setup() and apply() configure it — a simulation configured from
   * the same scenario and topology (its hook run), the ACLs last applied set on that node (the hook run again, as
   * apply() does) — and that node's instance moved into the running simulation; the other nodes keep their state.
   */
  private restart(sim: Simulation, node: number): void {
    const fresh = new Simulation(sim.scenario, sim.profile, { topology: sim.topology });
    if (this.pickBackend) for (const v of fresh.vpps.values()) v.nat.pickBackend = this.pickBackend;
    this.opts.afterConfigure?.(fresh);
    const vpp = fresh.vpps.get(node)!;
    vpp.acl = aclConfigOf(this.acls[String(node)], vpp, sim.topology);
    configureServiceNat(vpp, serviceNatFromAdapter(this.services[String(node)], vpp, `${this.name}: node-restart: services["${node}"]`));
    this.opts.afterConfigure?.(fresh);
    restartNode(sim.vpps, vpp);
  }

  private configured(acls: AdapterAclConfig | undefined): Simulation {
    const profile = this.opts.faults ? { ...PROFILES[this.profile], faults: this.opts.faults } : this.profile;
    // The model topology the renderer built (known-config.ts; with Contiv's drivers only: other drivers are not in
    // it), else the one of this content, built once for every adapter that configures it.
    const scenario = this.scenario(acls);
    const known = this.opts.drivers ? undefined : knownModelTopology(this.topology!);
    const sim = new Simulation(scenario, profile, { topology: known ?? topologyOf(scenario) });
    if (this.pickBackend) for (const vpp of sim.vpps.values()) vpp.nat.pickBackend = this.pickBackend;
    for (const vpp of sim.vpps.values()) configureServiceNat(vpp, serviceNatFromAdapter(this.services[String(vpp.node.id)], vpp, `${this.name}: services["${vpp.node.id}"]`));
    this.opts.afterConfigure?.(sim);
    return sim;
  }

  async inject(frames: Injection[]): Promise<Observation> {
    const sim = this.requireSim();
    const obs: Observation = { captures: [], outcomes: new Map(), traces: new Map() };
    // Plain loops appending to the packet's lists (no spread copies): this runs for every packet of a fuzz case.
    for (const f of frames) {
      if (f.at > this.clock) this.clock = f.at;
      const r = sim.inject({ at: f.at, from: f.from, bytes: f.frame }, f.packet);
      for (const c of r.frames) obs.captures.push({ point: c.point, time: c.time, packet: f.packet, data: c.data });
      let fates: PacketFate[] | undefined = obs.outcomes!.get(f.packet);
      if (!fates) obs.outcomes!.set(f.packet, (fates = []));
      for (const o of r.outcomes) fates.push(o.kind === 'lost' ? { kind: 'lost', nodeId: o.nodeId, reason: o.reason } : o.kind === 'host' ? { kind: 'host', nodeId: o.nodeId } : o);
      let traces = obs.traces!.get(f.packet);
      if (!traces) obs.traces!.set(f.packet, (traces = []));
      const spell = sim.profile.natNodeNames as Record<string, string>;
      for (const t of r.traces) traces.push({ nodeId: t.nodeId, records: t.records, path: t.path.map((n) => spell[n] ?? n) });
    }
    return obs;
  }

  /** Performs a fault as an operation on the model's state (src/faults/ says what each means). */
  async fault(f: Fault): Promise<void> {
    const sim = this.requireSim();
    const vppOf = (node: number) => sim.vpps.get(node) ?? (() => { throw new Error(`${this.name}: ${f.id}: no node ${node}`); })();
    const tapOf = (node: number, pod: string): number => podTap(vppOf(node), pod) ?? (() => { throw new Error(`${this.name}: ${f.id}: no pod ${pod} on node ${node}`); })();
    switch (f.id) {
      case 'acl-sessions-cleared':
        clearAclSessions(vppOf(f.node));
        break;
      case 'nat-sessions-cleared':
        clearNatSessions(vppOf(f.node));
        break;
      case 'acl-resync':
        // The same tables applied again: apply() keeps the sessions of every interface that still has ACLs (§8.4).
        await this.apply(this.acls);
        break;
      case 'acl-replaced':
        await this.apply(f.acls);
        break;
      case 'tap-flap':
        flapTap(vppOf(f.node), tapOf(f.node, f.pod));
        break;
      case 'pod-replaced':
        replacePod(vppOf(f.node), tapOf(f.node, f.pod));
        break;
      case 'link-flap':
        flapLink(vppOf(f.node), f.link);
        break;
      case 'node-restart':
        this.restart(sim, vppOf(f.node).node.id);
        break;
      case 'wire-impaired':
        // the wire is not modelled: nothing in the state changes (the property does not judge packets meanwhile)
        vppOf(f.node);
        break;
      case 'idle-timeout':
        if (!(f.seconds >= 0)) throw new Error(`${this.name}: idle-timeout: seconds must be a number ≥ 0, got ${f.seconds}`);
        this.clock += f.seconds;
        for (const vpp of sim.vpps.values()) idleUntil(vpp, this.clock);
        break;
      case 'config-drift': {
        // the ACL list the last applied configuration gives the interface: where a restored ACL goes back
        const it = f.item;
        const applied = it.kind === 'acl-attachment' ? this.acls[String(f.node)]?.attach.find((a) => a.interface === it.interface)?.[it.direction] : undefined;
        if (f.restore) restoreConfigItem(vppOf(f.node), f.item, applied);
        else removeConfigItem(vppOf(f.node), f.item);
        break;
      }
    }
    this.opts.afterFault?.(sim, f);
  }

  /** The model's configuration per node, as `show` commands would list it (state/config-state.ts). */
  async configState(): Promise<ConfigState> {
    return modelConfigState(this.requireSim().vpps.values());
  }

  /** The model's session tables per node, as `show acl-plugin sessions` / `show nat44 sessions` would list them. */
  async sessionState(): Promise<SessionState> {
    return modelSessionState(this.requireSim().vpps.values(), this.clock);
  }

  async reset(): Promise<void> {
    for (const vpp of this.requireSim().vpps.values()) {
      vpp.aclSessions.clear();
      vpp.natSessions.clear();
    }
  }

  async teardown(): Promise<void> {
    this.sim = undefined;
  }

  /** The model is the data path: `podflow model <profile>`. */
  async version(): Promise<string | undefined> {
    return `podflow model ${this.profile}`;
  }

  /** The simulation itself, for checks that compare against the model's own structures. */
  get simulation(): Simulation {
    return this.requireSim();
  }

  private requireSim(): Simulation {
    if (!this.sim) throw new Error(`${this.name}: setup() was not called`);
    return this.sim;
  }

  private scenario(acls: AdapterAclConfig | undefined): Scenario {
    return trustedScenario(scenarioInput(this.topology!, acls, Object.assign({}, this.sessions, this.opts.sessions ?? {}), this.opts.nat, this.opts.drivers));
  }
}

/**
 * A resolved topology and its ACLs as the scenario file's input form (what `podflow explain` reads; packets are
 * the caller's). Built field by field (no object spread: a slow path in V8, and this runs once per fuzz case).
 */
type NodeInput = Parameters<typeof trustedScenario>[0]['topology']['nodes'][number];

export function scenarioInput(t: AdapterTopology, acls: AdapterAclConfig | undefined, sessions: Record<string, number> = {}, nat?: ReferenceAdapterOptions['nat'], drivers: InterfaceDrivers = {}, services?: AdapterServiceConfig): Parameters<typeof trustedScenario>[0] {
  const nic = drivers.nic;
  const pod = drivers.pod;
  const input: Parameters<typeof trustedScenario>[0] = {
    version: 1,
    topology: {
      nodes: t.nodes.map((n) => {
        const node: NodeInput = {
          id: n.id,
          name: n.name,
          gbe: nic === undefined ? { name: n.gbe.name, mac: n.gbe.mac } : { name: n.gbe.name, mac: n.gbe.mac, driver: nic },
          pods: n.pods.map((p) => ({ name: p.name, ip: p.ip, tap: pod === undefined ? { name: p.tap.name, mac: p.tap.mac } : { name: p.tap.name, mac: p.tap.mac, driver: pod } })),
        };
        // tap0's driver (a lab's packet-generator pg0): the walk enters by pg-input and prints tap0-tx (§17.8)
        if (drivers.host !== undefined) node.tap0 = { driver: drivers.host };
        // The host stack and the default gateway (docs/datapath.md §17): the host end's learned MAC, the host's other
        // addresses (routesToHost), the gateway with its learned MAC.
        if (n.host) Object.assign(node, { hostMac: n.host.mac, hostIps: n.host.addresses.filter((a) => a !== n.host!.ip.split('/')[0]) });
        if (n.gateway) node.gateway = { ip: n.gateway.ip, mac: n.gateway.mac };
        return node;
      }),
    },
    sessions,
  };
  if (t.ipam) input.topology.ipam = t.ipam;
  if (acls) input.acls = acls;
  if (services && Object.keys(services).length > 0) input.serviceNat = services;
  if (nat) input.nat = Object.assign({ forwarding: true, vxlanIdentity: true, addressIdentity: true }, nat);
  return input;
}

