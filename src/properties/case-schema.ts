// The shapes of the properties' cases as schemas, for cases that come from files (corpus entries replayed by
// `podflow replay`): a case that does not fit its property's shape is an input error naming the field, before
// any check runs on it. The shapes are those the arbitraries generate (generators/, harness.ts ClusterCase,
// session-expiry IdleCase, odd-packets OddCase, connection-lifecycle LifecycleCase, the nemesis NemesisCase); a test pins that every
// generated case passes its schema.
import { ODD_KINDS, type OddKind } from '../generators/odd-packets.ts';
import { FAULT_IDS } from '../faults/index.ts';
import type { FaultId } from '../adapters/adapter.ts';
import { z } from 'zod';
import { fieldPath } from '../reference/scenario.ts';
import { isIp4 } from '../packet/index.ts';
import { PROPERTIES } from './index.ts';

const Name = z.string().min(1).max(253);
const Labels = z.record(z.string().max(317), z.string().max(63));
const Port = z.number().int().min(1).max(65535);
const Protocol = z.enum(['TCP', 'UDP', 'SCTP']);
const Ip = z.string().refine(isIp4, 'expected an IPv4 address like 10.1.1.12');
const Mac = z.string().regex(/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/, 'expected a MAC address like 02:fe:69:99:eb:9d');
const Cidr = z.string().refine((s) => {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d{1,2})$/.exec(s);
  return m !== null && isIp4(m[1]!) && Number(m[2]) <= 32;
}, 'expected an IPv4 CIDR like 10.1.0.0/16');

const Selector = z
  .object({
    matchLabels: Labels.optional(),
    matchExpressions: z.array(z.object({ key: z.string(), operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']), values: z.array(z.string()).optional() }).strict()).optional(),
  })
  .strict();

const Peer = z
  .object({
    podSelector: Selector.optional(),
    namespaceSelector: Selector.optional(),
    ipBlock: z.object({ cidr: Cidr, except: z.array(Cidr).optional() }).strict().optional(),
  })
  .strict();

const PolicyPort = z
  .object({
    protocol: Protocol.optional(),
    port: z.union([Port, z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'expected a port name').max(15)]).optional(),
    endPort: Port.optional(),
  })
  .strict();

const Policy = z
  .object({
    name: Name,
    namespace: Name,
    podSelector: Selector,
    policyTypes: z.array(z.enum(['Ingress', 'Egress'])).optional(),
    ingress: z.array(z.object({ from: z.array(Peer).optional(), ports: z.array(PolicyPort).optional() }).strict()).optional(),
    egress: z.array(z.object({ to: z.array(Peer).optional(), ports: z.array(PolicyPort).optional() }).strict()).optional(),
  })
  .strict();

const Pod = z
  .object({
    name: Name,
    namespace: Name,
    labels: Labels,
    nodeName: Name,
    ip: Ip.optional(),
    containerPorts: z.array(z.object({ name: z.string().max(15).optional(), containerPort: Port, protocol: Protocol }).strict()),
    tap: z.object({ name: z.string().regex(/^tap\d{1,9}$/, 'expected tap<N>'), swIfIndex: z.number().int().min(1).max(0xfffffffe) }).strict().optional(),
  })
  .strict();

/** A Cluster (policy/types.ts), with what rendering relies on: known nodes, unique names, IDs and pod IPs. */
export const ClusterSchema = z
  .object({
    ipam: z
      .object({
        podSubnetCidr: Cidr.optional(),
        podNetworkPrefixLen: z.number().int().min(1).max(30).optional(),
        nodeInterconnectCidr: Cidr.optional(),
        vxlanCidr: Cidr.optional(),
      })
      .strict()
      .optional(),
    nodes: z
      .array(
        z
          .object({
            name: Name,
            id: z.number().int().min(1).max(255).optional(),
            host: z.object({ ips: z.array(Ip).max(16).optional(), mac: Mac.optional() }).strict().optional(),
            gateway: z.object({ ip: Ip, mac: Mac }).strict().optional(),
          })
          .strict(),
      )
      .min(1)
      .max(255),
    namespaces: z.array(z.object({ name: Name, labels: Labels }).strict()),
    pods: z.array(Pod).max(1000),
    policies: z.array(Policy).max(1000),
  })
  .strict()
  .superRefine((c, ctx) => {
    const nodes = new Set<string>();
    const ids = new Set<number>();
    c.nodes.forEach((n, i) => {
      if (nodes.has(n.name)) ctx.addIssue({ code: 'custom', path: ['nodes', i, 'name'], message: `node ${n.name} appears twice` });
      nodes.add(n.name);
      if (n.id !== undefined && ids.has(n.id)) ctx.addIssue({ code: 'custom', path: ['nodes', i, 'id'], message: `node ID ${n.id} appears twice` });
      if (n.id !== undefined) ids.add(n.id);
    });
    const pods = new Set<string>();
    const ips = new Set<string>();
    c.pods.forEach((p, i) => {
      if (!nodes.has(p.nodeName)) ctx.addIssue({ code: 'custom', path: ['pods', i, 'nodeName'], message: `no node named ${JSON.stringify(p.nodeName)}` });
      const key = `${p.namespace}/${p.name}`;
      if (pods.has(key)) ctx.addIssue({ code: 'custom', path: ['pods', i, 'name'], message: `pod ${key} appears twice` });
      pods.add(key);
      if (p.ip !== undefined && ips.has(p.ip)) ctx.addIssue({ code: 'custom', path: ['pods', i, 'ip'], message: `${p.ip} is the IP of another pod too` });
      if (p.ip !== undefined) ips.add(p.ip);
    });
  });

/** generators/cluster.ts ConnectionSpec: pods by index modulo the pod count. */
const ConnectionSpecSchema = z.object({ from: z.number().int().min(0), to: z.number().int().min(0), protocol: z.enum(['TCP', 'UDP', 'ICMP', 'SCTP']), port: z.number().int().min(0).max(65535) }).strict();

/** harness.ts ClusterCase */
export const ClusterCaseSchema = z.object({ cluster: ClusterSchema, connections: z.array(ConnectionSpecSchema).min(1) }).strict();

/** session-expiry-on-virtual-clock.ts IdleCase */
export const IdleCaseSchema = z.object({ cluster: ClusterSchema, connections: z.array(ConnectionSpecSchema).min(1), idle: z.number().finite().min(0).max(1e6), opening: z.enum(['syn', 'handshake', 'fin']).optional() }).strict();

/** generators/odd-packets.ts OddPacket; odd-packets-are-contained.ts OddCase */
const OddPacketSchema = z
  .object({
    kind: z.enum(ODD_KINDS as [OddKind, ...OddKind[]]),
    from: z.number().int().min(0),
    to: z.number().int().min(0),
    ttl: z.number().int().min(0).max(255),
    cut: z.number().int().min(1).max(65535),
    fragOffset: z.number().int().min(0).max(0x1fff),
    vni: z.number().int().min(0).max(0xffffff),
    // 'large' only (IPv4 total length within a pod's 1500-byte MTU); absent in cases saved before it existed
    size: z.number().int().min(28).max(1500).default(1500),
    df: z.boolean().default(false),
  })
  .strict();
export const OddCaseSchema = z.object({ cluster: ClusterSchema, packets: z.array(OddPacketSchema).min(1) }).strict();

/** generators/lifecycle.ts LifecycleStep; connection-lifecycle.ts LifecycleCase */
const Nat = z.number().int().min(0);
const LifecycleStepSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('open-tcp'), from: Nat, to: Nat, port: Port }).strict(),
  z.object({ kind: z.literal('data'), conn: Nat, fromServer: z.boolean() }).strict(),
  z.object({ kind: z.literal('close'), conn: Nat }).strict(),
  z.object({ kind: z.literal('udp'), from: Nat, to: Nat, port: Port }).strict(),
  z.object({ kind: z.literal('idle'), seconds: z.number().finite().min(0).max(1e6) }).strict(),
  z.object({ kind: z.literal('policies'), on: z.boolean() }).strict(),
  z.object({ kind: z.literal('pod'), add: z.boolean(), pod: Nat, node: Nat }).strict(),
]);
export const LifecycleCaseSchema = z.object({ cluster: ClusterSchema, steps: z.array(LifecycleStepSchema).min(1) }).strict();

/** generators/nemesis.ts NemesisStep; faults-keep-the-invariants.ts NemesisCase */
const NemesisStepSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('connect'), from: Nat, to: Nat, protocol: z.enum(['TCP', 'UDP']), port: Port }).strict(),
  z.object({ kind: z.literal('data'), conn: Nat, fromServer: z.boolean() }).strict(),
  z.object({ kind: z.literal('fault'), fault: z.enum(FAULT_IDS as [FaultId, ...FaultId[]]), target: Nat, policy: Nat }).strict(),
]);
export const NemesisCaseSchema = z.object({ cluster: ClusterSchema, steps: z.array(NemesisStepSchema).min(1) }).strict();

/** generators/services.ts ServiceDraw and ServiceConnectionSpec; ServiceCase */
const ServiceDrawSchema = z
  .object({
    type: z.enum(['ClusterIP', 'NodePort']),
    ports: z.array(z.object({ protocol: z.enum(['TCP', 'UDP']), which: Nat }).strict()).min(1).max(8),
    backends: z.array(Nat).max(64),
    notReady: z.array(Nat).max(64),
    hostBackend: Nat.optional(),
    externalTrafficPolicy: z.enum(['Cluster', 'Local']),
  })
  .strict();
const ServiceConnectionSchema = z
  .object({ client: Nat, service: Nat, port: Nat, via: z.enum(['cluster-ip', 'node-port']), node: Nat, self: z.boolean(), sport: Port })
  .strict();
export const ServiceCaseSchema = z.object({ cluster: ClusterSchema, services: z.array(ServiceDrawSchema).min(1).max(16), connections: z.array(ServiceConnectionSchema).min(1) }).strict();

/** outside-leaves-with-node-ip.ts OutsideCase */
const OutsideConnectionSchema = z.object({ client: Nat, host: z.number().int().min(0).max(200), protocol: z.enum(['TCP', 'UDP']), port: Port, sport: Port }).strict();
export const OutsideCaseSchema = z.object({ cluster: ClusterSchema, connections: z.array(OutsideConnectionSchema).min(1) }).strict();

/** Each property's case schema, by property ID. */
export const CASE_SCHEMAS: Readonly<Record<string, z.ZodType>> = Object.freeze({
  'encapsulated-traffic-always-permitted': ClusterCaseSchema,
  'vxlan-never-source-nated': ClusterCaseSchema,
  'response-passes-by-reflective-session': ClusterCaseSchema,
  'connection-verdict-equals-policy': ClusterCaseSchema,
  'denied-connection-leaves-no-frame': ClusterCaseSchema,
  'vxlan-wire-format': ClusterCaseSchema,
  'ttl-and-checksums': ClusterCaseSchema,
  'response-path-mirrors-request': ClusterCaseSchema,
  'output-acl-iff-reflective-input': ClusterSchema,
  'session-expiry-on-virtual-clock': IdleCaseSchema,
  'nat-loopback-reaches-isolated-pods': ClusterCaseSchema,
  'reference-agrees-with-adapter': ClusterCaseSchema,
  'trace-equals-model': ClusterCaseSchema,
  'sessions-equal-model': ClusterCaseSchema,
  'connection-lifecycle': LifecycleCaseSchema,
  'odd-packets-are-contained': OddCaseSchema,
  'faults-keep-the-invariants': NemesisCaseSchema,
  'service-translated-once': ServiceCaseSchema,
  'service-policy-after-translation': ServiceCaseSchema,
  'service-load-spread': ServiceCaseSchema,
  'outside-leaves-with-node-ip': OutsideCaseSchema,
});


/**
 * Checks a case from a file against its property's schema: ok, or the first problem as `<field path>: <what>`.
 * The path starts at `root` (default: the case itself, e.g. `cluster.pods[0].nodeName: no node named "x"`;
 * replay passes `case`, the field of case.json).
 */
export function validateCase(propertyId: string, value: unknown, root = ''): { ok: true } | { ok: false; error: string } {
  if (!Object.hasOwn(CASE_SCHEMAS, propertyId) || !PROPERTIES.some((p) => p.id === propertyId)) {
    return { ok: false, error: `unknown property ${JSON.stringify(propertyId)} (known: ${PROPERTIES.map((p) => p.id).join(', ')})` };
  }
  const r = CASE_SCHEMAS[propertyId]!.safeParse(value);
  if (r.success) return { ok: true };
  const issue = r.error.issues[0]!;
  const path = fieldPath(root === '' ? issue.path : [root, ...issue.path]);
  return { ok: false, error: `${path || '(the case)'}: ${issue.message}` };
}
