// The scenario file: topology (with history-dependent values pinned where a trace must be reproduced),
// ACL configuration as raw tables + attachments (policies come from the policy renderer), and packets
// to inject at pods or on a node's wire at virtual times. Validated with a schema; errors name the field.
import { z } from 'zod';
import { isIp4, layersFromJson, FrameJsonError, type Layer } from '../packet/index.ts';
import type { IpamConfig } from './topology/ipam.ts';

const MAC_RE = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;
const Mac = z.string().regex(MAC_RE, 'expected a MAC address like 02:fe:69:99:eb:9d');
const Ip = z.string().refine(isIp4, 'expected an IPv4 address like 10.1.1.12');
const Cidr = z.string().refine((s) => {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d{1,2})$/.exec(s);
  return m !== null && isIp4(m[1]!) && Number(m[2]) <= 32;
}, 'expected an IPv4 CIDR like 10.1.0.0/16');
const U16 = z.number().int().min(0).max(0xffff);
const SwIfIndex = z.number().int().min(0).max(0xfffffffe);

const IpamSchema = z
  .object({
    podSubnetCidr: Cidr,
    podNetworkPrefixLen: z.number().int(),
    podIfIpCidr: Cidr,
    vppHostSubnetCidr: Cidr,
    vppHostNetworkPrefixLen: z.number().int(),
    nodeInterconnectCidr: Cidr,
    vxlanCidr: Cidr,
    nodeInterconnectExcludedIps: z.array(Ip),
  })
  .partial()
  .strict();

/**
 * Interface drivers: which input and TX nodes VPP runs for an interface (dpdk-input / <if>-tx with an mbuf,
 * virtio-input for TAP v2, af-packet-input for a host interface, pg-input for a packet-generator interface,
 * memif-input for memif). See topology.ts `InterfaceDriver`.
 */
const PodDriver = z.enum(['virtio', 'packet-generator', 'memif']);
const GbeDriver = z.enum(['dpdk', 'af_packet']);
/** tap0, the host interconnect: Contiv's TAP v2, or a lab's packet-generator stand-in (docs/datapath.md §17.8) */
const HostDriver = z.enum(['virtio', 'packet-generator']);

const IfPin = z.object({ swIfIndex: SwIfIndex.optional(), hwIfIndex: SwIfIndex.optional() }).strict();

const PodSchema = z
  .object({
    name: z.string().min(1),
    namespace: z.string().min(1).default('default'),
    labels: z.record(z.string(), z.string()).default({}),
    /** pinned pod IP; allocated by Contiv's IPAM order when absent */
    ip: Ip.optional(),
    /** a local endpoint of at least one service: NAT44 in+out on its TAP (docs/datapath.md §3.2) */
    serviceEndpoint: z.boolean().default(false),
    containerPorts: z.array(z.object({ name: z.string().optional(), port: U16, protocol: z.enum(['TCP', 'UDP', 'SCTP']).default('TCP') }).strict()).default([]),
    tap: z
      .object({
        /** VPP interface name: `tap<N>` (TAP v2), or `pg<N>` for a packet-generator interface */
        name: z.string().regex(/^(tap|pg)\d+$/, 'expected tap<N> or pg<N>').optional(),
        /** the interface's driver; default `virtio` (Contiv's TAP v2) */
        driver: PodDriver.optional(),
        swIfIndex: SwIfIndex.optional(),
        hwIfIndex: SwIfIndex.optional(),
        /** VPP-side MAC (random 02:fe:… in Contiv) */
        mac: Mac.optional(),
      })
      .strict()
      .default({}),
  })
  .strict();

const ResolvedNeighbourSchema = z
  .object({ interface: z.string().min(1).optional(), ip: Ip.optional(), mac: Mac.optional() })
  .strict()
  .refine((n) => n.ip !== undefined || n.interface === 'tap0', { message: "give ip (it may be left out only with interface 'tap0': the host end)" });

const NodeSchema = z
  .object({
    id: z.number().int().min(1).max(255),
    name: z.string().min(1).optional(),
    /** the main NIC; `driver` default `dpdk` (a lab's host interface is `af_packet`) */
    gbe: z.object({ name: z.string().min(1).optional(), mac: Mac.optional(), swIfIndex: SwIfIndex.optional(), hwIfIndex: SwIfIndex.optional(), driver: GbeDriver.optional() }).strict().default({}),
    /** tap0; `driver` default `virtio` (a podflow lab's stand-in is the packet-generator interface pg0, §17.8) */
    tap0: z.object({ swIfIndex: SwIfIndex.optional(), hwIfIndex: SwIfIndex.optional(), driver: HostDriver.optional() }).strict().default({}),
    loop0: IfPin.default({}),
    /** per remote node ID: the tunnel interface's sw_if_index and `vxlan_tunnel<instance>` number */
    tunnels: z.record(z.string().regex(/^\d+$/), z.object({ swIfIndex: SwIfIndex.optional(), instance: z.number().int().min(0).optional() }).strict()).default({}),
    pods: z.array(PodSchema).default([]),
    /**
     * Neighbours already resolved on this node, as Contiv's static entries make them (§2.5): each a static ARP
     * entry. `interface`: tap0, loop0 or the main NIC (default: the one whose subnet holds `ip`); `ip`: default the
     * host end of tap0 when the interface is tap0; `mac`: default derived from node and IP (02:00:…).
     */
    resolvedNeighbours: z.array(ResolvedNeighbourSchema).optional(),
    /**
     * The host stack's own addresses besides the tap0 host end (its other interfaces: the management IP …): VPP
     * routes each /32 via the host end on tap0 (Contiv `routesToHost`, docs/datapath.md §17.1). The first is the
     * node's management IP (Kubernetes' InternalIP), which other nodes route via this node's BVI (§17.3).
     */
    hostIps: z.array(Ip).optional(),
    /** the MAC of the host end of tap0 (`vpp1`) as VPP has learned it by ARP; absent: not learned yet (§17.1) */
    hostMac: Mac.optional(),
    /** the default gateway of the main NIC (Contiv's node config `gateway`) and its MAC as learned by ARP (§17.4) */
    gateway: z.object({ ip: Ip, mac: Mac }).strict().optional(),
    /** ports dynamic SNAT hands out, in order (VPP 18.01 draws them at random: pins a trace's, §17.4) */
    natPorts: z.array(U16.min(1024)).optional(),
  })
  .strict();

const AclRuleSchema = z
  .object({
    action: z.enum(['deny', 'permit', 'permit+reflect']),
    src: Cidr.optional(),
    dst: Cidr.optional(),
    /** IP protocol; 0 or absent = any (ports ignored) */
    proto: z.number().int().min(0).max(255).default(0),
    sport: z.tuple([U16, U16]).default([0, 65535]),
    dport: z.tuple([U16, U16]).default([0, 65535]),
  })
  .strict();

const NodeAclSchema = z
  .object({
    tables: z.array(z.object({ index: z.number().int().min(0), tag: z.string().optional(), rules: z.array(AclRuleSchema) }).strict()).default([]),
    /** by VPP interface name (`tap11`, `loop0`, `GigabitEthernet0/8/0`, `tap0`) */
    attach: z.array(z.object({ interface: z.string().min(1), input: z.array(z.number().int().min(0)).default([]), output: z.array(z.number().int().min(0)).default([]) }).strict()).default([]),
  })
  .strict();

const PacketSchema = z
  .object({
    label: z.string().optional(),
    /** virtual time in seconds; defaults to 1 ms after the previous packet */
    at: z.number().min(0).optional(),
    from: z.union([z.object({ pod: z.string().min(1) }).strict(), z.object({ node: z.number().int().min(1).max(255), wire: z.literal(true) }).strict(), z.object({ node: z.number().int().min(1).max(255), host: z.literal(true) }).strict()]),
    /** layers, outer first; a frame from a pod may start at ipv4: the pod's stack adds Ethernet (docs/datapath.md §2.5) */
    frame: z.array(z.looseObject({ kind: z.string() })).optional(),
    hex: z.string().optional(),
  })
  .strict()
  .refine((p) => (p.frame === undefined) !== (p.hex === undefined), { message: 'give exactly one of frame or hex' });

/** A Service with its ready endpoints resolved (src/reference/services.ts, docs/datapath.md §16). */
const ServiceSchema = z
  .object({
    namespace: z.string().min(1).default('default'),
    name: z.string().min(1),
    type: z.enum(['ClusterIP', 'NodePort']).default('ClusterIP'),
    clusterIP: z.union([Ip, z.literal('None')]).optional(),
    externalIPs: z.array(Ip).optional(),
    externalTrafficPolicy: z.enum(['Cluster', 'Local']).optional(),
    ports: z
      .array(z.object({ name: z.string().default(''), protocol: z.enum(['TCP', 'UDP']).default('TCP'), port: U16, nodePort: U16.optional() }).strict())
      .min(1),
    endpoints: z
      .array(
        z
          .object({
            ip: Ip,
            nodeId: z.number().int().min(1).max(255).optional(),
            pod: z.string().min(1).optional(),
            ports: z.array(z.object({ name: z.string().default(''), port: U16 }).strict()),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

/** One node's Services as rendered (the adapters' plain form, docs/datapath.md §16.2): what a counterexample records. */
const ServiceNatSchema = z
  .object({
    mappings: z.array(
      z
        .object({
          service: z.string(),
          protocol: z.enum(['TCP', 'UDP']),
          external: z.object({ ip: Ip, port: U16 }).strict(),
          locals: z.array(z.object({ ip: Ip, port: U16, probability: z.number().int().min(0).max(255) }).strict()).min(1),
        })
        .strict(),
    ),
    twiceNatPool: Ip,
    inInterfaces: z.array(z.string().min(1)),
  })
  .strict();

export const ScenarioSchema = z
  .object({
    version: z.literal(1),
    name: z.string().optional(),
    description: z.string().optional(),
    profile: z.enum(['vpp-18.01-contiv', 'vpp-current']).optional(),
    topology: z
      .object({
        ipam: IpamSchema.default({}),
        nodes: z.array(NodeSchema).min(1),
      })
      .strict(),
    /** raw ACL configuration per node ID; absent = no ACL anywhere (no policy) */
    acls: z.record(z.string().regex(/^\d+$/), NodeAclSchema).optional(),
    /** acl-plugin session settings (docs/datapath.md §8.5) */
    sessions: z.object({ udpIdle: z.number().positive().optional(), tcpIdle: z.number().positive().optional(), tcpTransient: z.number().positive().optional(), maxEntries: z.number().int().positive().optional() }).strict().default({}),
    /** NAT44 as Contiv configures it; switches exist to model broken setups */
    nat: z.object({ forwarding: z.boolean().default(true), vxlanIdentity: z.boolean().default(true), addressIdentity: z.boolean().default(true) }).strict().default({ forwarding: true, vxlanIdentity: true, addressIdentity: true }),
    /** Services with their endpoints; rendered into NAT44 static mappings on every node (docs/datapath.md §16) */
    services: z.array(ServiceSchema).optional(),
    /** Services already rendered, per node ID (instead of `services`): what a data path was configured with */
    serviceNat: z.record(z.string().regex(/^\d+$/), ServiceNatSchema).optional(),
    packets: z.array(PacketSchema).default([]),
  })
  .strict();

export type ScenarioInput = z.input<typeof ScenarioSchema>;
export type ScenarioData = z.output<typeof ScenarioSchema>;
export type PodSpec = z.output<typeof PodSchema>;
export type NodeSpec = z.output<typeof NodeSchema>;
export type ResolvedNeighbourSpec = z.output<typeof ResolvedNeighbourSchema>;
export type AclRuleSpec = z.output<typeof AclRuleSchema>;
export type ServiceSchemaOutput = z.output<typeof ServiceSchema>;
export type NodeAclSpec = z.output<typeof NodeAclSchema>;

export interface ScenarioPacket {
  label?: string;
  at: number;
  /** a pod's eth0, a node's wire, or a node's host stack (the host end of tap0, docs/datapath.md §17) */
  from: { pod: string } | { node: number; wire: true } | { node: number; host: true };
  layers?: Layer[];
  bytes?: Uint8Array;
}

export interface Scenario extends Omit<ScenarioData, 'packets'> {
  packets: ScenarioPacket[];
  ipamOverrides: Partial<IpamConfig>;
}

export class ScenarioError extends Error {
  constructor(
    readonly source: string,
    readonly issues: { path: string; message: string }[],
  ) {
    // One line (a CLI diagnostic): the issues one after the other.
    super(`${source}: invalid scenario: ${issues.map((i) => `${i.path || '(top level)'}: ${i.message}`).join('; ')}`);
    this.name = 'ScenarioError';
  }
}

/**
 * `topology.nodes[0].pods[1].tap`; a key from input that is not a plain name is quoted (`acls["\u0001"]`). The
 * field path of every JSON reader's diagnostics (scenarios, corpus cases, run folders).
 */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((s, k) => {
    if (typeof k === 'number') return `${s}[${k}]`;
    const name = String(k);
    if (!/^[\w$-]+$/.test(name)) return `${s}[${JSON.stringify(name)}]`;
    return s ? `${s}.${name}` : name;
  }, '');
}

/** Validates a parsed JSON value as a scenario; `source` (a file name) prefixes every error. */
export function parseScenario(json: unknown, source = 'scenario'): Scenario {
  const r = ScenarioSchema.safeParse(json);
  if (!r.success) throw new ScenarioError(source, r.error.issues.map((i) => ({ path: fieldPath(i.path), message: i.message })));
  const data = r.data;
  const issues: { path: string; message: string }[] = [];
  let t = 0;
  const packets: ScenarioPacket[] = data.packets.map((p, i) => {
    t = p.at ?? (i === 0 ? 0 : t + 0.001);
    const out: ScenarioPacket = { at: t, from: p.from };
    if (p.label !== undefined) out.label = p.label;
    try {
      if (p.frame) out.layers = layersFromJson(p.frame, `packets[${i}].frame`);
      else out.bytes = hexBytes(p.hex!, `packets[${i}].hex`);
    } catch (e) {
      if (e instanceof FrameJsonError) issues.push({ path: e.path, message: e.message.slice(e.path.length + 2) });
      else throw e;
    }
    return out;
  });
  const ids = new Set<number>();
  data.topology.nodes.forEach((n, i) => {
    if (ids.has(n.id)) issues.push({ path: `topology.nodes[${i}].id`, message: `node ID ${n.id} appears twice` });
    ids.add(n.id);
  });
  const podNames = new Set<string>();
  data.topology.nodes.forEach((n, i) =>
    n.pods.forEach((p, j) => {
      if (podNames.has(p.name)) issues.push({ path: `topology.nodes[${i}].pods[${j}].name`, message: `pod name '${p.name}' appears twice (pod names are unique in a scenario)` });
      podNames.add(p.name);
    }),
  );
  packets.forEach((p, i) => {
    if ('pod' in p.from && !podNames.has(p.from.pod)) issues.push({ path: `packets[${i}].from.pod`, message: `no pod named '${p.from.pod}'` });
    if ('node' in p.from && !ids.has(p.from.node)) issues.push({ path: `packets[${i}].from.node`, message: `no node with ID ${p.from.node}` });
  });
  (data.services ?? []).forEach((svc, i) => {
    const names = new Set(svc.ports.map((p) => p.name));
    if (names.size !== svc.ports.length) issues.push({ path: `services[${i}].ports`, message: 'port names must be unique (one port may be unnamed)' });
    svc.ports.forEach((p, j) => {
      if (p.nodePort !== undefined && svc.type !== 'NodePort') issues.push({ path: `services[${i}].ports[${j}].nodePort`, message: "a nodePort needs type 'NodePort'" });
    });
    svc.endpoints.forEach((ep, j) => {
      if (ep.nodeId !== undefined && !ids.has(ep.nodeId)) issues.push({ path: `services[${i}].endpoints[${j}].nodeId`, message: `no node with ID ${ep.nodeId}` });
      ep.ports.forEach((p, k) => {
        if (!names.has(p.name)) issues.push({ path: `services[${i}].endpoints[${j}].ports[${k}].name`, message: `the service has no port named '${p.name}'` });
      });
    });
  });
  if (data.serviceNat) {
    if (data.services) issues.push({ path: 'serviceNat', message: 'give services or serviceNat, not both' });
    for (const k of Object.keys(data.serviceNat)) if (!ids.has(Number(k))) issues.push({ path: fieldPath(['serviceNat', k]), message: `no node with ID ${k}` });
  }
  if (data.acls) for (const k of Object.keys(data.acls)) if (!ids.has(Number(k))) issues.push({ path: fieldPath(['acls', k]), message: `no node with ID ${k}` });
  if (issues.length > 0) throw new ScenarioError(source, issues);
  const { packets: _raw, ...rest } = data;
  return { ...rest, packets, ipamOverrides: data.topology.ipam as Partial<IpamConfig> };
}

function hexBytes(text: string, path: string): Uint8Array {
  const clean = text.replace(/\s/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(clean)) throw new FrameJsonError(path, 'expected an even number of hex digits');
  return Uint8Array.from(clean.match(/../g) ?? [], (h) => parseInt(h, 16));
}

/**
 * The scenario for input podflow generated itself (typed, already valid): the schema's defaults filled in
 * without validating, because validation dominates the cost of a fuzz case. A test pins it to parseScenario.
 */
export function trustedScenario(input: ScenarioInput): Scenario {
  // Object.assign rather than object spread: on Node 20's V8, `{ ...o, k: v }` of these small objects costs about
  // a microsecond each (a slow clone path), which made this function a tenth of a fuzz case.
  const nodes: NodeSpec[] = input.topology.nodes.map((n) =>
    Object.assign({}, n, {
      gbe: n.gbe ?? {},
      tap0: n.tap0 ?? {},
      loop0: n.loop0 ?? {},
      tunnels: n.tunnels ?? {},
      pods: (n.pods ?? []).map((p) =>
        Object.assign({}, p, {
          namespace: p.namespace ?? 'default',
          labels: p.labels ?? {},
          serviceEndpoint: p.serviceEndpoint ?? false,
          containerPorts: (p.containerPorts ?? []).map((c) => Object.assign({}, c, { protocol: c.protocol ?? 'TCP' })),
          tap: p.tap ?? {},
        }),
      ),
    }),
  ) as NodeSpec[];
  const acls = input.acls
    ? Object.fromEntries(
        Object.entries(input.acls).map(([k, v]) => [
          k,
          {
            tables: (v.tables ?? []).map((t) => Object.assign({}, t, { rules: t.rules.map((r) => Object.assign({}, r, { proto: r.proto ?? 0, sport: r.sport ?? [0, 65535], dport: r.dport ?? [0, 65535] })) })),
            attach: (v.attach ?? []).map((a) => Object.assign({}, a, { input: a.input ?? [], output: a.output ?? [] })),
          },
        ]),
      )
    : undefined;
  const ipam = input.topology.ipam ?? {};
  const out: Scenario = {
    version: 1,
    topology: { ipam, nodes },
    sessions: input.sessions ?? {},
    nat: { forwarding: true, vxlanIdentity: true, addressIdentity: true, ...(input.nat ?? {}) },
    packets: [],
    ipamOverrides: ipam as Partial<IpamConfig>,
  };
  if (acls) out.acls = acls as Scenario['acls'];
  if (input.profile) out.profile = input.profile;
  if (input.name !== undefined) out.name = input.name;
  // Services (docs/datapath.md §16): the schema's defaults filled in, as for the rest
  if (input.serviceNat) out.serviceNat = input.serviceNat;
  if (input.services)
    out.services = input.services.map((s) =>
      Object.assign({}, s, {
        namespace: s.namespace ?? 'default',
        type: s.type ?? 'ClusterIP',
        ports: s.ports.map((p) => Object.assign({}, p, { name: p.name ?? '', protocol: p.protocol ?? 'TCP' })),
        endpoints: (s.endpoints ?? []).map((e) => Object.assign({}, e, { ports: e.ports.map((p) => Object.assign({}, p, { name: p.name ?? '' })) })),
      }),
    ) as Scenario['services'];
  return out;
}
