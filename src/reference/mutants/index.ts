// Named, realistic faults of the data path, its configuration, or Contiv's rendering: the suite's self-test.
// Each must be caught by some invariant (`podflow mutants` prints the kill matrix); a surviving mutant is a
// hole in the catalogue. Data-path faults are profile switches or hooks on a configured VPP; rendering faults
// are flags of the policy renderer (structurally its RenderFaults) — the expected semantics stays correct.
import type { DataPathFaults } from '../profiles.ts';
import type { Simulation } from '../simulate.ts';
import { removeConfigItem, type ConfigItem } from '../state/faults.ts';

export interface Mutant {
  id: string;
  description: string;
  layer: 'data path' | 'configuration' | 'rendering';
  /** NAT44 configuration the mutant runs with */
  nat?: { forwarding?: boolean; vxlanIdentity?: boolean; addressIdentity?: boolean };
  /** acl-plugin session settings */
  sessions?: Record<string, number>;
  /** breaks the configured VPPs after each (re)configuration */
  configure?: (sim: Simulation) => void;
  /** faults of the policy renderer */
  render?: { ignoreIpBlockExcept?: boolean; noNatLoopbackPermit?: boolean; noGlobalTable?: boolean };
  /** faults of the data path itself, as profile switches the graph nodes look up */
  faults?: DataPathFaults;
  /** mishandles a nemesis fault (issue 13): runs on the configured VPPs after the model performed it */
  onFault?: (sim: Simulation, fault: { id: string; node?: number; pod?: string }) => void;
}

function eachVpp(sim: Simulation, f: (vpp: Simulation['vpps'] extends Map<number, infer V> ? V : never) => void): void {
  for (const vpp of sim.vpps.values()) f(vpp);
}

export const MUTANTS: readonly Mutant[] = [
  {
    id: 'ttl-not-decremented',
    description: 'ip4-rewrite forwards without decrementing the TTL',
    layer: 'data path',
    faults: { ttlNotDecremented: true },
  },
  {
    id: 'checksum-not-updated',
    description: 'ip4-rewrite decrements the TTL but does not update the IPv4 header checksum',
    layer: 'data path',
    faults: { checksumNotUpdated: true },
  },
  {
    id: 'flow-hash-on-wrong-fields',
    description: "vxlan4-encap computes the UDP source port from the inner MACs instead of the IP 5-tuple",
    layer: 'data path',
    faults: { flowHashOnMacs: true },
  },
  {
    id: 'acl-last-match',
    description: 'ACLs are evaluated last-match instead of first-match',
    layer: 'data path',
    faults: { aclLastMatch: true },
  },
  {
    id: 'session-key-not-mirrored',
    description: 'output ACL nodes look reflective sessions up without mirroring the packet\'s addresses and ports',
    layer: 'data path',
    faults: { sessionKeyNotMirrored: true },
  },
  {
    id: 'snat-on-vxlan',
    description: 'no NAT44 identity mappings for the node IP: the outer VXLAN packet is source-NATed to a dynamic port',
    layer: 'configuration',
    nat: { vxlanIdentity: false, addressIdentity: false },
  },
  {
    id: 'no-reflective-acl-on-loop0',
    description: 'loop0 has the Global ACL on output but no Reflective ACL on input',
    layer: 'configuration',
    configure: (sim) => eachVpp(sim, (vpp) => vpp.acl.input.delete(vpp.node.loop0.swIfIndex)),
  },
  {
    id: 'no-reflective-acl-on-pod',
    description: "an isolated pod's TAP has its local table on output but no Reflective ACL on input",
    layer: 'configuration',
    configure: (sim) => eachVpp(sim, (vpp) => { for (const p of vpp.node.pods) vpp.acl.input.delete(p.tap.swIfIndex); }),
  },
  {
    id: 'global-acl-without-final-permit',
    description: 'the Global ACL lacks its final PERMIT ANY (encapsulated traffic meets a deny)',
    layer: 'configuration',
    configure: (sim) =>
      eachVpp(sim, (vpp) => {
        for (const acl of vpp.acl.acls.values()) if (acl.tag?.includes('NODE-GLOBAL')) acl.rules = acl.rules.slice(0, -1);
      }),
  },
  {
    id: 'l2fib-entry-missing',
    description: "the static L2 FIB entries for remote BVI MACs are missing (with flooding off: nothing crosses)",
    layer: 'configuration',
    configure: (sim) =>
      eachVpp(sim, (vpp) => {
        for (const [macAddr, sw] of [...vpp.bd.fib]) if (sw !== vpp.node.loop0.swIfIndex) vpp.bd.removeFibEntry(macAddr);
      }),
  },
  {
    id: 'wrong-vni',
    description: 'every tunnel uses VNI 11 instead of 10 (consistently, so traffic still flows)',
    layer: 'configuration',
    configure: (sim) => eachVpp(sim, (vpp) => { for (const t of vpp.tunnels) t.vni = 11; }),
  },
  {
    id: 'session-timeout-too-short',
    description: 'acl-plugin TCP transient timeout 10 s instead of 120 s',
    layer: 'configuration',
    sessions: { tcpTransient: 10 },
  },
  {
    id: 'session-clear-empties-acls',
    description: '`clear acl-plugin sessions` also detaches every ACL of the node (configuration lost with the sessions)',
    layer: 'data path',
    onFault: (sim, f) => {
      if (f.id !== 'acl-sessions-cleared') return;
      const vpp = sim.vpps.get(f.node!);
      if (vpp) vpp.acl = { acls: vpp.acl.acls, input: new Map(), output: new Map() };
    },
  },
  {
    id: 'tap-up-forgets-acls',
    description: 'a pod TAP set down and up again comes back without its ACL attachment',
    layer: 'data path',
    onFault: (sim, f) => {
      if (f.id !== 'tap-flap') return;
      const vpp = sim.vpps.get(f.node!);
      const sw = vpp?.node.pods.find((p) => p.name === f.pod)?.tap.swIfIndex;
      if (vpp && sw !== undefined) {
        vpp.acl.input.delete(sw);
        vpp.acl.output.delete(sw);
      }
    },
  },
  {
    id: 'resync-loses-reflect',
    description: 'an ACL resync re-applies permit+reflect rules as plain permit (replies meet the rules, not sessions)',
    layer: 'data path',
    onFault: (sim, f) => {
      if (f.id !== 'acl-resync') return;
      for (const vpp of sim.vpps.values()) for (const acl of vpp.acl.acls.values()) for (const r of acl.rules) if (r.action === 2) r.action = 1;
    },
  },
  {
    id: 'ipblock-except-ignored',
    description: 'the renderer ignores ipBlock.except',
    layer: 'rendering',
    render: { ignoreIpBlockExcept: true },
  },
  {
    id: 'nat-loopback-permit-missing',
    description: 'the renderer omits the NAT-loopback PERMIT of isolated pods',
    layer: 'rendering',
    render: { noNatLoopbackPermit: true },
  },
  {
    id: 'egress-not-rendered-for-remote',
    description: 'egress policies are not rendered for destinations on other nodes (no global table)',
    layer: 'rendering',
    render: { noGlobalTable: true },
  },
  {
    id: 'resync-leaves-entry-out',
    description: "the agent's resync after configuration drift leaves the drifted item out (a neighbour, L2 FIB entry, route, NAT role or identity, ACL attachment stays missing)",
    layer: 'data path',
    onFault: (sim, f) => {
      const d = f as { id: string; node?: number; item?: ConfigItem; restore?: boolean };
      if (d.id !== 'config-drift' || !d.restore || !d.item) return;
      const vpp = sim.vpps.get(d.node!);
      if (vpp) removeConfigItem(vpp, d.item);
    },
  },
];

// Mishandled link flaps and node restarts (issue 13), appended on lines of their own.
(MUTANTS as Mutant[]).push(
  {
    id: 'restart-forgets-attachment',
    description: "after a node restart the configuration comes back without one ACL attachment (the first pod TAP's)",
    layer: 'data path',
    onFault: (sim, f) => {
      if (f.id !== 'node-restart') return;
      const vpp = sim.vpps.get(f.node!);
      const sw = vpp?.node.pods.map((p) => p.tap.swIfIndex).find((x) => vpp.acl.input.has(x) || vpp.acl.output.has(x));
      if (vpp && sw !== undefined) {
        vpp.acl.input.delete(sw);
        vpp.acl.output.delete(sw);
      }
    },
  },
  {
    id: 'flap-flushes-static-neighbours',
    description: 'a link flap (loop0 or the main NIC) removes every neighbour on that link, static ones too (VPP 26.06 keeps static ones)',
    layer: 'data path',
    onFault: (sim, f) => {
      if (f.id !== 'link-flap') return;
      const vpp = sim.vpps.get(f.node!);
      if (!vpp) return;
      const sw = (f as { link?: string }).link === 'loop0' ? vpp.node.loop0.swIfIndex : vpp.node.gbe.swIfIndex;
      vpp.neighbors.flushInterface(sw);
    },
  },
);

// State-only faults: what they break is the session tables, which only sessions-equal-model reads (issue 14 item 3).
(MUTANTS as Mutant[]).push(
  {
    id: 'nat-session-not-recorded',
    description: 'NAT44 creates no session for a translation it makes (identity mappings translate every packet afresh)',
    layer: 'data path',
    configure: (sim) =>
      eachVpp(sim, (vpp) => {
        const t = vpp.natSessions;
        t.add = (key) => ({ index: t.peekIndex(), key });
      }),
  },
  {
    id: 'acl-session-extra',
    description: 'a reflective ACL session is added together with its mirror image (the reverse key on the same interface)',
    layer: 'data path',
    configure: (sim) =>
      eachVpp(sim, (vpp) => {
        const t = vpp.aclSessions;
        const add = t.add.bind(t);
        t.add = (key, sw, proto, now, flags) => {
          const s = add(key, sw, proto, now, flags);
          // the key's code units: address halves, ports, protocol, lsb16 (state/acl.ts keyOf)
          const u = [...key];
          const twin = [u[2], u[3], u[0], u[1], u[5], u[4], u[6], u[7]].join('');
          if (twin !== key && !t.byKey.has(twin)) add(twin, sw, proto, now, [flags[1], flags[0]]);
          return s;
        };
      }),
  },
);

// Services, host and outside traffic (issue 17; docs/datapath.md §16–§17): faults of the DNAT, self-twice-NAT and
// dynamic SNAT of the model, and of the Service configuration the agent puts into NAT44. The configuration ones run
// after every (re)configuration, so also after applyServices has rendered the Services.
(MUTANTS as Mutant[]).push(
  {
    id: 'service-reply-not-untranslated',
    description: "a backend's reply is matched to its DNAT session but not un-translated: the client sees the backend's address and port instead of the Service's",
    layer: 'data path',
    faults: { serviceReplyNotUntranslated: true },
  },
  {
    id: 'service-dnat-on-wrong-interface',
    description: 'NAT44 out2in consults the load-balancing mappings only on the main NIC: a pod\'s connection to a Service (through its TAP) is not translated',
    layer: 'data path',
    faults: { serviceDnatOnlyOnMainNic: true },
  },
  {
    id: 'service-remote-backend-unreachable',
    description: "each node's Service mappings leave out the locals on other nodes (as if every Service had externalTrafficPolicy Local): remote backends are never chosen",
    layer: 'configuration',
    configure: (sim) =>
      eachVpp(sim, (vpp) => {
        const node = vpp.node;
        const isLocal = (addr: number): boolean => node.pods.some((p) => p.ip === addr) || addr === node.ip.network || node.hostIps.includes(addr) || addr === node.hostEnd;
        for (const m of vpp.nat.lb ?? []) {
          m.locals = m.locals.filter((l) => isLocal(l.addr));
          if (m.locals.length === 1) m.locals[0]!.probability = 0;
        }
      }),
  },
  {
    id: 'self-access-without-twice-nat',
    description: 'the Service mappings lack self-twice-NAT: a pod reaching itself through its Service sees its own address as the source',
    layer: 'configuration',
    configure: (sim) => eachVpp(sim, (vpp) => { for (const m of vpp.nat.lb ?? []) m.selfTwiceNat = false; }),
  },
  {
    id: 'nodeport-on-wrong-address',
    description: "node ports are mapped on each node's BVI (loop0) address instead of its node IP",
    layer: 'configuration',
    configure: (sim) =>
      eachVpp(sim, (vpp) => {
        const bviOf = new Map(sim.topology.nodes.map((n) => [n.ip.network, n.bviIp.network]));
        for (const m of vpp.nat.lb ?? []) m.external = bviOf.get(m.external) ?? m.external;
      }),
  },
  {
    id: 'outside-not-source-nated',
    description: 'traffic from a pod to the outside leaves the main NIC with the pod IP (the dynamic SNAT keeps the source)',
    layer: 'data path',
    faults: { outsideNotSourceNated: true },
  },
  {
    id: 'outside-reply-not-untranslated',
    description: "the outside host's reply is matched to its SNAT session but its destination stays the node IP and port (never reaches the pod)",
    layer: 'data path',
    faults: { outsideReplyNotUntranslated: true },
  },
);

export function mutantById(id: string): Mutant | undefined {
  return MUTANTS.find((m) => m.id === id);
}
