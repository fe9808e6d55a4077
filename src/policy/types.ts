// The cluster as policies see it: namespaces and pods with labels, and networking.k8s.io/v1 NetworkPolicy with
// every field of the API. Absent and empty are kept apart where the API gives them different meanings. Also the
// cluster's Services (core/v1) and their endpoints (core/v1 Endpoints or discovery.k8s.io/v1 EndpointSlices), as
// read from the files; src/policy/services.ts resolves them into what Contiv renders (docs/datapath.md §16.1).

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

/** metav1.LabelSelector: matchLabels and matchExpressions are ANDed; an empty selector selects everything. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface IPBlock {
  cidr: string;
  except?: string[];
}

export interface NetworkPolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: IPBlock;
}

export type PolicyProtocol = 'TCP' | 'UDP' | 'SCTP';

export interface NetworkPolicyPort {
  /** default TCP */
  protocol?: PolicyProtocol;
  /** a number, or the name of a container port of the destination pod; absent = all ports */
  port?: number | string;
  /** with a numeric port: the range port..endPort */
  endPort?: number;
}

export interface NetworkPolicyIngressRule {
  /** absent or empty: all sources */
  from?: NetworkPolicyPeer[];
  /** absent or empty: all ports */
  ports?: NetworkPolicyPort[];
}

export interface NetworkPolicyEgressRule {
  /** absent or empty: all destinations */
  to?: NetworkPolicyPeer[];
  ports?: NetworkPolicyPort[];
}

export interface NetworkPolicy {
  name: string;
  namespace: string;
  podSelector: LabelSelector;
  /** absent: Ingress, plus Egress when egress rules are present (as the API server fills it in) */
  policyTypes?: ('Ingress' | 'Egress')[];
  ingress?: NetworkPolicyIngressRule[];
  egress?: NetworkPolicyEgressRule[];
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol: PolicyProtocol;
}

export interface ClusterNamespace {
  name: string;
  labels: Record<string, string>;
}

export interface ClusterPod {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  /** the Kubernetes node the pod runs on */
  nodeName: string;
  /** status.podIP when known; otherwise allocated by Contiv's IPAM on its node */
  ip?: string;
  containerPorts: ContainerPort[];
  /**
   * The pod's VPP TAP when it already exists: a running pod keeps its interface while other pods come and go
   * (otherwise numbered from the pod's position on its node, docs/datapath.md §2.4).
   */
  tap?: { name: string; swIfIndex: number };
}

export interface ClusterNode {
  name: string;
  /** Contiv node ID; otherwise the smallest unused positive integer in order of appearance */
  id?: number;
  /**
   * the node's host stack as VPP knows it (docs/datapath.md §17.1): its addresses besides the tap0 host end (the
   * first is the management IP) and the MAC VPP learned for tap0's host end; absent: not learned yet
   */
  host?: { ips?: string[]; mac?: string };
  /** the main NIC's default gateway and its MAC (§17.4); absent: no default route */
  gateway?: { ip: string; mac: string };
}

export interface Cluster {
  /** Contiv's IPAM settings (contiv-vpp.yaml) when not the defaults; not part of the Kubernetes manifests */
  ipam?: {
    podSubnetCidr?: string;
    podNetworkPrefixLen?: number;
    nodeInterconnectCidr?: string;
    vxlanCidr?: string;
  };
  nodes: ClusterNode[];
  namespaces: ClusterNamespace[];
  pods: ClusterPod[];
  policies: NetworkPolicy[];
  /** core/v1 Services, in file order (absent: none) */
  services?: ClusterService[];
  /** the endpoints the files give, one entry per Endpoints object or EndpointSlice (absent: none) */
  endpoints?: ClusterEndpoints[];
}

export type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';

export interface ClusterServicePort {
  /** '' when unnamed (allowed for a Service with one port) */
  name: string;
  protocol: PolicyProtocol;
  port: number;
  /** a number, or the name of a container port of the backend pods; absent: the same as `port` */
  targetPort?: number | string;
  nodePort?: number;
}

/** A core/v1 Service, the fields the data path uses. */
export interface ClusterService {
  name: string;
  namespace: string;
  type: ServiceType;
  /** spec.clusterIP: an IPv4 address, 'None' (headless), or absent (not allocated yet / ExternalName) */
  clusterIP?: string;
  /** spec.clusterIPs beyond what clusterIP says (dual stack); only their IPv4 entry is used */
  clusterIPs?: string[];
  externalIPs: string[];
  externalTrafficPolicy?: 'Cluster' | 'Local';
  /** absent: the Service has no selector, its endpoints are managed by hand */
  selector?: Record<string, string>;
  ports: ClusterServicePort[];
  /** type ExternalName: the DNS name (no data path: Contiv and kube-proxy render nothing) */
  externalName?: string;
}

/** One endpoint address with the ports it serves. */
export interface ClusterEndpointAddress {
  ip: string;
  /** Endpoints: `addresses` (true) or `notReadyAddresses` (false); EndpointSlice: conditions.ready (absent = true) */
  ready: boolean;
  nodeName?: string;
  targetRef?: { kind: string; namespace?: string; name: string };
  ports: { name: string; port: number; protocol: PolicyProtocol }[];
}

/** The endpoints of one Service as one object of the file gives them. */
export interface ClusterEndpoints {
  /** the Service: Endpoints by its own name, an EndpointSlice by its `kubernetes.io/service-name` label */
  namespace: string;
  service: string;
  /** `Endpoints <ns>/<name>` or `EndpointSlice <ns>/<name>`, for messages */
  from: string;
  kind: 'Endpoints' | 'EndpointSlice';
  addresses: ClusterEndpointAddress[];
}

export type L4Protocol = 'TCP' | 'UDP' | 'SCTP' | 'ICMP';

/** A connection attempt between two pods (or an IP outside the cluster) for the semantics to judge. */
export interface Connection {
  src: { pod: string } | { ip: string };
  dst: { pod: string } | { ip: string };
  protocol: L4Protocol;
  /** destination port (ignored for ICMP) */
  port: number;
}
