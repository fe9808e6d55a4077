// The Linux kernel as an adapter (issue #6): the Contiv two-node design built from network namespaces (veth
// pod TAPs, a bridge as BVI, a VXLAN device with static FDB and neighbours, nftables + conntrack for the ACLs,
// NAT on the main NIC, Services as DNAT, a host namespace per node behind tap0), driven by netns-helper.py for injection and capture. Setup is incremental: namespaces
// are a pool and only the groups of commands whose topology part changed are re-run (render-netns.ts).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { release } from 'node:os';
import { AdapterUnavailable, type Adapter, type AdapterAclConfig, type AdapterCapabilities, type AdapterServiceConfig, type AdapterTopology, type Capture, type ConfigState, type DriftItem, type DriftKind, type Fault, type FaultId, type Injection, type Observation, type WireImpairment } from '../adapter.ts';
import { deleteNamespacesSync, namespacesWithPrefix, registerForCleanup, removeStaleNamespaces } from './cleanup.ts';
import { findTool, hostWireImpairments } from '../host.ts';
import { CommandError, runWith } from './exec.ts';
import { HelperError, NetnsHelper } from './helper.ts';
import { KERNEL_KNOWN_DIVERGENCES } from './known-divergences.ts';
import { BVI_IF, GBE_IF, HOST_IF, linuxTapName, TAP0_IF, MARKER_RX, MARKER_TX, namespaceNames, POD_IF, runPrefix, underlayPort, validateTopology, type NamespaceNames } from './names.ts';
import { NODE_CONNTRACK_SYSCTLS, netObjects, renderNetnsDiff, type NetnsDiff, type NetObject } from './render-netns.ts';
import { conntrackTimeoutSysctls, type SessionTimeoutsOption } from './render-netns.ts';
import { wireCommands } from '../host.ts';
import { allocateSessionSlots, interfacesWithAcls, renderNftables, type KernelFaults } from './render-nftables.ts';

export interface KernelAdapterOptions {
  /** deliberately wrong renderings (`kernel:no-reflect`, `kernel:snat-vxlan`) */
  faults?: KernelFaults;
  /** a report name (default `kernel`, or `kernel:<fault>`) */
  name?: string;
  /** namespace prefix (default `pf-<pid>-<random>-`); the lab passes its own */
  prefix?: string;
  /** pods' own stacks stay silent (default true) */
  mutePods?: boolean;
  /** marker rounds after each frame (netns-helper.py); default 8 */
  markerRounds?: number;
  /** keep namespaces on teardown (the lab) */
  keep?: boolean;
}

/** What the adapter runs, and the Debian package that has it (preflight names both when one is missing). */
export const KERNEL_TOOLS: readonly (readonly [tool: string, pkg: string])[] = [
  ['ip', 'iproute2'],
  ['bridge', 'iproute2'],
  ['nft', 'nftables'],
  ['sysctl', 'procps'],
  ['python3', 'python3'],
];

/** What keeps this host from running the kernel adapter, as one line (undefined: nothing). */
export function kernelPreflightProblem(o: { uid?: number; path?: string; python?: string } = {}): string | undefined {
  const missing: string[] = [];
  const uid = o.uid ?? process.geteuid?.();
  if (uid !== 0) missing.push('root privileges (network namespaces need root; run with sudo)');
  const python = o.python ?? process.env.PODFLOW_PYTHON ?? 'python3';
  const tools = KERNEL_TOOLS.map(([t, p]) => (t === 'python3' ? ([python, p] as const) : ([t, p] as const)));
  const gone = tools.filter(([t]) => !findTool(t, o.path));
  if (gone.length > 0) missing.push(`${gone.map(([t, p]) => `${t} (Debian package ${p})`).join(', ')} not found on PATH`);
  return missing.length === 0 ? undefined : `cannot drive network namespaces here, missing: ${missing.join('; ')}`;
}

/**
 * The nemesis's faults the kernel performs (src/faults/): conntrack flushed in the node's namespace (reflective
 * sessions are conntrack entries with a ct-mark bit), the nftables ruleset loaded again (unchanged, or another
 * rendering), the pod's `ptap<k>` set down and up, and the pod's link deleted and made again (its ACLs detached
 * first, so its session bits retire as VPP's sessions go with a deleted interface), the node's underlay port impaired
 * (nftables or netem in the underlay namespace) until healed, and a real wait for an idle period (the setup's session
 * timeouts are the node namespaces' conntrack timeouts); NAT sessions alone: the node's conntrack entries that
 * carry no reflective-session mark (ctnetlink flush filtered by mark).
 */
export const KERNEL_NEMESIS: readonly FaultId[] = ['acl-sessions-cleared', 'nat-sessions-cleared', 'acl-resync', 'acl-replaced', 'tap-flap', 'pod-replaced'];
/**
 * Also: loop0 (the bridge) or `gbe` set down and up, with what Linux drops with a link set down (routes through it,
 * its permanent neighbours) configured again, as VPP keeps them; and a node restarted: its namespace deleted (its
 * devices, conntrack and ruleset with it, and the veth peers in the pods' namespaces and the underlay), made again
 * from the same objects, and its ruleset loaded again (the ACLs last applied).
 */
(KERNEL_NEMESIS as FaultId[]).push('link-flap', 'node-restart');
(KERNEL_NEMESIS as FaultId[]).push('wire-impaired', 'idle-timeout');
(KERNEL_NEMESIS as FaultId[]).push('config-drift');

/**
 * The config-drift items the kernel performs: a permanent neighbour (`ip neigh` flush, then `replace` again), the
 * bridge's static FDB entry for a remote BVI on the VXLAN port, a route (`ip route del`, then `replace`), an ACL
 * attachment (the ruleset loaded without it, then with it). Not NAT roles or identity mappings: the kernel's NAT is
 * one masquerade rule on gbe (render-nftables.ts) with no per-interface role or mapping to remove, so a case
 * drifting one is unknown.
 */
export const KERNEL_DRIFT_KINDS: readonly DriftKind[] = ['static-neighbour', 'l2fib', 'route', 'acl-attachment'];

export interface KernelStats {
  setups: number;
  /** objects added or changed over all setups (a measure of how incremental setup was) */
  objectsChanged: number;
  setupMs: number[];
  injected: number;
  /** frames captured before an injection started (late frames of an earlier packet or stack chatter) */
  stray: number;
  /** setups that had to rebuild every namespace (a command failed on the incremental path) */
  rebuilds: number;
  /** node rulesets loaded (a ruleset equal to the one loaded is not loaded again) */
  rulesetLoads: number;
}

interface PointMap {
  /** helper socket key → capture point names for frames leaving the socket's device (outgoing) and arriving */
  byKey: Map<string, { outgoing: string | undefined; incoming: string | undefined }>;
  /** pod name → socket key of its eth0 */
  podKey: Map<string, string>;
  /** node id → socket key of its underlay port */
  wireKey: Map<number, string>;
  /** node id → socket key of vpp1, the host stack's end of tap0 */
  hostKey: Map<number, string>;
}

export class KernelAdapter implements Adapter {
  readonly name: string;
  readonly capabilities: AdapterCapabilities = { traces: false, dropReasons: false, virtualTime: false, knownDivergences: KERNEL_KNOWN_DIVERGENCES, faults: KERNEL_NEMESIS, driftKinds: KERNEL_DRIFT_KINDS, wireImpairments: hostWireImpairments(), services: true };
  readonly stats: KernelStats = { setups: 0, objectsChanged: 0, setupMs: [], injected: 0, stray: 0, rebuilds: 0, rulesetLoads: 0 };
  readonly names: NamespaceNames;
  private readonly helper = new NetnsHelper();
  private objects: NetObject[] = [];
  /** config-drift: objects removed (by key) and ACL attachments detached (by node and item), until restored */
  private drifted = new Map<string, NetObject>();
  private aclDrift = new Map<string, { node: number; item: Extract<DriftItem, { kind: 'acl-attachment' }> }>();
  /** bumped when everything is rebuilt: sockets bound to old devices must be replaced */
  private generation = 0;
  private topology?: AdapterTopology;
  private points?: PointMap;
  private icmpRepliesHitSessions = false;
  private slots = new Map<number, { slots: Map<string, number>; retired: Set<number> }>();
  private applied = false;
  /** pod link → how often it was made again (pod-replaced): part of its capture socket's key */
  private incarnations = new Map<string, number>();
  /** the ACL configuration last applied (what a resync loads again) */
  private acls: AdapterAclConfig = {};
  /** the Services last applied (rendered into every ruleset with the ACLs) */
  private services: AdapterServiceConfig = {};
  /** node namespace → the ruleset text last loaded there (the same text is not loaded again, unless a resync) */
  private loaded = new Map<string, string>();
  private liberal = new Set<string>();
  /** session timeouts of the last setup (conntrack sysctls of every node namespace; none: the kernel's own) */
  private sessions?: SessionTimeoutsOption;
  /** node namespace → the conntrack timeouts set there (JSON), and the values they had before podflow set them */
  private ctSet = new Map<string, string>();
  private ctBefore = new Map<string, [string, string][]>();
  /** node slot → the commands that heal its impaired underlay port (wire-impaired not yet healed) */
  private impaired = new Map<number, string[][]>();
  private unregister?: () => void;

  constructor(private readonly opts: KernelAdapterOptions = {}) {
    const fault = Object.entries(opts.faults ?? {}).find(([, v]) => v)?.[0];
    this.name = opts.name ?? (fault ? `kernel:${fault}` : 'kernel');
    this.names = namespaceNames(opts.prefix ?? runPrefix(process.pid, randomBytes(3).toString('hex')));
  }

  get prefix(): string {
    return this.names.prefix;
  }

  /** The namespaces this adapter has made (and not yet deleted). */
  namespaces(): string[] {
    return namespacesWithPrefix(this.names.prefix);
  }

  /** Root, and ip, bridge, nft, sysctl and python3 on PATH; AdapterUnavailable naming what is missing. */
  async preflight(): Promise<void> {
    const problem = kernelPreflightProblem();
    if (problem) throw new AdapterUnavailable(this.name, problem);
  }

  /** `linux <release>` (os.release(), i.e. `uname -r`) and, when it answers within 5 s, `nft --version`'s line. */
  async version(): Promise<string | undefined> {
    const nft = await new Promise<string | undefined>((resolve) => {
      try {
        // argv, no shell; a missing or hanging nft is simply left out
        execFile('nft', ['--version'], { timeout: 5000, maxBuffer: 64 * 1024, windowsHide: true }, (err, stdout) => {
          const line = String(stdout ?? '').trim().split('\n')[0]?.replace(/[\p{C}]+/gu, ' ').trim();
          resolve(err || !line ? undefined : line.slice(0, 200));
        });
      } catch {
        resolve(undefined);
      }
    });
    return [`linux ${release()}`, ...(nft ? [nft] : [])].join('; ');
  }

  async setup(topology: AdapterTopology, options: { profile?: string; sessions?: SessionTimeoutsOption } = {}): Promise<void> {
    this.sessions = options.sessions;
    // a new setup starts without Services, as the vpp adapter's (applyServices after it configures them)
    this.services = {};
    await this.guard(async () => {
      await this.healWires();
      await this.configure(topology, options, true);
    });
  }

  /** A new topology while the sessions of untouched interfaces persist (pods added or removed). */
  async updateTopology(topology: AdapterTopology): Promise<void> {
    await this.guard(() => this.configure(topology, {}, false));
  }

  /**
   * The helper crashed, was killed after a timeout, or could not run a program (nft missing): the data path
   * could not answer, so a check says unknown (AdapterUnavailable, one line), never a stack trace.
   */
  private async guard<T>(f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (e) {
      // a program that is not installed: `ip netns exec` says so in stderr, the helper's subprocess raises
      const text = e instanceof CommandError ? e.stderr : e instanceof HelperError ? e.message : '';
      const missing = /exec of "([^"]+)" failed: No such file or directory/.exec(text)?.[1] ?? /FileNotFoundError: .*No such file or directory: '([^']+)'/.exec(text)?.[1];
      if (missing !== undefined) {
        const pkg = KERNEL_TOOLS.find(([t]) => t === missing)?.[1];
        throw new AdapterUnavailable(this.name, `${missing} not found on PATH${pkg ? ` (Debian package ${pkg})` : ''}${e instanceof CommandError ? `: ${e.argv.join(' ').slice(0, 120)}` : ''}`);
      }
      if (e instanceof HelperError) throw new AdapterUnavailable(this.name, e.message.split('\n')[0]!);
      throw e;
    }
  }

  private async configure(topology: AdapterTopology, options: { profile?: string }, fresh: boolean): Promise<void> {
    const t0 = performance.now();
    validateTopology(topology);
    if (options.profile) this.icmpRepliesHitSessions = options.profile !== 'vpp-18.01-contiv';
    if (!this.unregister) {
      removeStaleNamespaces();
      // a kept setup (the lab) outlives this process; everything else goes when the process does
      this.unregister = this.opts.keep ? () => {} : registerForCleanup(this.names.prefix, () => this.helper.killNow());
      if (!this.opts.prefix) deleteNamespacesSync(this.namespaces());
    }
    const next = netObjects(topology, this.names, { mutePods: this.opts.mutePods ?? true });
    await this.undrift();
    try {
      const diff = renderNetnsDiff(this.objects, next);
      this.objects = diff.state;
      await this.runDiff(diff);
    } catch (e) {
      // half-applied state (an earlier crash, a device someone removed): rebuild from nothing once
      if (!(e instanceof CommandError)) throw e;
      if (process.env.PODFLOW_KERNEL_TRACE === '1') process.stderr.write(`[kernel] rebuilding from nothing after: ${e.message}\n`);
      this.stats.rebuilds++;
      await this.helper.forget(this.namespaces(), true);
      deleteNamespacesSync(this.namespaces());
      this.generation++;
      this.objects = next;
      this.liberal.clear();
      this.loaded.clear();
      this.ctSet.clear();
      this.ctBefore.clear();
      this.impaired.clear();
      this.slots.clear();
      await this.runDiff(renderNetnsDiff([], next));
    }
    this.topology = topology;
    this.points = this.pointMap(topology);
    const tS = performance.now();
    try {
      await this.helper.sockets(this.socketList(topology), { key: 'marker', ns: this.names.underlay, tx: MARKER_TX, rx: MARKER_RX });
      if (fresh) await this.reset();
    } catch (e) {
      throw new AdapterUnavailable(this.name, (e as Error).message.split('\n')[0]!);
    }
    if (process.env.PODFLOW_KERNEL_TRACE === '1') process.stderr.write(`[kernel] sockets and conntrack flush: ${(performance.now() - tS).toFixed(0)} ms\n`);
    this.applied = false;
    this.stats.setups++;
    this.stats.setupMs.push(performance.now() - t0);
  }

  private async runDiff(diff: NetnsDiff): Promise<void> {
    const t0 = performance.now();
    // namespaces, devices and their wiring exist before any configuration is deleted or added
    for (const phase of diff.add.slice(0, 3)) await runWith(this.helper, [], phase);
    await runWith(this.helper, diff.del, diff.add[3]!);
    if (process.env.PODFLOW_KERNEL_TRACE === '1') process.stderr.write(`[kernel] diff: ${diff.del.length} deletions, ${diff.add.flat().length} additions in ${(performance.now() - t0).toFixed(0)} ms\n`);
    this.stats.objectsChanged += diff.changed.length;
  }

  private socketList(t: AdapterTopology): { key: string; ns: string; ifname: string }[] {
    const out: { key: string; ns: string; ifname: string }[] = [];
    t.nodes.forEach((n, slot) => {
      out.push({ key: this.wireSocketKey(slot), ns: this.names.underlay, ifname: underlayPort(slot) });
      n.pods.forEach((_, k) => out.push({ key: this.podSocketKey(slot, k), ns: this.names.pod(slot, k), ifname: POD_IF }));
      out.push({ key: this.hostSocketKey(slot), ns: this.names.host(slot), ifname: HOST_IF });
    });
    return out;
  }

  private hostSocketKey(slot: number): string {
    const inc = this.incarnations.get(`host:${slot}`);
    return `host:${this.generation}:${slot}${inc ? `:${inc}` : ''}`;
  }

  // devices are made once per position and kept, so a socket stays valid for the adapter's life (the
  // generation changes only when everything was rebuilt)
  private wireSocketKey(slot: number): string {
    const inc = this.incarnations.get(`wire:${slot}`);
    return `wire:${this.generation}:${slot}${inc ? `:${inc}` : ''}`;
  }

  private podSocketKey(slot: number, k: number): string {
    const inc = this.incarnations.get(`${slot}:${k}`);
    return `pod:${this.generation}:${slot}:${k}${inc ? `:${inc}` : ''}`;
  }

  private pointMap(t: AdapterTopology): PointMap {
    const m: PointMap = { byKey: new Map(), podKey: new Map(), wireKey: new Map(), hostKey: new Map() };
    t.nodes.forEach((n, slot) => {
      const wk = this.wireSocketKey(slot);
      // the underlay end of the node's NIC: what leaves it goes to the node, what arrives came from it
      m.byKey.set(wk, { outgoing: `node:${n.id}:wire`, incoming: `node:${n.id}:wire` });
      m.wireKey.set(n.id, wk);
      // vpp1: what the host sends over tap0 and what it receives from it, both the node's host point (§17)
      const hk = this.hostSocketKey(slot);
      m.byKey.set(hk, { outgoing: `node:${n.id}:host`, incoming: `node:${n.id}:host` });
      m.hostKey.set(n.id, hk);
      n.pods.forEach((p, k) => {
        const pk = this.podSocketKey(slot, k);
        m.byKey.set(pk, { outgoing: `pod:${p.name}:tx`, incoming: `pod:${p.name}:rx` });
        m.podKey.set(p.name, pk);
      });
    });
    return m;
  }

  async apply(acls: AdapterAclConfig): Promise<void> {
    await this.guard(() => this.applyAcls(acls));
  }

  private async applyAcls(acls: AdapterAclConfig, o: { reload?: boolean } = {}): Promise<void> {
    const t = this.requireTopology();
    this.acls = acls;
    const known = new Set(t.nodes.map((n) => String(n.id)));
    for (const id of Object.keys(acls)) if (!known.has(id)) throw new Error(`kernel adapter: acls.${id}: no node with id ${id} in the topology`);
    for (const [slot, n] of t.nodes.entries()) {
      const ns = this.names.node(slot);
      const nodeAcls = this.withoutDrift(n.id, acls[String(n.id)]);
      const withAcls = interfacesWithAcls(n, nodeAcls);
      const cur = this.slots.get(slot) ?? { slots: new Map(), retired: new Set<number>() };
      let next = allocateSessionSlots(withAcls, cur.slots, cur.retired);
      if (!next) {
        // every bit is taken or retired: forget all sessions of this node (a documented divergence, rare)
        await this.helper.conntrackFlush([ns]);
        next = allocateSessionSlots(withAcls, new Map(), new Set())!;
      }
      this.slots.set(slot, next);
      const svc = this.services[String(n.id)];
      const text = renderNftables(n, nodeAcls, { slots: next.slots, icmpRepliesHitSessions: this.icmpRepliesHitSessions, ...(this.opts.faults ? { faults: this.opts.faults } : {}), ...(svc ? { services: svc } : {}) });
      // the same ruleset again would change nothing (it keeps no state: conntrack and its marks stay either way)
      if (o.reload || this.loaded.get(ns) !== text) {
        this.loaded.delete(ns);
        const r = await this.helper.exec(ns, ['nft', '-f', '-'], text);
        if (r.status !== 0) throw new CommandError(['ip', 'netns', 'exec', ns, 'nft', '-f', '-'], r.status, `${r.stderr}\n--- ruleset ---\n${text}`);
        this.loaded.set(ns, text);
        this.stats.rulesetLoads++;
      }
      if (!this.liberal.has(ns)) {
        // the ruleset's ct expressions loaded conntrack into the namespace: now its sysctls exist
        await this.helper.sysctl(ns, NODE_CONNTRACK_SYSCTLS);
        this.liberal.add(ns);
      }
      await this.conntrackTimeouts(ns);
    }
    this.applied = true;
  }

  /**
   * Services as DNAT in every node's ruleset (render-nftables.ts, docs/datapath.md §16.2), replacing the ones
   * before; the rulesets load with the ACLs. A node whose Services changed forgets its conntrack entries, so no
   * connection of a removed mapping stays translated — its ACL sessions with them (a listed divergence).
   */
  async applyServices(services: AdapterServiceConfig): Promise<void> {
    await this.guard(async () => {
      const t = this.requireTopology();
      const known = new Set(t.nodes.map((n) => String(n.id)));
      for (const id of Object.keys(services)) if (!known.has(id)) throw new Error(`kernel adapter: services.${id}: no node with id ${id} in the topology`);
      const before = this.services;
      this.services = services;
      try {
        await this.applyAcls(this.acls);
      } catch (e) {
        this.services = before;
        throw e;
      }
      const changed = t.nodes.flatMap((n, slot) => (JSON.stringify(before[String(n.id)] ?? null) === JSON.stringify(services[String(n.id)] ?? null) ? [] : [this.names.node(slot)]));
      if (changed.length > 0) await this.helper.conntrackFlush(changed);
    });
  }

  async inject(frames: Injection[]): Promise<Observation> {
    const t = this.requireTopology();
    if (!this.applied) await this.apply({});
    return this.guard(() => this.injectFrames(t, frames));
  }

  private async injectFrames(t: AdapterTopology, frames: Injection[]): Promise<Observation> {
    const pm = this.points!;
    const sends = frames.map((f) => {
      if ('pod' in f.from) {
        const key = pm.podKey.get(f.from.pod);
        if (!key) throw new Error(`kernel adapter: inject packet ${f.packet}: no pod '${f.from.pod}' in the topology`);
        return { via: key, data: f.frame, point: `pod:${f.from.pod}:tx` };
      }
      if ('host' in f.from) {
        const key = pm.hostKey.get(f.from.node);
        if (!key) throw new Error(`kernel adapter: inject packet ${f.packet}: no node ${f.from.node} in the topology (nodes: ${t.nodes.map((n) => n.id).join(', ')})`);
        return { via: key, data: f.frame, point: `node:${f.from.node}:host` };
      }
      const key = pm.wireKey.get(f.from.node);
      if (!key) throw new Error(`kernel adapter: inject packet ${f.packet}: no node ${f.from.node} in the topology (nodes: ${t.nodes.map((n) => n.id).join(', ')})`);
      return { via: key, data: f.frame, point: `node:${f.from.node}:wire` };
    });
    let answer: Awaited<ReturnType<NetnsHelper['inject']>>;
    try {
      answer = await this.helper.inject(sends.map(({ via, data }) => ({ via, data })), this.opts.markerRounds ?? 8);
    } catch (e) {
      throw new AdapterUnavailable(this.name, (e as Error).message.split('\n')[0]!);
    }
    this.stats.stray += answer.stray;
    const captures: Capture[] = [];
    frames.forEach((f, i) => {
      const res = answer.results[i]!;
      if (res.lateMarkers > 0) throw new AdapterUnavailable(this.name, `packet ${f.packet}: ${res.lateMarkers} marker frame(s) did not come back in time; cannot tell when the packet finished`);
      const own: (Capture & { outgoing?: boolean; sent?: boolean })[] = [{ point: sends[i]!.point, time: f.at, packet: f.packet, data: f.frame, sent: true }];
      for (const c of res.captures) {
        const p = pm.byKey.get(c.key);
        const point = p && (c.outgoing ? p.outgoing : p.incoming);
        if (point) own.push({ point, time: f.at, packet: f.packet, data: c.data, outgoing: c.outgoing });
      }
      own.sort((a, b) => rank(a) - rank(b));
      captures.push(...own.map(({ point, time, packet, data }) => ({ point, time, packet, data })));
    });
    this.stats.injected += frames.length;
    return { captures };
  }

  /**
   * The session timeouts of the last setup as conntrack sysctls of a node namespace (conntrack is loaded: a ruleset
   * is in), or the values it had before podflow changed them when the setup gave none.
   */
  private async conntrackTimeouts(ns: string): Promise<void> {
    const want = this.sessions ? conntrackTimeoutSysctls(this.sessions) : (this.ctBefore.get(ns) ?? []);
    const key = JSON.stringify(want);
    if ((this.ctSet.get(ns) ?? '[]') === key) return;
    if (this.sessions && !this.ctBefore.has(ns)) {
      const keys = want.map(([k]) => k);
      const r = await this.helper.exec(ns, ['sysctl', '-n', ...keys]);
      const vals = r.stdout.trim().split(/\s*\n/);
      if (r.status !== 0 || vals.length !== keys.length) throw new CommandError(['ip', 'netns', 'exec', ns, 'sysctl', '-n', ...keys], r.status, r.stderr);
      this.ctBefore.set(ns, keys.map((k, i) => [k, vals[i]!]));
    }
    await this.helper.sysctl(ns, want);
    this.ctSet.set(ns, this.sessions ? key : '[]');
  }

  /** The underlay port of a node impaired (wireCommands, in the underlay namespace this adapter made) or healed. */
  private async impairWire(slot: number, impairment: WireImpairment): Promise<void> {
    const U = this.names.underlay;
    const run = async (argv: string[]) => {
      const r = await this.helper.exec(U, argv);
      if (r.status !== 0) throw new AdapterUnavailable(this.name, `wire-impaired: ip netns exec ${U} ${argv.join(' ')}: ${r.stderr.trim().split('\n')[0]}`);
    };
    const cur = this.impaired.get(slot);
    if (cur) {
      for (const argv of cur) await run(argv);
      this.impaired.delete(slot);
    }
    if (impairment === 'healed') return;
    const { impair, heal } = wireCommands(underlayPort(slot), impairment);
    for (const [i, argv] of impair.entries()) {
      try {
        await run(argv);
      } catch (e) {
        for (const h of heal.slice(0, i)) await this.helper.exec(U, h);
        throw e;
      }
    }
    this.impaired.set(slot, heal);
  }

  /** Every impaired underlay port healed (setup, teardown: an impairment never outlives its case). */
  private async healWires(): Promise<void> {
    for (const slot of [...this.impaired.keys()]) await this.impairWire(slot, 'healed');
  }

  /** Performs a fault of KERNEL_NEMESIS (see there); the model's meaning of each is in src/faults/. */
  async fault(f: Fault): Promise<void> {
    await this.guard(() => this.performFault(f));
  }

  private async performFault(f: Fault): Promise<void> {
    const t = this.requireTopology();
    const slotOf = (node: number): number => {
      const slot = t.nodes.findIndex((n) => n.id === node);
      if (slot < 0) throw new Error(`${this.name}: ${f.id}: no node ${node} in the topology`);
      return slot;
    };
    switch (f.id) {
      case 'nat-sessions-cleared': {
        // NAT and reflective state share conntrack: the entries of reflective sessions carry ct-mark bits, the
        // rest (the node's own VXLAN flows, identity-translated in VPP) is what NAT alone holds — flushed by mark
        // 0 under a full mask, which keeps every session of an ACL
        const slot = slotOf(f.node);
        try {
          await this.helper.conntrackFlush([this.names.node(slot)], { value: 0, mask: 0xffffffff });
        } catch (e) {
          throw new AdapterUnavailable(this.name, (e as Error).message.split('\n')[0]!);
        }
        return;
      }
      case 'acl-sessions-cleared': {
        const slot = slotOf(f.node);
        try {
          await this.helper.conntrackFlush([this.names.node(slot)]);
        } catch (e) {
          throw new AdapterUnavailable(this.name, (e as Error).message.split('\n')[0]!);
        }
        this.slots.get(slot)?.retired.clear();
        return;
      }
      case 'acl-resync':
        // the same ruleset loaded again: nft replaces the tables in one transaction, conntrack and its marks stay
        await this.applyAcls(this.acls, { reload: true });
        return;
      case 'acl-replaced':
        await this.applyAcls(f.acls);
        return;
      case 'tap-flap': {
        const slot = slotOf(f.node);
        const k = t.nodes[slot]!.pods.findIndex((p) => p.name === f.pod);
        if (k < 0) throw new Error(`${this.name}: tap-flap: no pod ${f.pod} on node ${f.node}`);
        const [N, P, tap] = [this.names.node(slot), this.names.pod(slot, k), linuxTapName(k)];
        const before = await this.operstate(N, tap);
        for (const state of ['down', 'up']) {
          const r = await this.helper.exec(N, ['ip', 'link', 'set', 'dev', tap, state]);
          if (r.status !== 0) throw new CommandError(['ip', '-n', N, 'link', 'set', 'dev', tap, state], r.status, r.stderr);
        }
        await this.operstateBack(N, tap, before);
        // Linux deletes the IPv4 routes through a device set down (fib_sync_down_dev) where VPP keeps them: what
        // the kernel removed with the link is configured again, as the objects say (the pod's /32 route and static
        // neighbour on the TAP, the pod's routes and gateway neighbour), so "up" means what it means on VPP.
        const lost = this.objects.filter((o) => !o.sticky && !this.drifted.has(o.key) && ((o.key.startsWith(`route:${N}:`) && o.add.some((a) => a.includes(tap))) || o.key.startsWith(`neigh:${N}:${tap}:`) || o.key.startsWith(`route:${P}:`) || o.key.startsWith(`neigh:${P}:`)));
        await this.runDiff(renderNetnsDiff(this.objects.filter((o) => !lost.includes(o)), this.objects));
        return;
      }
      case 'pod-replaced': {
        const slot = slotOf(f.node);
        const node = t.nodes[slot]!;
        const k = node.pods.findIndex((p) => p.name === f.pod);
        if (k < 0) throw new Error(`${this.name}: pod-replaced: no pod ${f.pod} on node ${f.node}`);
        const [N, P, tap] = [this.names.node(slot), this.names.pod(slot, k), linuxTapName(k)];
        // CNI DEL: the renderer detaches the pod's ACLs (its session bits retire: VPP's sessions go with the
        // interface, §8.4), then the link goes (both veth ends, with their addresses, routes and neighbours).
        const kept = this.acls;
        const own = kept[String(f.node)];
        const vppTap = node.pods[k]!.tap.name;
        await this.applyAcls(own ? { ...kept, [String(f.node)]: { tables: own.tables, attach: own.attach.filter((a) => a.interface !== vppTap) } } : kept);
        const del = await this.helper.exec(N, ['ip', 'link', 'del', 'dev', tap]);
        if (del.status !== 0) throw new CommandError(['ip', '-n', N, 'link', 'del', 'dev', tap], del.status, del.stderr);
        // CNI ADD: the same objects made again (the pod's namespace stays: it is the pod's sandbox), a capture
        // socket on the new eth0 (the old one saw its device go), and the ACLs attached again.
        await this.helper.respawn([N, P]);
        const gone = this.objects.filter((o) => o.key !== `ns:${P}` && (o.key.includes(`:${P}:`) || o.key.includes(`:${N}:${tap}:`) || o.key === `dev:${N}:${tap}` || (o.key.startsWith(`route:${N}:`) && o.add.some((a) => a.includes(tap)))));
        await this.runDiff(renderNetnsDiff(this.objects.filter((o) => !gone.includes(o)), this.objects));
        this.incarnations.set(`${slot}:${k}`, (this.incarnations.get(`${slot}:${k}`) ?? 0) + 1);
        this.points = this.pointMap(t);
        try {
          await this.helper.sockets(this.socketList(t), { key: 'marker', ns: this.names.underlay, tx: MARKER_TX, rx: MARKER_RX });
        } catch (e) {
          throw new AdapterUnavailable(this.name, (e as Error).message.split('\n')[0]!);
        }
        await this.applyAcls(kept);
        return;
      }
      case 'link-flap': {
        const slot = slotOf(f.node);
        const N = this.names.node(slot);
        const dev = f.link === 'loop0' ? BVI_IF : GBE_IF;
        const before = await this.operstate(N, dev);
        for (const state of ['down', 'up']) {
          const r = await this.helper.exec(N, ['ip', 'link', 'set', 'dev', dev, state]);
          if (r.status !== 0) throw new CommandError(['ip', '-n', N, 'link', 'set', 'dev', dev, state], r.status, r.stderr);
        }
        await this.operstateBack(N, dev, before);
        // Linux deletes the routes through a device set down (its connected subnet, the remote pod networks via the
        // remote BVI) and its neighbours, permanent ones too; VPP keeps its static neighbours and resolves its routes
        // again (checked on VPP 26.06): the node's `replace` commands on that device run again (and, for the bridge,
        // its static FDB entries), so "up" means what it means on VPP.
        const again = this.objects.filter((o) => !o.sticky && o.key.split(':')[1] === N).flatMap((o) => o.add).filter((a) => a.includes('replace') && (a.includes(dev) || (dev === BVI_IF && a[0] === 'bridge')));
        await runWith(this.helper, [], again);
        return;
      }
      case 'node-restart': {
        const slot = slotOf(f.node);
        await this.restartNode(t, slot);
        return;
      }
      case 'wire-impaired':
        await this.impairWire(slotOf(f.node), f.impairment);
        return;
      case 'idle-timeout':
        // the node namespaces' conntrack timeouts are the setup's (short ones for a case with idle): just wait
        if (!(f.seconds >= 0)) throw new Error(`${this.name}: idle-timeout: seconds must be a number ≥ 0, got ${f.seconds}`);
        await new Promise((r) => setTimeout(r, f.seconds * 1000));
        return;
      case 'config-drift': {
        const slot = slotOf(f.node);
        const it = f.item;
        if (it.kind === 'acl-attachment') {
          const key = `${f.node} ${JSON.stringify(it)}`;
          if (f.restore) this.aclDrift.delete(key);
          else this.aclDrift.set(key, { node: f.node, item: it });
          // the ruleset of every node loaded again with the ACLs last applied, less what has drifted away
          await this.applyAcls(this.acls);
          return;
        }
        const o = this.driftObject(slot, it);
        if (f.restore) {
          await runWith(this.helper, [], o.add);
          this.drifted.delete(o.key);
        } else {
          await runWith(this.helper, o.del, []);
          this.drifted.set(o.key, o);
        }
        return;
      }
      default:
        throw new Error(`${this.name}: cannot perform fault ${(f as Fault).id} (performs ${KERNEL_NEMESIS.join(', ')})`);
    }
  }

  /** A device's operational state as `ip -br link` shows it (UP, DOWN, UNKNOWN, LOWERLAYERDOWN…). */
  private async operstate(ns: string, dev: string): Promise<string> {
    const r = await this.helper.exec(ns, ['ip', '-br', 'link', 'show', 'dev', dev]);
    return r.status === 0 ? (r.stdout.trim().split(/\s+/)[1] ?? '') : '';
  }

  /**
   * A link set up again reaches its operational state asynchronously (the kernel's linkwatch runs up to a second
   * later; a bridge is UP once a port forwards): a flap is over when the state is back to what it was, so what
   * follows — packets, the configuration state a recovery check compares — sees the link as it was. Bounded: a
   * state that does not come back within 3 s is left for configState to report.
   */
  private async operstateBack(ns: string, dev: string, want: string): Promise<void> {
    const deadline = Date.now() + 3000;
    while ((await this.operstate(ns, dev)) !== want && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  }

  /**
   * node-restart: the node's namespace deleted — with it its devices, conntrack table (the sessions) and ruleset,
   * and the far ends of its veths (each pod's eth0, the underlay port) — then made again from the same objects,
   * capture sockets opened on the new far ends, and the ACLs last applied loaded again. Only this adapter's own
   * namespaces (its prefix) are touched.
   */
  private async restartNode(t: AdapterTopology, slot: number): Promise<void> {
    const N = this.names.node(slot);
    const U = this.names.underlay;
    const port = underlayPort(slot);
    const pods = t.nodes[slot]!.pods.map((_, k) => this.names.pod(slot, k));
    // the host namespace's vpp1 is tap0's far end: it goes with the node namespace and is made again too
    const H = this.names.host(slot);
    if (!N.startsWith(this.names.prefix)) throw new Error(`${this.name}: node-restart: ${N} is not one of this adapter's namespaces`);
    await this.helper.forget([N]);
    // the far ends of its veths (in the underlay and pod namespaces) are made again: new interface indices
    await this.helper.respawn([U, ...pods, H]);
    const left = deleteNamespacesSync([N]);
    if (left.length > 0) throw new AdapterUnavailable(this.name, `node-restart: could not delete namespace ${N}`);
    // A deleted namespace's devices go asynchronously (netns cleanup): wait until the far ends are gone.
    const gone = async (ns: string, dev: string): Promise<boolean> => (await this.helper.exec(ns, ['ip', 'link', 'show', 'dev', dev])).status !== 0;
    const deadline = Date.now() + 10_000;
    for (const [ns, dev] of [[U, port] as const, ...pods.map((p) => [p, POD_IF] as const), [H, HOST_IF] as const]) {
      while (!(await gone(ns, dev))) {
        if (Date.now() > deadline) throw new AdapterUnavailable(this.name, `node-restart: ${dev} in ${ns} still exists 10 s after ${N} was deleted`);
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    const rebuilt = this.objects.filter((o) => {
      const [kind, ns, dev] = o.key.split(':');
      return ns === N || ((pods.includes(ns!) || ns === H) && kind !== 'ns') || (ns === U && dev === port);
    });
    await this.runDiff(renderNetnsDiff(this.objects.filter((o) => !rebuilt.includes(o)), this.objects));
    this.liberal.delete(N);
    this.loaded.delete(N);
    this.slots.delete(slot);
    this.incarnations.set(`wire:${slot}`, (this.incarnations.get(`wire:${slot}`) ?? 0) + 1);
    this.incarnations.set(`host:${slot}`, (this.incarnations.get(`host:${slot}`) ?? 0) + 1);
    pods.forEach((_, k) => this.incarnations.set(`${slot}:${k}`, (this.incarnations.get(`${slot}:${k}`) ?? 0) + 1));
    this.points = this.pointMap(t);
    try {
      await this.helper.sockets(this.socketList(t), { key: 'marker', ns: U, tx: MARKER_TX, rx: MARKER_RX });
    } catch (e) {
      throw new AdapterUnavailable(this.name, (e as Error).message.split('\n')[0]!);
    }
    await this.applyAcls(this.acls);
  }

  /** The object of the netns plan that renders a drift item (its `del` removes it, its `add` configures it). */
  private driftObject(slot: number, it: DriftItem): NetObject {
    const t = this.requireTopology();
    const node = t.nodes[slot]!;
    const N = this.names.node(slot);
    const dev = (name: string): string => {
      if (name === 'loop0') return BVI_IF;
      if (name === TAP0_IF) return TAP0_IF;
      const k = node.pods.findIndex((p) => p.tap.name === name);
      if (k < 0) throw new Error(`${this.name}: config-drift: node ${node.id} has no interface '${name}' the kernel renders`);
      return linuxTapName(k);
    };
    let key: string;
    switch (it.kind) {
      case 'static-neighbour':
        key = `neigh:${N}:${dev(it.interface)}:${it.ip}`;
        break;
      case 'l2fib':
        key = `fdb:${N}:master:${it.mac}`;
        break;
      case 'route':
        key = `route:${N}:${it.prefix}`;
        break;
      default:
        throw new Error(`${this.name}: config-drift: cannot perform a ${(it as DriftItem).kind} drift (performs ${KERNEL_DRIFT_KINDS.join(', ')})`);
    }
    const o = this.drifted.get(key) ?? this.objects.find((x) => x.key === key);
    if (!o) throw new Error(`${this.name}: config-drift: node ${node.id} has no ${it.kind} ${JSON.stringify(it)} (no object ${key})`);
    return o;
  }

  /** A node's ACLs less the attachments config-drift took away (interfaces left without any lose their entry). */
  private withoutDrift(node: number, acls: AdapterAclConfig[string] | undefined): AdapterAclConfig[string] | undefined {
    const gone = [...this.aclDrift.values()].filter((d) => d.node === node).map((d) => d.item);
    if (!acls || gone.length === 0) return acls;
    const attach = acls.attach.map((a) => ({
      interface: a.interface,
      input: a.input.filter((i) => !gone.some((g) => g.interface === a.interface && g.direction === 'input' && g.acl === i)),
      output: a.output.filter((i) => !gone.some((g) => g.interface === a.interface && g.direction === 'output' && g.acl === i)),
    }));
    return { tables: acls.tables, attach: attach.filter((a) => a.input.length + a.output.length > 0) };
  }

  /** Configuration drift a case left behind (it stopped before healing) configured again: fresh means fresh. */
  private async undrift(): Promise<void> {
    for (const o of [...this.drifted.values()].reverse()) await runWith(this.helper, [], o.add);
    this.drifted.clear();
    if (this.aclDrift.size > 0) {
      this.aclDrift.clear();
      if (this.applied) await this.applyAcls(this.acls);
    }
  }

  async reset(): Promise<void> {
    const t = this.requireTopology();
    await this.guard(() => this.undrift());
    try {
      await this.helper.conntrackFlush(t.nodes.map((_, slot) => this.names.node(slot)));
    } catch (e) {
      throw new AdapterUnavailable(this.name, (e as Error).message.split('\n')[0]!);
    }
    for (const s of this.slots.values()) s.retired.clear();
  }

  async teardown(): Promise<void> {
    await this.healWires().catch(() => undefined); // the namespaces go anyway unless kept
    await this.helper.stop();
    if (!this.opts.keep) {
      const left = deleteNamespacesSync(this.namespaces());
      if (left.length > 0) throw new Error(`kernel adapter: could not delete namespaces ${left.join(', ')}`);
    }
    this.unregister?.();
    this.unregister = undefined;
    this.objects = [];
    this.generation++;
    this.topology = undefined;
    this.slots.clear();
    this.liberal.clear();
    this.loaded.clear();
    this.ctSet.clear();
    this.ctBefore.clear();
    this.impaired.clear();
    this.incarnations.clear();
  }

  /**
   * Each node namespace's configuration as `ip`, `bridge` and `nft` list it, by `node <id> <what>`: links with
   * their state and addresses (`ip -br addr`, a veth's `@peer` left out), IPv4 routes of every table, permanent
   * neighbours, configured FDB entries, the ruleset without counters (`nft -s`) or ct-mark bit values. Learned
   * entries, conntrack and counters are state, not configuration.
   */
  async configState(): Promise<ConfigState> {
    const t = this.requireTopology();
    const out: ConfigState = {};
    for (const [slot, node] of t.nodes.entries()) {
      const ns = this.names.node(slot);
      const run = async (argv: string[]): Promise<string[]> => {
        const r = await this.helper.exec(ns, argv);
        if (r.status !== 0) return [`error: ${argv.join(' ')}: ${r.stderr.trim().split('\n')[0]}`];
        return r.stdout.split('\n').map((l) => l.trim().replace(/\s+/g, ' ')).filter((l) => l !== '');
      };
      const n = `node ${node.id}`;
      out[`${n} interfaces`] = (await run(['ip', '-br', '-4', 'addr', 'show'])).map((l) => l.replace(/^(\S+?)@\S+/, '$1')).sort();
      out[`${n} routes`] = (await run(['ip', '-4', 'route', 'show', 'table', 'all'])).sort();
      out[`${n} neighbours`] = (await run(['ip', '-4', 'neigh', 'show', 'nud', 'permanent'])).sort();
      // configured entries: static ones on the bridge and the VXLAN device's remote (`dst`) ones; not the
      // multicast and own-address entries the kernel adds by itself (a recreated device gets a random MAC)
      out[`${n} l2fib`] = (await run(['bridge', 'fdb', 'show'])).filter((l) => /\bstatic\b|\bdst\b/.test(l)).sort();
      // which ct-mark bits stand for an interface's sessions is the adapter's bookkeeping (a replaced pod gets
      // fresh ones so its old sessions retire), not configuration
      out[`${n} ruleset`] = (await run(['nft', '-s', 'list', 'ruleset'])).map((l) => l.replace(/0x[0-9a-f]{8}/g, '0x…'));
    }
    return out;
  }

  /** For the lab and tests: the current nftables ruleset text of a node (by slot). */
  async ruleset(slot: number): Promise<string> {
    const r = await this.helper.exec(this.names.node(slot), ['nft', 'list', 'ruleset']);
    return r.stdout;
  }

  private requireTopology(): AdapterTopology {
    if (!this.topology) throw new Error(`${this.name}: setup() was not called`);
    return this.topology;
  }
}

/** Capture order as the model reports it: what the pod sent, the wire, what a pod received. */
function rank(c: { point: string; outgoing?: boolean; sent?: boolean }): number {
  // the injected frame itself first (a host's frame is a `node:<id>:host` capture too)
  if (c.sent) return 0;
  // on the wire, the sender's capture (the frame arriving at the underlay) before the receiver's
  return c.point.endsWith(':tx') ? 0 : c.point.endsWith(':wire') ? (c.outgoing ? 1.5 : 1) : 2;
}


