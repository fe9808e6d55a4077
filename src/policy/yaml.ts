// Reads a cluster (Namespaces, Nodes, Pods, networking.k8s.io/v1 NetworkPolicies) from real Kubernetes YAML,
// validated the way the API server validates it (the schemas: yaml-schema.ts; writing: yaml-write.ts), so a
// podflow scenario is also a file `kubectl apply` accepts.
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
// * Services (v1), Endpoints (v1) and EndpointSlices (discovery.k8s.io/v1) are read too (docs/datapath.md §16.1):
//   a Service's type, cluster IP(s), external IPs, externalTrafficPolicy, selector and ports; the addresses of
//   Endpoints (`addresses` ready, `notReadyAddresses` not) and of EndpointSlices (the first address of each
//   endpoint, conditions.ready absent = ready, as the API documents), each with nodeName, targetRef and the ports.
//   An EndpointSlice names its Service by the label `kubernetes.io/service-name`. Endpoints and slices are kept as
//   the file gives them; src/policy/services.ts resolves them (or derives them from the selector when the file
//   has none for a Service). Unknown fields are ignored as in a Pod.
// Errors: parseClusterYaml either returns a complete Cluster or throws one PolicyInputError listing every issue as
// `<file>: document <i>[ item <j>] (<Kind> <ns>/<name>): <field path>: <message>` (0-based indices), or
// `<file>:<line>:<column>: document <i>: YAML syntax error: <message>`.
import { readFileSync } from 'node:fs';
import { parseAllDocuments, stringify } from 'yaml';
import { z } from 'zod';
import type {
  Cluster,
  ClusterEndpointAddress,
  ClusterEndpoints,
  ClusterNamespace,
  ClusterNode,
  ClusterPod,
  ClusterService,
  ContainerPort,
  NetworkPolicy,
} from './types.ts';
import { ServiceSchema, EndpointsSchema, EndpointSliceSchema, SERVICE_NAME_LABEL, NODE_ID_ANNOTATION, NAMESPACE_NAME_LABEL, type PolicyInputIssue, PolicyInputError, YAML_OPTIONS, ipv4Problem, NetworkPolicySpecSchema, NamespaceSchema, NodeSchema, PodSchema, NetworkPolicySchema, KINDS, type Kind, isKind, describeValue, zodMessage, fieldPath, type Where, issueAt, zodIssues, isRecord, dropNullFields, objectLabel } from './yaml-schema.ts';
export { NAMESPACE_NAME_LABEL, NODE_ID_ANNOTATION, SERVICE_NAME_LABEL, PolicyInputError, type PolicyInputIssue } from './yaml-schema.ts';
export { clusterToYaml, policiesToYaml, PLACEHOLDER_CONTAINER } from './yaml-write.ts';

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
  | { kind: 'NetworkPolicy'; where: Where; value: z.infer<typeof NetworkPolicySchema> }
  | { kind: 'Service'; where: Where; value: z.infer<typeof ServiceSchema> }
  | { kind: 'Endpoints'; where: Where; value: z.infer<typeof EndpointsSchema> }
  | { kind: 'EndpointSlice'; where: Where; value: z.infer<typeof EndpointSliceSchema> };

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
    issues.push(issueAt(where, 'kind', `unsupported kind ${JSON.stringify(kind)} (podflow reads Namespace, Node, Pod, NetworkPolicy, Service, Endpoints and EndpointSlice, also as items of a List or <Kind>List)`));
    return undefined;
  }
  const apiVersion = KINDS[kind].apiVersion;
  if (obj.apiVersion !== apiVersion) {
    issues.push(issueAt(where, 'apiVersion', obj.apiVersion === undefined ? 'required' : `expected ${JSON.stringify(apiVersion)} for ${kind}, got ${describeValue(obj.apiVersion)}`));
    return undefined;
  }
  const schema = { Namespace: NamespaceSchema, Node: NodeSchema, Pod: PodSchema, NetworkPolicy: NetworkPolicySchema, Service: ServiceSchema, Endpoints: EndpointsSchema, EndpointSlice: EndpointSliceSchema }[kind];
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

function toService(name: string, namespace: string, spec: z.infer<typeof ServiceSchema>['spec']): ClusterService {
  const svc: ClusterService = {
    name,
    namespace,
    type: spec.type ?? 'ClusterIP',
    externalIPs: spec.externalIPs ?? [],
    ports: (spec.ports ?? []).map((q) => {
      const port: ClusterService['ports'][number] = { name: q.name ?? '', protocol: q.protocol ?? 'TCP', port: q.port };
      if (q.targetPort !== undefined) port.targetPort = q.targetPort;
      if (q.nodePort !== undefined) port.nodePort = q.nodePort;
      return port;
    }),
  };
  const ipv4 = (spec.clusterIPs ?? []).find((ip) => !ip.includes(':'));
  const clusterIP = spec.clusterIP !== undefined && spec.clusterIP !== '' ? spec.clusterIP : ipv4;
  if (clusterIP !== undefined) svc.clusterIP = clusterIP;
  if (spec.clusterIPs !== undefined) svc.clusterIPs = spec.clusterIPs;
  if (spec.externalTrafficPolicy !== undefined) svc.externalTrafficPolicy = spec.externalTrafficPolicy;
  if (spec.selector !== undefined) svc.selector = spec.selector;
  if (spec.externalName !== undefined) svc.externalName = spec.externalName;
  return svc;
}

function toAddress(ip: string, ready: boolean, nodeName: string | undefined, ref: { kind?: string | undefined; namespace?: string | undefined; name?: string | undefined } | undefined, ports: ClusterEndpointAddress['ports']): ClusterEndpointAddress {
  const a: ClusterEndpointAddress = { ip, ready, ports };
  if (nodeName !== undefined && nodeName !== '') a.nodeName = nodeName;
  if (ref?.name !== undefined) {
    a.targetRef = { kind: ref.kind ?? '', name: ref.name };
    if (ref.namespace !== undefined) a.targetRef.namespace = ref.namespace;
  }
  return a;
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
  declared: Record<Kind, number>;
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
  const declared: ClusterDump['declared'] = { Namespace: 0, Node: 0, Pod: 0, NetworkPolicy: 0, Service: 0, Endpoints: 0, EndpointSlice: 0 };
  const services: ClusterService[] = [];
  const endpoints: ClusterEndpoints[] = [];
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
      case 'Service': {
        const namespace = meta.namespace ?? 'default';
        mentionNamespace(namespace);
        services.push(toService(meta.name, namespace, p.value.spec));
        break;
      }
      case 'Endpoints': {
        const namespace = meta.namespace ?? 'default';
        mentionNamespace(namespace);
        const addresses: ClusterEndpointAddress[] = [];
        for (const subset of p.value.subsets ?? []) {
          const ports = (subset.ports ?? []).map((q) => ({ name: q.name ?? '', port: q.port, protocol: q.protocol ?? 'TCP' }));
          for (const [list, ready] of [[subset.addresses, true], [subset.notReadyAddresses, false]] as const) {
            for (const a of list ?? []) addresses.push(toAddress(a.ip, ready, a.nodeName, a.targetRef, ports));
          }
        }
        endpoints.push({ namespace, service: meta.name, from: `Endpoints ${namespace}/${meta.name}`, kind: 'Endpoints', addresses });
        break;
      }
      case 'EndpointSlice': {
        const namespace = meta.namespace ?? 'default';
        mentionNamespace(namespace);
        const slice = p.value;
        const from = `EndpointSlice ${namespace}/${meta.name}`;
        // IPv6 and FQDN slices have no place in the IPv4 data path; a port without a number means "every port"
        // (left to the consumer by the API), which no NAT mapping can express: both are left out.
        if (slice.addressType !== 'IPv4') break;
        const ports = (slice.ports ?? []).filter((q) => q.port !== undefined).map((q) => ({ name: q.name ?? '', port: q.port!, protocol: q.protocol ?? 'TCP' }));
        const addresses = (slice.endpoints ?? []).map((e) => toAddress(e.addresses[0]!, e.conditions?.ready ?? true, e.nodeName, e.targetRef, ports));
        endpoints.push({ namespace, service: meta.labels![SERVICE_NAME_LABEL]!, from, kind: 'EndpointSlice', addresses });
        break;
      }
    }
  }
  if (issues.length > 0) throw new PolicyInputError(sortByPlace(issues));
  const cluster: Cluster = { nodes: [...nodes.values()], namespaces: [...namespaces.values()], pods, policies };
  if (services.length > 0) cluster.services = services;
  if (endpoints.length > 0) cluster.endpoints = endpoints;
  return { cluster, hostNetwork, skipped, nodeAddresses, declared };
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
