// Validation of Kubernetes objects as the API server validates them (names, labels, selectors, ports, CIDRs, the
// NetworkPolicy spec field by field), and the one-line issues a bad field becomes: the schemas src/policy/yaml.ts
// reads with. The format notes are at the top of yaml.ts.
import { z } from 'zod';
import { ip4, prefixContains } from '../packet/addr.ts';
import type { NetworkPolicy } from './types.ts';

/** The annotation on a Node that gives its Contiv node ID (decimal 1-255, docs/datapath.md §2.2). */
export const NODE_ID_ANNOTATION = 'podflow.io/node-id';
/** The label the API server puts on every Namespace (value: the namespace name). */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export interface PolicyInputIssue {
  /** everything before the message: `<file>: document <i>[ item <j>][ (<Kind> <ns>/<name>)][: <field path>]` */
  path: string;
  message: string;
  source: string;
  /** 0-based YAML document index */
  document?: number;
  /** 0-based index in the `items` of a List */
  item?: number;
  /** the field path inside the object, e.g. `spec.ingress[0].ports[1].port` */
  field?: string;
}

/** Invalid cluster input: every issue found, one per line in `message`. */
export class PolicyInputError extends Error {
  override name = 'PolicyInputError';
  readonly issues: PolicyInputIssue[];
  constructor(issues: PolicyInputIssue[]) {
    super(issues.map((i) => `${i.path}: ${i.message}`).join('\n'));
    this.issues = issues;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Field validators (k8s.io/apimachinery/pkg/util/validation and apimachinery's metav1 validation)

export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

export const PORT_EXPECTED = 'expected an integer 1-65535 or a port name';
export const PORT_NAME_RULE = 'IANA_SVC_NAME: 1-15 lowercase letters, digits and "-", at least one letter, no leading, trailing or double "-"';

export function dnsLabelProblem(name: string): string | undefined {
  if (name.length > 63 || !DNS1123_LABEL.test(name)) {
    return `invalid name ${JSON.stringify(name)}: must be an RFC 1123 label (at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit)`;
  }
  return undefined;
}

export function dnsSubdomainProblem(name: string): string | undefined {
  if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
    return `invalid name ${JSON.stringify(name)}: must be an RFC 1123 subdomain (at most 253 lowercase letters, digits, "-" and ".", starting and ending with a letter or digit)`;
  }
  return undefined;
}

export function labelKeyProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const nameOk = name.length <= 63 && QUALIFIED_NAME_PART.test(name);
  const prefixOk = prefix === undefined || (prefix.length > 0 && prefix.length <= 253 && DNS1123_SUBDOMAIN.test(prefix));
  if (nameOk && prefixOk) return undefined;
  return `invalid label key ${JSON.stringify(key)}: must be an optional DNS subdomain prefix and "/", then a name of at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit`;
}

export function labelValueProblem(value: string): string | undefined {
  if (value === '' || (value.length <= 63 && QUALIFIED_NAME_PART.test(value))) return undefined;
  return `invalid label value ${JSON.stringify(value)}: must be empty or at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit`;
}

/** validation.IsValidPortName (IANA_SVC_NAME, RFC 6335 §5.1) */
export function isPortName(name: string): boolean {
  return name.length >= 1 && name.length <= 15 && /^[-a-z0-9]+$/.test(name) && /[a-z]/.test(name) && !name.includes('--') && !name.startsWith('-') && !name.endsWith('-');
}

export function isPortNumber(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= 65535;
}

/** Strict dotted-quad IPv4 (no leading zeros, as Go's net.ParseIP since 1.17). */
export function ipv4Problem(text: string): string | undefined {
  if (text.includes(':')) return `IPv6 address ${JSON.stringify(text)} is not supported (the Contiv-VPP data path under test is IPv4)`;
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255)) return `invalid IPv4 address ${JSON.stringify(text)}`;
  return undefined;
}

export interface ParsedCidr {
  addr: number;
  len: number;
}

export function parseCidr(text: string): ParsedCidr | string {
  if (text.includes(':')) return `IPv6 CIDR ${JSON.stringify(text)} is not supported (the Contiv-VPP data path under test is IPv4)`;
  const m = /^([^/]+)\/(0|[1-9]\d?)$/.exec(text);
  if (!m || ipv4Problem(m[1]!) !== undefined || Number(m[2]) > 32) return `invalid CIDR ${JSON.stringify(text)}: expected an IPv4 address, "/" and a prefix length 0-32`;
  return { addr: ip4(m[1]!), len: Number(m[2]) };
}

// ---------------------------------------------------------------------------------------------------------------
// zod schemas mirroring the API types. Absent and empty stay apart (the API gives them different meanings).

export type Refinement = z.core.$RefinementCtx;

export function addIssue(ctx: Refinement, path: PropertyKey[], message: string): void {
  ctx.addIssue({ code: 'custom', message, path });
}

export const Labels = z.record(z.string(), z.string()).superRefine((labels, ctx) => {
  for (const [key, value] of Object.entries(labels)) {
    const keyProblem = labelKeyProblem(key);
    if (keyProblem) addIssue(ctx, [key], keyProblem);
    const valueProblem = labelValueProblem(value);
    if (valueProblem) addIssue(ctx, [key], valueProblem);
  }
});

export const LabelSelectorRequirementSchema = z
  .strictObject({
    key: z.string(),
    operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
    values: z.array(z.string()).optional(),
  })
  .superRefine((req, ctx) => {
    const keyProblem = labelKeyProblem(req.key);
    if (keyProblem) addIssue(ctx, ['key'], keyProblem);
    const values = req.values ?? [];
    if ((req.operator === 'In' || req.operator === 'NotIn') && values.length === 0) {
      addIssue(ctx, ['values'], `must be a non-empty list when operator is ${req.operator}`);
    }
    if ((req.operator === 'Exists' || req.operator === 'DoesNotExist') && values.length > 0) {
      addIssue(ctx, ['values'], `must be absent or empty when operator is ${req.operator}`);
    }
    values.forEach((v, i) => {
      const problem = labelValueProblem(v);
      if (problem) addIssue(ctx, ['values', i], problem);
    });
  });

export const LabelSelectorSchema = z.strictObject({
  matchLabels: Labels.optional(),
  matchExpressions: z.array(LabelSelectorRequirementSchema).optional(),
});

export const ProtocolSchema = z.enum(['TCP', 'UDP', 'SCTP']);

export const PortValueSchema = z.union([z.number(), z.string()], { error: (iss) => (iss.input === undefined ? 'required' : PORT_EXPECTED) }).superRefine((port, ctx) => {
  if (typeof port === 'number' && !isPortNumber(port)) addIssue(ctx, [], PORT_EXPECTED);
  if (typeof port === 'string' && !isPortName(port)) addIssue(ctx, [], `${PORT_EXPECTED}; ${JSON.stringify(port)} is not a valid port name (${PORT_NAME_RULE})`);
});

export const PortNumberSchema = z.number({ error: (iss) => (iss.input === undefined ? 'required' : 'expected an integer 1-65535') }).refine(isPortNumber, { message: 'expected an integer 1-65535' });

export const NetworkPolicyPortSchema = z
  .strictObject({
    protocol: ProtocolSchema.optional(),
    port: PortValueSchema.optional(),
    endPort: PortNumberSchema.optional(),
  })
  .superRefine((p, ctx) => {
    if (p.endPort === undefined) return;
    if (p.port === undefined) addIssue(ctx, ['endPort'], 'may only be set together with a numeric port');
    else if (typeof p.port === 'string') addIssue(ctx, ['endPort'], `may only be set together with a numeric port, not the port name ${JSON.stringify(p.port)}`);
    else if (p.endPort < p.port) addIssue(ctx, ['endPort'], `must be greater than or equal to port (${p.port})`);
  });

export const IPBlockSchema = z
  .strictObject({
    cidr: z.string(),
    except: z.array(z.string()).optional(),
  })
  .superRefine((block, ctx) => {
    const cidr = parseCidr(block.cidr);
    if (typeof cidr === 'string') addIssue(ctx, ['cidr'], cidr);
    (block.except ?? []).forEach((text, i) => {
      const ex = parseCidr(text);
      if (typeof ex === 'string') addIssue(ctx, ['except', i], ex);
      else if (typeof cidr !== 'string' && !(ex.len > cidr.len && prefixContains(cidr.addr, cidr.len, ex.addr))) {
        addIssue(ctx, ['except', i], `${JSON.stringify(text)} must be a strict subset of cidr ${JSON.stringify(block.cidr)}`);
      }
    });
  });

export const NetworkPolicyPeerSchema = z
  .strictObject({
    podSelector: LabelSelectorSchema.optional(),
    namespaceSelector: LabelSelectorSchema.optional(),
    ipBlock: IPBlockSchema.optional(),
  })
  .superRefine((peer, ctx) => {
    const selectors = peer.podSelector !== undefined || peer.namespaceSelector !== undefined;
    if (!selectors && peer.ipBlock === undefined) addIssue(ctx, [], 'must specify podSelector, namespaceSelector or ipBlock');
    if (selectors && peer.ipBlock !== undefined) addIssue(ctx, ['ipBlock'], 'may not be combined with podSelector or namespaceSelector in one peer');
  });

export const NetworkPolicySpecSchema = z.strictObject({
  podSelector: LabelSelectorSchema.optional(),
  policyTypes: z.array(z.enum(['Ingress', 'Egress'])).max(2, { error: 'may not specify more than two policyTypes' }).optional(),
  ingress: z.array(z.strictObject({ from: z.array(NetworkPolicyPeerSchema).optional(), ports: z.array(NetworkPolicyPortSchema).optional() })).optional(),
  egress: z.array(z.strictObject({ to: z.array(NetworkPolicyPeerSchema).optional(), ports: z.array(NetworkPolicyPortSchema).optional() })).optional(),
});

export function metadataSchema(nameProblem: (name: string) => string | undefined) {
  return z
    .object({
      name: z.string(),
      namespace: z.string().optional(),
      labels: Labels.optional(),
      annotations: z.record(z.string(), z.string()).optional(),
    })
    .superRefine((meta, ctx) => {
      const problem = nameProblem(meta.name);
      if (problem) addIssue(ctx, ['name'], problem);
      const nsProblem = meta.namespace === undefined ? undefined : dnsLabelProblem(meta.namespace);
      if (nsProblem) addIssue(ctx, ['namespace'], nsProblem);
    });
}

export const NamespaceSchema = z.object({ metadata: metadataSchema(dnsLabelProblem) });

// A Node's `status` is read leniently (its InternalIP only, in readClusterDump): the API server writes it and podflow
// has no use for the rest.
export const NodeSchema = z.object({ metadata: metadataSchema(dnsSubdomainProblem), status: z.unknown().optional() }).superRefine((node, ctx) => {
  const id = node.metadata.annotations?.[NODE_ID_ANNOTATION];
  if (id !== undefined && !(/^[1-9]\d{0,2}$/.test(id) && Number(id) <= 255)) {
    addIssue(ctx, ['metadata', 'annotations', NODE_ID_ANNOTATION], `expected a decimal integer 1-255 (the Contiv node ID), got ${JSON.stringify(id)}`);
  }
});

export const ContainerPortSchema = z.object({
  name: z.string().optional(),
  containerPort: PortNumberSchema,
  protocol: ProtocolSchema.optional(),
});

export const PodSchema = z.object({
  metadata: metadataSchema(dnsSubdomainProblem),
  spec: z
    .object({
      nodeName: z.string().optional(),
      hostNetwork: z.boolean().optional(),
      containers: z.array(z.object({ ports: z.array(ContainerPortSchema).optional() })).optional(),
    })
    .superRefine((spec, ctx) => {
      const problem = spec.nodeName === undefined ? undefined : dnsSubdomainProblem(spec.nodeName);
      if (problem) addIssue(ctx, ['nodeName'], problem);
      const seen = new Map<string, string>();
      (spec.containers ?? []).forEach((c, ci) =>
        (c.ports ?? []).forEach((p, pi) => {
          if (p.name === undefined) return;
          const here = `spec.containers[${ci}].ports[${pi}]`;
          if (!isPortName(p.name)) addIssue(ctx, ['containers', ci, 'ports', pi, 'name'], `invalid port name ${JSON.stringify(p.name)} (${PORT_NAME_RULE})`);
          const first = seen.get(p.name);
          if (first) addIssue(ctx, ['containers', ci, 'ports', pi, 'name'], `duplicate port name ${JSON.stringify(p.name)} (also ${first}.name)`);
          else seen.set(p.name, here);
        }),
      );
    }),
  status: z
    .object({ podIP: z.string().optional(), phase: z.string().optional() })
    .superRefine((status, ctx) => {
      const problem = status.podIP === undefined ? undefined : ipv4Problem(status.podIP);
      if (problem) addIssue(ctx, ['podIP'], problem);
    })
    .optional(),
});

export const NetworkPolicySchema = z.object({
  metadata: metadataSchema(dnsSubdomainProblem),
  spec: NetworkPolicySpecSchema.optional(),
});

// ---------------------------------------------------------------------------------------------------------------
// Services and their endpoints (core/v1 Service and Endpoints, discovery.k8s.io/v1 EndpointSlice), validated as
// the API server's ValidateService / ValidateEndpoints / ValidateEndpointSlice check the fields podflow reads;
// unknown fields (status, sessionAffinity, ipFamilies, …) are ignored as in a Pod.

/** The label that ties an EndpointSlice to its Service. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/** A Service name is an RFC 1035 label: like an RFC 1123 label, but starting with a letter. */
export function serviceNameProblem(name: string): string | undefined {
  if (name.length > 63 || !/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(name)) {
    return `invalid name ${JSON.stringify(name)}: a Service name must be an RFC 1035 label (at most 63 lowercase letters, digits and "-", starting with a letter and ending with a letter or digit)`;
  }
  return undefined;
}

const Ipv4Schema = z.string().superRefine((text, ctx) => {
  const problem = ipv4Problem(text);
  if (problem) addIssue(ctx, [], problem);
});

export const ServicePortSchema = z.object({
  name: z.string().optional(),
  protocol: ProtocolSchema.optional(),
  port: PortNumberSchema,
  targetPort: PortValueSchema.optional(),
  nodePort: PortNumberSchema.optional(),
});

export const ServiceSchema = z.object({
  metadata: metadataSchema(serviceNameProblem),
  spec: z
    .object({
      type: z.enum(['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName']).optional(),
      clusterIP: z.string().optional(),
      clusterIPs: z.array(z.string()).optional(),
      externalIPs: z.array(Ipv4Schema).optional(),
      externalName: z.string().optional(),
      externalTrafficPolicy: z.enum(['Cluster', 'Local']).optional(),
      selector: Labels.optional(),
      ports: z.array(ServicePortSchema).optional(),
    })
    .superRefine((spec, ctx) => {
      const type = spec.type ?? 'ClusterIP';
      if (spec.clusterIP !== undefined && spec.clusterIP !== '' && spec.clusterIP !== 'None') {
        const problem = ipv4Problem(spec.clusterIP);
        if (problem) addIssue(ctx, ['clusterIP'], `${problem} (expected an IPv4 address, "None" for a headless Service, or "")`);
      }
      (spec.clusterIPs ?? []).forEach((ip, i) => {
        // Dual stack: the IPv6 entry is allowed and unused (the data path under test is IPv4).
        if (ip !== 'None' && !ip.includes(':') && ipv4Problem(ip)) addIssue(ctx, ['clusterIPs', i], ipv4Problem(ip)!);
      });
      if (type === 'ExternalName' && (spec.externalName === undefined || spec.externalName === '')) addIssue(ctx, ['externalName'], 'required for type ExternalName');
      if (type !== 'ExternalName' && type !== 'ClusterIP' && spec.clusterIP === 'None') addIssue(ctx, ['clusterIP'], `may not be "None" (headless) for type ${type}`);
      const ports = spec.ports ?? [];
      if (ports.length === 0 && type !== 'ExternalName' && spec.clusterIP !== 'None') addIssue(ctx, ['ports'], `required: a ${type} Service needs at least one port`);
      const names = new Map<string, number>();
      const numbers = new Map<string, number>();
      ports.forEach((p, i) => {
        if (p.name === undefined || p.name === '') {
          if (ports.length > 1) addIssue(ctx, ['ports', i, 'name'], 'required when the Service has more than one port');
        } else {
          const problem = dnsLabelProblem(p.name);
          if (problem) addIssue(ctx, ['ports', i, 'name'], problem.replace('invalid name', 'invalid port name'));
          const first = names.get(p.name);
          if (first !== undefined) addIssue(ctx, ['ports', i, 'name'], `duplicate port name ${JSON.stringify(p.name)} (also ports[${first}].name)`);
          else names.set(p.name, i);
        }
        const key = `${p.protocol ?? 'TCP'}/${p.port}`;
        const firstPort = numbers.get(key);
        if (firstPort !== undefined) addIssue(ctx, ['ports', i, 'port'], `duplicate ${key} (also ports[${firstPort}])`);
        else numbers.set(key, i);
        if (p.nodePort !== undefined && type !== 'NodePort' && type !== 'LoadBalancer') addIssue(ctx, ['ports', i, 'nodePort'], `may only be set for type NodePort or LoadBalancer, not ${type}`);
      });
    }),
});

export const TargetRefSchema = z.object({ kind: z.string().optional(), namespace: z.string().optional(), name: z.string().optional() });

const EndpointAddressSchema = z.object({ ip: Ipv4Schema, nodeName: z.string().optional(), targetRef: TargetRefSchema.optional() });

export const EndpointPortSchema = z.object({ name: z.string().optional(), port: PortNumberSchema, protocol: ProtocolSchema.optional() });

/** Endpoint ports of one subset or slice: a name is required when there are several, and unique. */
function checkEndpointPorts(ports: readonly { name?: string | undefined }[], ctx: Refinement, at: PropertyKey[]): void {
  const seen = new Map<string, number>();
  ports.forEach((p, i) => {
    if (p.name === undefined || p.name === '') {
      if (ports.length > 1) addIssue(ctx, [...at, i, 'name'], 'required when there is more than one port');
      return;
    }
    const problem = dnsLabelProblem(p.name);
    if (problem) addIssue(ctx, [...at, i, 'name'], problem.replace('invalid name', 'invalid port name'));
    const first = seen.get(p.name);
    if (first !== undefined) addIssue(ctx, [...at, i, 'name'], `duplicate port name ${JSON.stringify(p.name)} (also ${fieldPath([...at, first])})`);
    else seen.set(p.name, i);
  });
}

export const EndpointsSchema = z.object({
  metadata: metadataSchema(serviceNameProblem),
  subsets: z
    .array(
      z
        .object({ addresses: z.array(EndpointAddressSchema).optional(), notReadyAddresses: z.array(EndpointAddressSchema).optional(), ports: z.array(EndpointPortSchema).optional() })
        .superRefine((subset, ctx) => checkEndpointPorts(subset.ports ?? [], ctx, ['ports'])),
    )
    .optional(),
});

export const EndpointSliceSchema = z
  .object({
    metadata: metadataSchema(dnsSubdomainProblem),
    addressType: z.enum(['IPv4', 'IPv6', 'FQDN'], { error: (iss) => (iss.input === undefined ? 'required' : undefined) }),
    endpoints: z
      .array(
        z.object({
          addresses: z.array(z.string()).min(1, { error: 'must hold at least one address' }),
          conditions: z.object({ ready: z.boolean().optional(), serving: z.boolean().optional(), terminating: z.boolean().optional() }).optional(),
          nodeName: z.string().optional(),
          targetRef: TargetRefSchema.optional(),
        }),
      )
      .optional(),
    ports: z.array(z.object({ name: z.string().optional(), port: PortNumberSchema.optional(), protocol: ProtocolSchema.optional() })).optional(),
  })
  .superRefine((slice, ctx) => {
    const service = slice.metadata.labels?.[SERVICE_NAME_LABEL];
    if (service === undefined) addIssue(ctx, ['metadata', 'labels', SERVICE_NAME_LABEL], 'required: the name of the Service this slice belongs to');
    else if (serviceNameProblem(service)) addIssue(ctx, ['metadata', 'labels', SERVICE_NAME_LABEL], serviceNameProblem(service)!);
    if (slice.addressType === 'IPv4') {
      (slice.endpoints ?? []).forEach((e, i) =>
        e.addresses.forEach((a, j) => {
          const problem = ipv4Problem(a);
          if (problem) addIssue(ctx, ['endpoints', i, 'addresses', j], `${problem} (addressType is IPv4)`);
        }),
      );
    }
    checkEndpointPorts(slice.ports ?? [], ctx, ['ports']);
  });

export const KINDS = {
  Namespace: { apiVersion: 'v1', namespaced: false },
  Node: { apiVersion: 'v1', namespaced: false },
  Pod: { apiVersion: 'v1', namespaced: true },
  NetworkPolicy: { apiVersion: 'networking.k8s.io/v1', namespaced: true },
  Service: { apiVersion: 'v1', namespaced: true },
  Endpoints: { apiVersion: 'v1', namespaced: true },
  EndpointSlice: { apiVersion: 'discovery.k8s.io/v1', namespaced: true },
} as const;
export type Kind = keyof typeof KINDS;

export function isKind(kind: string): kind is Kind {
  return Object.hasOwn(KINDS, kind);
}

// ---------------------------------------------------------------------------------------------------------------
// Messages and paths

export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  if (typeof v === 'boolean') return `the boolean ${v} (quote it if you mean a string: YAML reads yes/no/on/off/true/false as booleans)`;
  if (typeof v === 'number') return `the number ${v}`;
  return typeof v;
}

export const EXPECTED: Record<string, string> = { string: 'a string', number: 'a number', int: 'an integer', object: 'a mapping', record: 'a mapping', array: 'a list', boolean: 'a boolean' };

/** The per-parse zod error map: one wording for every schema. */
export function zodMessage(iss: z.core.$ZodRawIssue): string | undefined {
  switch (iss.code) {
    case 'invalid_type':
      if (iss.input === undefined) return 'required';
      return `expected ${EXPECTED[iss.expected] ?? iss.expected}, got ${describeValue(iss.input)}`;
    case 'invalid_value':
      return `expected ${iss.values.length === 1 ? '' : 'one of '}${iss.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describeValue(iss.input)}`;
    default:
      return undefined;
  }
}

export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (typeof seg === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out;
}

/** Where an object sits in the input, for the first part of every message. */
export interface Where {
  source: string;
  document: number;
  item?: number;
  label?: string;
}

export function issueAt(where: Where, field: string, message: string): PolicyInputIssue {
  const head = `${where.source}: document ${where.document}${where.item !== undefined ? ` item ${where.item}` : ''}${where.label ? ` (${where.label})` : ''}`;
  const issue: PolicyInputIssue = { path: field ? `${head}: ${field}` : head, message, source: where.source, document: where.document };
  if (where.item !== undefined) issue.item = where.item;
  if (field) issue.field = field;
  return issue;
}

export function zodIssues(error: z.ZodError, where: Where, prefix: PropertyKey[] = []): PolicyInputIssue[] {
  return error.issues.flatMap((iss) => {
    if (iss.code === 'unrecognized_keys') {
      return iss.keys.map((key) => issueAt(where, fieldPath([...prefix, ...iss.path, key]), 'unknown field (not part of the networking.k8s.io/v1 NetworkPolicy API)'));
    }
    return [issueAt(where, fieldPath([...prefix, ...iss.path]), iss.message)];
  });
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Go's JSON decoding reads `field: null` as an absent field; so do we. */
export function dropNullFields(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropNullFields);
  if (!isRecord(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = dropNullFields(x);
  return out;
}

export function objectLabel(obj: Record<string, unknown>): string | undefined {
  const kind = typeof obj.kind === 'string' ? obj.kind : undefined;
  if (!kind) return undefined;
  const meta = isRecord(obj.metadata) ? obj.metadata : {};
  const name = typeof meta.name === 'string' ? meta.name : undefined;
  if (name === undefined) return kind;
  const namespaced = isKind(kind) ? KINDS[kind].namespaced : meta.namespace !== undefined;
  const ns = typeof meta.namespace === 'string' ? meta.namespace : 'default';
  return namespaced ? `${kind} ${ns}/${name}` : `${kind} ${name}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Reading

/** How YAML is read and written: as kubectl does. */
export const YAML_OPTIONS = {
  version: '1.1',
  // go-yaml (kubectl) reads YAML 1.1 scalars but keeps timestamps and 1:20-style numbers as strings
  customTags: (tags: unknown[]) => tags.filter((t) => !(isRecord(t) && (t.tag === 'tag:yaml.org,2002:timestamp' || t.format === 'TIME'))),
} as const;
