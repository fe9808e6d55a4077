// Reads and writes a cluster (Namespaces, Nodes, Pods, networking.k8s.io/v1 NetworkPolicies) as real Kubernetes
// YAML, validated the way the API server validates it, so a podflow scenario is also a file `kubectl apply` accepts.
//
// Format notes (beyond the Kubernetes API):
// * Multi-document files; `kind: List` and `<Kind>List` objects (their `items`; in a `<Kind>List` an item may omit
//   kind and apiVersion). Empty documents are skipped. Other kinds are an error naming the kind.
// * YAML is read like kubectl reads it (go-yaml, YAML 1.1 scalars): unquoted yes/no/on/off/y/n are booleans, so a
//   label value `yes` must be quoted; timestamps and sexagesimal numbers are left as strings.
// * `metadata.namespace` missing → "default". Namespaces and Nodes that pods or policies mention but the file does
//   not declare are created implicitly (the API server would reject the objects; implicit ones keep files short).
//   Namespaces and Nodes are listed in the order they are first mentioned, declared or referenced.
// * Every namespace carries the label `kubernetes.io/metadata.name: <name>`, as the API server sets it (Kubernetes
//   ≥ 1.21); a file may state it, but only with the namespace's own name.
// * A Node's Contiv node ID (docs/datapath.md §2.2) is the annotation `podflow.io/node-id: "<1-255>"`; without it the
//   ID is allocated later (smallest unused, in order of appearance).
// * Pods: `spec.nodeName` is required (the data path needs a node); `spec.containers` may be omitted and only
//   `ports` of containers are read; `status.podIP` is the pod's IP when known (IPv4 only).
// * parseClusterDump reads what `kubectl get ns,nodes,pods,networkpolicies -A -o yaml` prints: host-network pods
//   (`spec.hostNetwork: true`, the node's own host), pods without `spec.nodeName`, pods with a `status.phase` but no
//   `status.podIP` (Pending) and ended pods (Succeeded, Failed) are set aside and listed rather than errors; a
//   Node's InternalIP (`status.addresses`) is kept. Server-set fields (managedFields, uid, resourceVersion,
//   ownerReferences, status conditions, …) are ignored like every other unknown field outside a policy spec.
// * Unknown fields are ignored in Namespace, Node, Pod and metadata (status, image, resources, …), like kubectl does
//   for fields podflow has no use for; inside a NetworkPolicy `spec` every field is modelled, so an unknown one is
//   an error (a misspelt `form:` would otherwise silently mean "from everywhere").
// * IPv4 only: an IPv6 ipBlock is rejected (the Contiv-VPP data path under test is IPv4).
// Errors: parseClusterYaml either returns a complete Cluster or throws one PolicyInputError listing every issue as
// `<file>: document <i>[ item <j>] (<Kind> <ns>/<name>): <field path>: <message>` (0-based indices), or
// `<file>:<line>:<column>: document <i>: YAML syntax error: <message>`.
import { readFileSync } from 'node:fs';
import { parseAllDocuments, stringify } from 'yaml';
import { z } from 'zod';
import { ip4, prefixContains } from '../packet/addr.ts';
import type {
  Cluster,
  ClusterNamespace,
  ClusterNode,
  ClusterPod,
  ContainerPort,
  LabelSelector,
  NetworkPolicy,
  NetworkPolicyPeer,
  NetworkPolicyPort,
} from './types.ts';

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

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

const PORT_EXPECTED = 'expected an integer 1-65535 or a port name';
const PORT_NAME_RULE = 'IANA_SVC_NAME: 1-15 lowercase letters, digits and "-", at least one letter, no leading, trailing or double "-"';

function dnsLabelProblem(name: string): string | undefined {
  if (name.length > 63 || !DNS1123_LABEL.test(name)) {
    return `invalid name ${JSON.stringify(name)}: must be an RFC 1123 label (at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit)`;
  }
  return undefined;
}

function dnsSubdomainProblem(name: string): string | undefined {
  if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
    return `invalid name ${JSON.stringify(name)}: must be an RFC 1123 subdomain (at most 253 lowercase letters, digits, "-" and ".", starting and ending with a letter or digit)`;
  }
  return undefined;
}

function labelKeyProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const nameOk = name.length <= 63 && QUALIFIED_NAME_PART.test(name);
  const prefixOk = prefix === undefined || (prefix.length > 0 && prefix.length <= 253 && DNS1123_SUBDOMAIN.test(prefix));
  if (nameOk && prefixOk) return undefined;
  return `invalid label key ${JSON.stringify(key)}: must be an optional DNS subdomain prefix and "/", then a name of at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit`;
}

function labelValueProblem(value: string): string | undefined {
  if (value === '' || (value.length <= 63 && QUALIFIED_NAME_PART.test(value))) return undefined;
  return `invalid label value ${JSON.stringify(value)}: must be empty or at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit`;
}

/** validation.IsValidPortName (IANA_SVC_NAME, RFC 6335 §5.1) */
function isPortName(name: string): boolean {
  return name.length >= 1 && name.length <= 15 && /^[-a-z0-9]+$/.test(name) && /[a-z]/.test(name) && !name.includes('--') && !name.startsWith('-') && !name.endsWith('-');
}

function isPortNumber(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= 65535;
}

/** Strict dotted-quad IPv4 (no leading zeros, as Go's net.ParseIP since 1.17). */
function ipv4Problem(text: string): string | undefined {
  if (text.includes(':')) return `IPv6 address ${JSON.stringify(text)} is not supported (the Contiv-VPP data path under test is IPv4)`;
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255)) return `invalid IPv4 address ${JSON.stringify(text)}`;
  return undefined;
}

interface ParsedCidr {
  addr: number;
  len: number;
}

function parseCidr(text: string): ParsedCidr | string {
  if (text.includes(':')) return `IPv6 CIDR ${JSON.stringify(text)} is not supported (the Contiv-VPP data path under test is IPv4)`;
  const m = /^([^/]+)\/(0|[1-9]\d?)$/.exec(text);
  if (!m || ipv4Problem(m[1]!) !== undefined || Number(m[2]) > 32) return `invalid CIDR ${JSON.stringify(text)}: expected an IPv4 address, "/" and a prefix length 0-32`;
  return { addr: ip4(m[1]!), len: Number(m[2]) };
}

// ---------------------------------------------------------------------------------------------------------------
// zod schemas mirroring the API types. Absent and empty stay apart (the API gives them different meanings).

type Refinement = z.core.$RefinementCtx;

function addIssue(ctx: Refinement, path: PropertyKey[], message: string): void {
  ctx.addIssue({ code: 'custom', message, path });
}

const Labels = z.record(z.string(), z.string()).superRefine((labels, ctx) => {
  for (const [key, value] of Object.entries(labels)) {
    const keyProblem = labelKeyProblem(key);
    if (keyProblem) addIssue(ctx, [key], keyProblem);
    const valueProblem = labelValueProblem(value);
    if (valueProblem) addIssue(ctx, [key], valueProblem);
  }
});

const LabelSelectorRequirementSchema = z
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

const LabelSelectorSchema = z.strictObject({
  matchLabels: Labels.optional(),
  matchExpressions: z.array(LabelSelectorRequirementSchema).optional(),
});

const ProtocolSchema = z.enum(['TCP', 'UDP', 'SCTP']);

const PortValueSchema = z.union([z.number(), z.string()], { error: (iss) => (iss.input === undefined ? 'required' : PORT_EXPECTED) }).superRefine((port, ctx) => {
  if (typeof port === 'number' && !isPortNumber(port)) addIssue(ctx, [], PORT_EXPECTED);
  if (typeof port === 'string' && !isPortName(port)) addIssue(ctx, [], `${PORT_EXPECTED}; ${JSON.stringify(port)} is not a valid port name (${PORT_NAME_RULE})`);
});

const PortNumberSchema = z.number({ error: (iss) => (iss.input === undefined ? 'required' : 'expected an integer 1-65535') }).refine(isPortNumber, { message: 'expected an integer 1-65535' });

const NetworkPolicyPortSchema = z
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

const IPBlockSchema = z
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

const NetworkPolicyPeerSchema = z
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

const NetworkPolicySpecSchema = z.strictObject({
  podSelector: LabelSelectorSchema.optional(),
  policyTypes: z.array(z.enum(['Ingress', 'Egress'])).max(2, { error: 'may not specify more than two policyTypes' }).optional(),
  ingress: z.array(z.strictObject({ from: z.array(NetworkPolicyPeerSchema).optional(), ports: z.array(NetworkPolicyPortSchema).optional() })).optional(),
  egress: z.array(z.strictObject({ to: z.array(NetworkPolicyPeerSchema).optional(), ports: z.array(NetworkPolicyPortSchema).optional() })).optional(),
});

function metadataSchema(nameProblem: (name: string) => string | undefined) {
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

const NamespaceSchema = z.object({ metadata: metadataSchema(dnsLabelProblem) });

// A Node's `status` is read leniently (its InternalIP only, in readClusterDump): the API server writes it and podflow
// has no use for the rest.
const NodeSchema = z.object({ metadata: metadataSchema(dnsSubdomainProblem), status: z.unknown().optional() }).superRefine((node, ctx) => {
  const id = node.metadata.annotations?.[NODE_ID_ANNOTATION];
  if (id !== undefined && !(/^[1-9]\d{0,2}$/.test(id) && Number(id) <= 255)) {
    addIssue(ctx, ['metadata', 'annotations', NODE_ID_ANNOTATION], `expected a decimal integer 1-255 (the Contiv node ID), got ${JSON.stringify(id)}`);
  }
});

const ContainerPortSchema = z.object({
  name: z.string().optional(),
  containerPort: PortNumberSchema,
  protocol: ProtocolSchema.optional(),
});

const PodSchema = z.object({
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

const NetworkPolicySchema = z.object({
  metadata: metadataSchema(dnsSubdomainProblem),
  spec: NetworkPolicySpecSchema.optional(),
});

const KINDS = {
  Namespace: { apiVersion: 'v1', namespaced: false },
  Node: { apiVersion: 'v1', namespaced: false },
  Pod: { apiVersion: 'v1', namespaced: true },
  NetworkPolicy: { apiVersion: 'networking.k8s.io/v1', namespaced: true },
} as const;
type Kind = keyof typeof KINDS;

function isKind(kind: string): kind is Kind {
  return Object.hasOwn(KINDS, kind);
}

// ---------------------------------------------------------------------------------------------------------------
// Messages and paths

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  if (typeof v === 'boolean') return `the boolean ${v} (quote it if you mean a string: YAML reads yes/no/on/off/true/false as booleans)`;
  if (typeof v === 'number') return `the number ${v}`;
  return typeof v;
}

const EXPECTED: Record<string, string> = { string: 'a string', number: 'a number', int: 'an integer', object: 'a mapping', record: 'a mapping', array: 'a list', boolean: 'a boolean' };

/** The per-parse zod error map: one wording for every schema. */
function zodMessage(iss: z.core.$ZodRawIssue): string | undefined {
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

function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (typeof seg === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out;
}

/** Where an object sits in the input, for the first part of every message. */
interface Where {
  source: string;
  document: number;
  item?: number;
  label?: string;
}

function issueAt(where: Where, field: string, message: string): PolicyInputIssue {
  const head = `${where.source}: document ${where.document}${where.item !== undefined ? ` item ${where.item}` : ''}${where.label ? ` (${where.label})` : ''}`;
  const issue: PolicyInputIssue = { path: field ? `${head}: ${field}` : head, message, source: where.source, document: where.document };
  if (where.item !== undefined) issue.item = where.item;
  if (field) issue.field = field;
  return issue;
}

function zodIssues(error: z.ZodError, where: Where, prefix: PropertyKey[] = []): PolicyInputIssue[] {
  return error.issues.flatMap((iss) => {
    if (iss.code === 'unrecognized_keys') {
      return iss.keys.map((key) => issueAt(where, fieldPath([...prefix, ...iss.path, key]), 'unknown field (not part of the networking.k8s.io/v1 NetworkPolicy API)'));
    }
    return [issueAt(where, fieldPath([...prefix, ...iss.path]), iss.message)];
  });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Go's JSON decoding reads `field: null` as an absent field; so do we. */
function dropNullFields(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropNullFields);
  if (!isRecord(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = dropNullFields(x);
  return out;
}

function objectLabel(obj: Record<string, unknown>): string | undefined {
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

const YAML_OPTIONS = {
  version: '1.1',
  // go-yaml (kubectl) reads YAML 1.1 scalars but keeps timestamps and 1:20-style numbers as strings
  customTags: (tags: unknown[]) => tags.filter((t) => !(isRecord(t) && (t.tag === 'tag:yaml.org,2002:timestamp' || t.format === 'TIME'))),
} as const;

interface Located {
  where: Where;
  obj: Record<string, unknown>;
}

/** Splits documents and List items into single objects, reporting syntax errors and non-objects. */
function locateObjects(text: string, source: string, issues: PolicyInputIssue[]): Located[] {
  const out: Located[] = [];
  const docs = parseAllDocuments(text.replace(/^\uFEFF/, ''), YAML_OPTIONS as never);
  const list = Array.isArray(docs) ? docs : [docs];
  list.forEach((doc, d) => {
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        const pos = e.linePos?.[0];
        const raw = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
        // The YAML parser reports its own stack overflow as the error at the node it reached.
        const msg = /Maximum call stack size exceeded/.test(raw) ? 'nested too deeply' : raw;
        issues.push({ path: `${source}${pos ? `:${pos.line}:${pos.col}` : ''}: document ${d}`, message: `YAML syntax error: ${msg}`, source, document: d });
      }
      return;
    }
    if (doc.contents === null) return;
    let js: unknown;
    try {
      js = dropNullFields(doc.toJS());
    } catch (e) {
      issues.push(issueAt({ source, document: d }, '', `cannot read the document: ${(e as Error).message}`));
      return;
    }
    if (js === null || js === undefined) return;
    const where: Where = { source, document: d };
    if (!isRecord(js)) {
      issues.push(issueAt(where, '', `expected a Kubernetes object (a mapping with apiVersion and kind), got ${describeValue(js)}`));
      return;
    }
    const kind = js.kind;
    if (typeof kind === 'string' && kind.endsWith('List')) {
      where.label = kind;
      const items = js.items;
      if (items === undefined) return;
      if (!Array.isArray(items)) {
        issues.push(issueAt(where, 'items', `expected a list, got ${describeValue(items)}`));
        return;
      }
      const itemKind = kind === 'List' ? undefined : kind.slice(0, -'List'.length);
      items.forEach((item, i) => {
        const itemWhere: Where = { source, document: d, item: i };
        if (!isRecord(item)) {
          issues.push(issueAt(itemWhere, '', `expected a Kubernetes object (a mapping with apiVersion and kind), got ${describeValue(item)}`));
          return;
        }
        const obj = { ...item };
        if (itemKind !== undefined && obj.kind === undefined) obj.kind = itemKind;
        if (itemKind !== undefined && obj.apiVersion === undefined && js.apiVersion !== undefined) obj.apiVersion = js.apiVersion;
        const label = objectLabel(obj);
        if (label) itemWhere.label = label;
        if (typeof obj.kind === 'string' && obj.kind.endsWith('List')) {
          issues.push(issueAt(itemWhere, 'kind', `a ${obj.kind} cannot be nested inside a ${kind}`));
          return;
        }
        out.push({ where: itemWhere, obj });
      });
      return;
    }
    const label = objectLabel(js);
    if (label) where.label = label;
    out.push({ where, obj: js });
  });
  return out;
}

type Parsed =
  | { kind: 'Namespace'; where: Where; value: z.infer<typeof NamespaceSchema> }
  | { kind: 'Node'; where: Where; value: z.infer<typeof NodeSchema> }
  | { kind: 'Pod'; where: Where; value: z.infer<typeof PodSchema> }
  | { kind: 'NetworkPolicy'; where: Where; value: z.infer<typeof NetworkPolicySchema> };

function validateObject({ where, obj }: Located, issues: PolicyInputIssue[]): Parsed | undefined {
  const kind = obj.kind;
  if (kind === undefined) {
    issues.push(issueAt(where, 'kind', 'required'));
    return undefined;
  }
  if (typeof kind !== 'string') {
    issues.push(issueAt(where, 'kind', `expected a string, got ${describeValue(kind)}`));
    return undefined;
  }
  if (!isKind(kind)) {
    issues.push(issueAt(where, 'kind', `unsupported kind ${JSON.stringify(kind)} (podflow reads Namespace, Node, Pod and NetworkPolicy, also as items of a List or <Kind>List)`));
    return undefined;
  }
  const apiVersion = KINDS[kind].apiVersion;
  if (obj.apiVersion !== apiVersion) {
    issues.push(issueAt(where, 'apiVersion', obj.apiVersion === undefined ? 'required' : `expected ${JSON.stringify(apiVersion)} for ${kind}, got ${describeValue(obj.apiVersion)}`));
    return undefined;
  }
  const schema = { Namespace: NamespaceSchema, Node: NodeSchema, Pod: PodSchema, NetworkPolicy: NetworkPolicySchema }[kind];
  const result = schema.safeParse(obj, { error: zodMessage });
  if (!result.success) {
    issues.push(...zodIssues(result.error, where));
    return undefined;
  }
  return { kind, where, value: result.data } as Parsed;
}

function whereText(w: Where): string {
  return `document ${w.document}${w.item !== undefined ? ` item ${w.item}` : ''}`;
}

/** Two objects of one kind with one name (in one namespace), judged on the raw objects so invalid ones count too. */
function duplicateNames(located: Located[]): PolicyInputIssue[] {
  const issues: PolicyInputIssue[] = [];
  const first = new Map<string, Where>();
  for (const { where, obj } of located) {
    const kind = obj.kind;
    const meta = isRecord(obj.metadata) ? obj.metadata : {};
    if (typeof kind !== 'string' || !isKind(kind) || typeof meta.name !== 'string') continue;
    const key = KINDS[kind].namespaced ? `${kind} ${typeof meta.namespace === 'string' ? meta.namespace : 'default'}/${meta.name}` : `${kind} ${meta.name}`;
    const seen = first.get(key);
    if (seen) issues.push(issueAt(where, 'metadata.name', `duplicate ${key} (first in ${whereText(seen)})`));
    else first.set(key, where);
  }
  return issues;
}

/** Issues in input order (document, then List item); within one object in the order they were found. */
function sortByPlace(issues: PolicyInputIssue[]): PolicyInputIssue[] {
  return issues
    .map((issue, i) => ({ issue, i }))
    .sort((a, b) => (a.issue.document ?? -1) - (b.issue.document ?? -1) || (a.issue.item ?? -1) - (b.issue.item ?? -1) || a.i - b.i)
    .map((x) => x.issue);
}

function toContainerPorts(spec: z.infer<typeof PodSchema>['spec']): ContainerPort[] {
  return (spec.containers ?? []).flatMap((c) =>
    (c.ports ?? []).map((p) => {
      const port: ContainerPort = { containerPort: p.containerPort, protocol: p.protocol ?? 'TCP' };
      return p.name === undefined ? port : { name: p.name, ...port };
    }),
  );
}

function toPolicy(name: string, namespace: string, spec: z.infer<typeof NetworkPolicySpecSchema>): NetworkPolicy {
  const policy: NetworkPolicy = { name, namespace, podSelector: spec.podSelector ?? {} };
  if (spec.policyTypes !== undefined) policy.policyTypes = spec.policyTypes;
  if (spec.ingress !== undefined) policy.ingress = spec.ingress;
  if (spec.egress !== undefined) policy.egress = spec.egress;
  return policy;
}

/** A pod of a kubectl dump that is not a pod of the data path: the node's host, or a pod without a node or an IP. */
export interface DumpPod {
  namespace: string;
  name: string;
  nodeName?: string;
  /** status.podIP (for a host-network pod: the node's own address) */
  ip?: string;
}

/**
 * What `kubectl get ns,nodes,pods,networkpolicies -A -o yaml` holds beyond the Cluster: pods that have no place in
 * the pod data path, the nodes' addresses, and how many objects of each kind the file declared.
 */
export interface ClusterDump {
  cluster: Cluster;
  /** pods with `spec.hostNetwork: true`: they share the node's network namespace, so their traffic is host traffic */
  hostNetwork: DumpPod[];
  /** pods without a node or without an IP (Pending), or whose containers have ended (their IP is released) */
  skipped: (DumpPod & { reason: string })[];
  /** the InternalIP of each Node that lists one in `status.addresses` */
  nodeAddresses: Map<string, string>;
  /** objects declared in the file, by kind (implicit namespaces and nodes not counted) */
  declared: Record<'Namespace' | 'Node' | 'Pod' | 'NetworkPolicy', number>;
}

/** The first IPv4 InternalIP in a Node's `status.addresses`, read leniently (any other content is ignored). */
function internalIp(status: unknown): string | undefined {
  if (!isRecord(status) || !Array.isArray(status.addresses)) return undefined;
  for (const a of status.addresses) {
    if (isRecord(a) && a.type === 'InternalIP' && typeof a.address === 'string' && ipv4Problem(a.address) === undefined) return a.address;
  }
  return undefined;
}

/**
 * The reader behind parseClusterYaml and parseClusterDump. As a dump (`dump` true) pods the data path has no place
 * for are set aside instead of being errors: host-network pods, pods without `spec.nodeName`, pods whose status
 * has a phase but no podIP (Pending), and pods in phase Succeeded or Failed (kubectl still shows their old IP,
 * which the node may have handed to a new pod). A pod without any status is a manifest: Contiv allocates its IP.
 */
function parseCluster(text: string, source: string, dump: boolean): ClusterDump {
  const issues: PolicyInputIssue[] = [];
  const located = locateObjects(text, source, issues);
  const parsed = located.map((l) => validateObject(l, issues)).filter((p): p is Parsed => p !== undefined);
  issues.push(...duplicateNames(located));

  // Namespaces and Nodes keep the position of their first mention, declared or referenced.
  const namespaces = new Map<string, ClusterNamespace>();
  const nodes = new Map<string, ClusterNode>();
  const pods: ClusterPod[] = [];
  const policies: NetworkPolicy[] = [];
  const podIps = new Map<string, string>();
  const nodeIds = new Map<number, string>();
  const hostNetwork: DumpPod[] = [];
  const skipped: ClusterDump['skipped'] = [];
  const nodeAddresses = new Map<string, string>();
  const declared: ClusterDump['declared'] = { Namespace: 0, Node: 0, Pod: 0, NetworkPolicy: 0 };
  const mentionNamespace = (name: string): ClusterNamespace => {
    let ns = namespaces.get(name);
    if (!ns) namespaces.set(name, (ns = { name, labels: { [NAMESPACE_NAME_LABEL]: name } }));
    return ns;
  };
  const mentionNode = (name: string): ClusterNode => {
    let node = nodes.get(name);
    if (!node) nodes.set(name, (node = { name }));
    return node;
  };

  for (const p of parsed) {
    const meta = p.value.metadata;
    declared[p.kind]++;
    switch (p.kind) {
      case 'Namespace': {
        const own = meta.labels?.[NAMESPACE_NAME_LABEL];
        if (own !== undefined && own !== meta.name) {
          issues.push(issueAt(p.where, fieldPath(['metadata', 'labels', NAMESPACE_NAME_LABEL]), `must be the namespace's own name ${JSON.stringify(meta.name)} (the API server sets this label)`));
        }
        mentionNamespace(meta.name).labels = { ...meta.labels, [NAMESPACE_NAME_LABEL]: meta.name };
        break;
      }
      case 'Node': {
        const node = mentionNode(meta.name);
        const idText = meta.annotations?.[NODE_ID_ANNOTATION];
        if (idText !== undefined) {
          const id = Number(idText);
          const other = nodeIds.get(id);
          if (other !== undefined) issues.push(issueAt(p.where, fieldPath(['metadata', 'annotations', NODE_ID_ANNOTATION]), `node ID ${id} is already used by node ${other}`));
          else nodeIds.set(id, meta.name);
          node.id = id;
        }
        const address = internalIp(p.value.status);
        if (address !== undefined) nodeAddresses.set(meta.name, address);
        break;
      }
      case 'Pod': {
        const namespace = meta.namespace ?? 'default';
        const { spec, status } = p.value;
        mentionNamespace(namespace);
        if (dump) {
          const ref: DumpPod = { namespace, name: meta.name };
          if (spec.nodeName !== undefined) ref.nodeName = spec.nodeName;
          if (status?.podIP !== undefined) ref.ip = status.podIP;
          const phase = status?.phase;
          let reason: string | undefined;
          if (spec.hostNetwork === true) {
            hostNetwork.push(ref);
            break;
          } else if (spec.nodeName === undefined) reason = `not scheduled to a node (no spec.nodeName${phase ? `, phase ${phase}` : ''})`;
          else if (phase === 'Succeeded' || phase === 'Failed') reason = `phase ${phase}: its containers have ended and its IP is released`;
          else if (phase !== undefined && status?.podIP === undefined) reason = `no IP yet (no status.podIP, phase ${phase})`;
          if (reason !== undefined) {
            skipped.push({ ...ref, reason });
            break;
          }
        }
        if (spec.nodeName === undefined) {
          issues.push(issueAt(p.where, 'spec.nodeName', 'required'));
          break;
        }
        mentionNode(spec.nodeName);
        const pod: ClusterPod = { name: meta.name, namespace, labels: meta.labels ?? {}, nodeName: spec.nodeName, containerPorts: toContainerPorts(spec) };
        const ip = status?.podIP;
        if (ip !== undefined) {
          const other = podIps.get(ip);
          if (other !== undefined) issues.push(issueAt(p.where, 'status.podIP', `${ip} is already the IP of pod ${other}`));
          else podIps.set(ip, `${namespace}/${meta.name}`);
          pod.ip = ip;
        }
        pods.push(pod);
        break;
      }
      case 'NetworkPolicy': {
        const namespace = meta.namespace ?? 'default';
        mentionNamespace(namespace);
        policies.push(toPolicy(meta.name, namespace, p.value.spec ?? {}));
        break;
      }
    }
  }
  if (issues.length > 0) throw new PolicyInputError(sortByPlace(issues));
  return { cluster: { nodes: [...nodes.values()], namespaces: [...namespaces.values()], pods, policies }, hostNetwork, skipped, nodeAddresses, declared };
}

/**
 * Parses multi-document Kubernetes YAML into a Cluster. `source` names the input in messages (usually the file name).
 * Throws PolicyInputError listing every problem; never returns a partial cluster.
 */
export function parseClusterYaml(text: string, source: string): Cluster {
  return parseCluster(text, source, false).cluster;
}

/**
 * Parses what `kubectl get ns,nodes,pods,networkpolicies -A -o yaml` prints (or any file parseClusterYaml reads):
 * host-network pods, pods without a node or an IP, and ended pods are set aside and listed, not errors.
 */
export function parseClusterDump(text: string, source: string): ClusterDump {
  return parseCluster(text, source, true);
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const reason = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a directory' : err.code === 'EACCES' ? 'permission denied' : err.message;
    throw new PolicyInputError([{ path: path, message: `cannot read the file: ${reason}${err.code ? ` (${err.code})` : ''}`, source: path }]);
  }
}

/** Reads and parses a cluster file; a file that cannot be read is a PolicyInputError naming it too. */
export function readClusterFile(path: string): Cluster {
  return parseClusterYaml(readText(path), path);
}

/** Reads and parses a kubectl dump (parseClusterDump); a file that cannot be read is a PolicyInputError naming it. */
export function readClusterDump(path: string): ClusterDump {
  return parseClusterDump(readText(path), path);
}

// ---------------------------------------------------------------------------------------------------------------
// Writing: fixed key order, sorted label keys, so the same Cluster always gives the same text.

/** The container written for a pod's ports (podflow does not model containers, only their ports). */
export const PLACEHOLDER_CONTAINER = { name: 'app', image: 'registry.k8s.io/pause:3.9' } as const;

function sortedRecord(rec: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(rec).sort()) out[k] = rec[k]!;
  return out;
}

function selectorObject(s: LabelSelector): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (s.matchLabels !== undefined) out.matchLabels = sortedRecord(s.matchLabels);
  if (s.matchExpressions !== undefined) {
    out.matchExpressions = s.matchExpressions.map((r) => (r.values === undefined ? { key: r.key, operator: r.operator } : { key: r.key, operator: r.operator, values: [...r.values] }));
  }
  return out;
}

function peerObject(p: NetworkPolicyPeer): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (p.podSelector !== undefined) out.podSelector = selectorObject(p.podSelector);
  if (p.namespaceSelector !== undefined) out.namespaceSelector = selectorObject(p.namespaceSelector);
  if (p.ipBlock !== undefined) out.ipBlock = p.ipBlock.except === undefined ? { cidr: p.ipBlock.cidr } : { cidr: p.ipBlock.cidr, except: [...p.ipBlock.except] };
  return out;
}

function portObject(p: NetworkPolicyPort): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (p.protocol !== undefined) out.protocol = p.protocol;
  if (p.port !== undefined) out.port = p.port;
  if (p.endPort !== undefined) out.endPort = p.endPort;
  return out;
}

function ruleObject(peersKey: 'from' | 'to', peers: NetworkPolicyPeer[] | undefined, ports: NetworkPolicyPort[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (peers !== undefined) out[peersKey] = peers.map(peerObject);
  if (ports !== undefined) out.ports = ports.map(portObject);
  return out;
}

function policyObject(p: NetworkPolicy): Record<string, unknown> {
  const spec: Record<string, unknown> = { podSelector: selectorObject(p.podSelector) };
  if (p.policyTypes !== undefined) spec.policyTypes = [...p.policyTypes];
  if (p.ingress !== undefined) spec.ingress = p.ingress.map((r) => ruleObject('from', r.from, r.ports));
  if (p.egress !== undefined) spec.egress = p.egress.map((r) => ruleObject('to', r.to, r.ports));
  return { apiVersion: KINDS.NetworkPolicy.apiVersion, kind: 'NetworkPolicy', metadata: { name: p.name, namespace: p.namespace }, spec };
}

function namespaceObject(ns: ClusterNamespace): Record<string, unknown> {
  const metadata: Record<string, unknown> = { name: ns.name };
  if (Object.keys(ns.labels).length > 0) metadata.labels = sortedRecord(ns.labels);
  return { apiVersion: 'v1', kind: 'Namespace', metadata };
}

function nodeObject(node: ClusterNode): Record<string, unknown> {
  const metadata: Record<string, unknown> = { name: node.name };
  if (node.id !== undefined) metadata.annotations = { [NODE_ID_ANNOTATION]: String(node.id) };
  return { apiVersion: 'v1', kind: 'Node', metadata };
}

function podObject(pod: ClusterPod): Record<string, unknown> {
  const metadata: Record<string, unknown> = { name: pod.name, namespace: pod.namespace };
  if (Object.keys(pod.labels).length > 0) metadata.labels = sortedRecord(pod.labels);
  const container: Record<string, unknown> = { ...PLACEHOLDER_CONTAINER };
  if (pod.containerPorts.length > 0) {
    container.ports = pod.containerPorts.map((p) => (p.name === undefined ? { containerPort: p.containerPort, protocol: p.protocol } : { name: p.name, containerPort: p.containerPort, protocol: p.protocol }));
  }
  const out: Record<string, unknown> = { apiVersion: 'v1', kind: 'Pod', metadata, spec: { nodeName: pod.nodeName, containers: [container] } };
  if (pod.ip !== undefined) out.status = { podIP: pod.ip };
  return out;
}

function documents(objects: Record<string, unknown>[]): string {
  // YAML 1.1 quoting, so strings such as "yes", "on" or "1" stay strings for go-yaml (kubectl) as well
  return objects.map((o) => stringify(o, { ...YAML_OPTIONS, lineWidth: 0 } as never)).join('---\n');
}

/** Multi-document YAML (Namespaces, Nodes, Pods, NetworkPolicies, in the cluster's order) that parseClusterYaml reads back to an equal Cluster. */
export function clusterToYaml(cluster: Cluster): string {
  return documents([...cluster.namespaces.map(namespaceObject), ...cluster.nodes.map(nodeObject), ...cluster.pods.map(podObject), ...cluster.policies.map(policyObject)]);
}

/** Multi-document YAML of NetworkPolicies only. */
export function policiesToYaml(policies: NetworkPolicy[]): string {
  return documents(policies.map(policyObject));
}
