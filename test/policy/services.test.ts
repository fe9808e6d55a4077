// Services, Endpoints and EndpointSlices as input (src/policy/yaml.ts, yaml-schema.ts): one line per problem naming
// the file, the object and the field; and their resolution into what Contiv renders (src/policy/services.ts,
// docs/datapath.md §16.1 and §16.9): endpoints from Endpoints, slices or the selector, SCTP, LoadBalancer,
// ExternalName, headless.
import { describe, expect, test } from 'vitest';
import { parseClusterYaml, PolicyInputError } from '../../src/policy/yaml.ts';
import { clusterServices } from '../../src/policy/services.ts';

function errorOf(text: string): string {
  try {
    parseClusterYaml(text, 'svc.yaml');
  } catch (e) {
    if (e instanceof PolicyInputError) return e.message;
    throw e;
  }
  throw new Error('no error');
}

const svc = (spec: string, name = 'web'): string => `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}}\nspec: ${spec}\n`;
const eps = (subsets: string): string => `apiVersion: v1\nkind: Endpoints\nmetadata: {name: web}\nsubsets: ${subsets}\n`;
const slice = (body: string, labels = '{kubernetes.io/service-name: web}'): string => `apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: web-abc, labels: ${labels}}\n${body}\n`;

describe('validation: one line per problem, naming file, object and field', () => {
  test.each<[string, string, string]>([
    ['a Service name that is no RFC 1035 label', svc('{ports: [{port: 80}]}', '1web'), 'svc.yaml: document 0 (Service default/1web): metadata.name: invalid name "1web": a Service name must be an RFC 1035 label'],
    ['an unknown type', svc('{type: Ingress, ports: [{port: 80}]}'), 'svc.yaml: document 0 (Service default/web): spec.type: expected one of "ClusterIP", "NodePort", "LoadBalancer", "ExternalName", got the string "Ingress"'],
    ['a bad cluster IP', svc('{clusterIP: 10.96.0.300, ports: [{port: 80}]}'), 'svc.yaml: document 0 (Service default/web): spec.clusterIP: invalid IPv4 address "10.96.0.300" (expected an IPv4 address, "None" for a headless Service, or "")'],
    ['an IPv6 external IP', svc('{externalIPs: ["fd00::1"], ports: [{port: 80}]}'), 'svc.yaml: document 0 (Service default/web): spec.externalIPs[0]: IPv6 address "fd00::1" is not supported'],
    ['no ports', svc('{selector: {app: web}}'), 'svc.yaml: document 0 (Service default/web): spec.ports: required: a ClusterIP Service needs at least one port'],
    ['a port out of range', svc('{ports: [{port: 0}]}'), 'svc.yaml: document 0 (Service default/web): spec.ports[0].port: expected an integer 1-65535'],
    ['an unnamed port among several', svc('{ports: [{port: 80}, {name: b, port: 81}]}'), 'svc.yaml: document 0 (Service default/web): spec.ports[0].name: required when the Service has more than one port'],
    ['a duplicate port name', svc('{ports: [{name: a, port: 80}, {name: a, port: 81}]}'), 'svc.yaml: document 0 (Service default/web): spec.ports[1].name: duplicate port name "a" (also ports[0].name)'],
    ['a duplicate port', svc('{ports: [{name: a, port: 80}, {name: b, port: 80}]}'), 'svc.yaml: document 0 (Service default/web): spec.ports[1].port: duplicate TCP/80 (also ports[0])'],
    ['a bad named targetPort', svc('{ports: [{port: 80, targetPort: Http_1}]}'), 'svc.yaml: document 0 (Service default/web): spec.ports[0].targetPort: expected an integer 1-65535 or a port name; "Http_1" is not a valid port name'],
    ['a nodePort on a ClusterIP Service', svc('{ports: [{port: 80, nodePort: 30080}]}'), 'svc.yaml: document 0 (Service default/web): spec.ports[0].nodePort: may only be set for type NodePort or LoadBalancer, not ClusterIP'],
    ['a headless NodePort', svc('{type: NodePort, clusterIP: None, ports: [{port: 80}]}'), 'svc.yaml: document 0 (Service default/web): spec.clusterIP: may not be "None" (headless) for type NodePort'],
    ['an ExternalName without its name', svc('{type: ExternalName}'), 'svc.yaml: document 0 (Service default/web): spec.externalName: required for type ExternalName'],
    ['an unknown externalTrafficPolicy', svc('{externalTrafficPolicy: Global, ports: [{port: 80}]}'), 'svc.yaml: document 0 (Service default/web): spec.externalTrafficPolicy: expected one of "Cluster", "Local", got the string "Global"'],
    ['an Endpoints address that is no IPv4', eps('[{addresses: [{ip: 10.1.1.x}], ports: [{port: 80}]}]'), 'svc.yaml: document 0 (Endpoints default/web): subsets[0].addresses[0].ip: invalid IPv4 address "10.1.1.x"'],
    ['Endpoints ports without names', eps('[{addresses: [{ip: 10.1.1.2}], ports: [{port: 80}, {name: b, port: 81}]}]'), 'svc.yaml: document 0 (Endpoints default/web): subsets[0].ports[0].name: required when there is more than one port'],
    ['an Endpoints port out of range', eps('[{addresses: [{ip: 10.1.1.2}], ports: [{port: 70000}]}]'), 'svc.yaml: document 0 (Endpoints default/web): subsets[0].ports[0].port: expected an integer 1-65535'],
    ['a slice without its Service', slice('addressType: IPv4\nendpoints: []', '{app: web}'), 'svc.yaml: document 0 (EndpointSlice default/web-abc): metadata.labels["kubernetes.io/service-name"]: required: the name of the Service this slice belongs to'],
    ['a slice without addressType', slice('endpoints: []'), 'svc.yaml: document 0 (EndpointSlice default/web-abc): addressType: required'],
    ['an IPv4 slice with a bad address', slice('addressType: IPv4\nendpoints: [{addresses: [10.1.1]}]'), 'svc.yaml: document 0 (EndpointSlice default/web-abc): endpoints[0].addresses[0]: invalid IPv4 address "10.1.1" (addressType is IPv4)'],
    ['a slice endpoint without addresses', slice('addressType: IPv4\nendpoints: [{addresses: []}]'), 'svc.yaml: document 0 (EndpointSlice default/web-abc): endpoints[0].addresses: must hold at least one address'],
    ['a non-boolean ready condition', slice('addressType: IPv4\nendpoints: [{addresses: [10.1.1.2], conditions: {ready: "yes"}}]'), 'svc.yaml: document 0 (EndpointSlice default/web-abc): endpoints[0].conditions.ready: expected a boolean, got the string "yes"'],
    ['a wrong apiVersion for EndpointSlice', 'apiVersion: discovery.k8s.io/v1beta1\nkind: EndpointSlice\nmetadata: {name: s}\n', 'svc.yaml: document 0 (EndpointSlice default/s): apiVersion: expected "discovery.k8s.io/v1" for EndpointSlice, got the string "discovery.k8s.io/v1beta1"'],
    ['two Services of one name', `${svc('{ports: [{port: 80}]}')}---\n${svc('{ports: [{port: 81}]}')}`, 'svc.yaml: document 1 (Service default/web): metadata.name: duplicate Service default/web (first in document 0)'],
  ])('%s', (_what, text, line) => {
    const message = errorOf(text);
    expect(message.split('\n')).toHaveLength(1);
    expect(message.startsWith(line), message).toBe(true);
  });

  test('unknown fields of a Service, Endpoints and EndpointSlice are ignored, as kubectl dumps hold many', () => {
    const c = parseClusterYaml(`${svc('{ports: [{port: 80, appProtocol: http}], sessionAffinity: None, ipFamilies: [IPv4]}')}status: {loadBalancer: {}}\n`, 'svc.yaml');
    expect(c.services).toEqual([{ name: 'web', namespace: 'default', type: 'ClusterIP', externalIPs: [], ports: [{ name: '', protocol: 'TCP', port: 80 }] }]);
  });
});

const PODS = `apiVersion: v1
kind: Pod
metadata: {name: a, labels: {app: web}}
spec: {nodeName: n1, containers: [{ports: [{name: http, containerPort: 8080}]}]}
status: {podIP: 10.1.1.2}
---
apiVersion: v1
kind: Pod
metadata: {name: b, labels: {app: web}}
spec: {nodeName: n2, containers: [{ports: [{name: http, containerPort: 9090}]}]}
status: {podIP: 10.1.2.2}
---
apiVersion: v1
kind: Pod
metadata: {name: c, labels: {app: web}}
spec: {nodeName: n2}
status: {podIP: 10.1.2.3}
---
apiVersion: v1
kind: Pod
metadata: {name: other, namespace: shop, labels: {app: web}}
spec: {nodeName: n1, containers: [{ports: [{name: http, containerPort: 8080}]}]}
status: {podIP: 10.1.1.3}
---
`;

function resolve(text: string) {
  const cluster = parseClusterYaml(text, 'svc.yaml');
  const ips = new Map(cluster.pods.filter((p) => p.ip).map((p) => [`${p.namespace}/${p.name}`, p.ip!]));
  return clusterServices(cluster, ips);
}

describe('clusterServices', () => {
  test('without Endpoints the endpoints controller is followed: the selector in the namespace, named targetPorts per pod', () => {
    const r = resolve(`${PODS}${svc('{clusterIP: 10.96.0.20, selector: {app: web}, ports: [{name: web, port: 80, targetPort: http}, {name: admin, port: 81, targetPort: 7000}]}')}`);
    const [web] = r.resolved;
    expect(web!.endpointsFrom).toMatch(/^derived from the selector app=web/);
    expect(web!.notes).toContain('pod default/c is no endpoint of port web: no container port named "http" (TCP)');
    expect(r.specs[0]!.endpoints).toEqual([
      { ip: '10.1.1.2', nodeId: 1, pod: 'default/a', ports: [{ name: 'web', port: 8080 }, { name: 'admin', port: 7000 }] },
      { ip: '10.1.2.2', nodeId: 2, pod: 'default/b', ports: [{ name: 'web', port: 9090 }, { name: 'admin', port: 7000 }] },
      { ip: '10.1.2.3', nodeId: 2, pod: 'default/c', ports: [{ name: 'admin', port: 7000 }] },
    ]);
  });

  test('an Endpoints object wins over slices; not-ready addresses are kept as backends but not rendered', () => {
    const r = resolve(
      `${PODS}${svc('{clusterIP: 10.96.0.20, selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}')}---\n${eps('[{addresses: [{ip: 10.1.1.2, nodeName: n1, targetRef: {kind: Pod, name: a}}], notReadyAddresses: [{ip: 10.1.2.2, nodeName: n2}], ports: [{port: 8080}]}]')}---\n${slice('addressType: IPv4\nendpoints: [{addresses: [10.1.2.3]}]\nports: [{port: 8080}]')}`,
    );
    const [web] = r.resolved;
    expect(web!.endpointsFrom).toBe('Endpoints default/web');
    expect(web!.backends.map((b) => `${b.ip} ${b.ready} ${b.pod}`)).toEqual(['10.1.1.2 true default/a', '10.1.2.2 false default/b']);
    expect(r.specs[0]!.endpoints.map((e) => e.ip)).toEqual(['10.1.1.2']);
    expect(web!.notes[0]).toMatch(/EndpointSlices \(default\/web-abc\) are not read/);
  });

  test('slices: conditions.ready absent is ready, false is not; IPv6 slices are left out', () => {
    const r = resolve(
      `${PODS}${svc('{clusterIP: 10.96.0.20, ports: [{port: 80}]}')}---\n${slice('addressType: IPv4\nendpoints: [{addresses: [10.1.1.2], nodeName: n1}, {addresses: [10.1.2.2], nodeName: n2, conditions: {ready: false}}]\nports: [{port: 8080}]')}---\n${slice('addressType: IPv6\nendpoints: [{addresses: ["fd00::2"]}]\nports: [{port: 8080}]').replace('web-abc', 'web-v6')}`,
    );
    expect(r.resolved[0]!.backends.map((b) => `${b.ip} ${b.ready}`)).toEqual(['10.1.1.2 true', '10.1.2.2 false']);
    expect(r.specs[0]!.endpoints).toEqual([{ ip: '10.1.1.2', nodeId: 1, pod: 'default/a', ports: [{ name: '', port: 8080 }] }]);
  });

  test('SCTP becomes UDP as Contiv renders it, and is left out where that UDP port exists', () => {
    const r = resolve(`${PODS}${svc('{clusterIP: 10.96.0.20, selector: {app: web}, ports: [{name: s, protocol: SCTP, port: 9999}, {name: t, protocol: SCTP, port: 53}, {name: u, protocol: UDP, port: 53}]}')}`);
    expect(r.specs[0]!.ports).toEqual([{ name: 's', protocol: 'UDP', port: 9999 }, { name: 'u', protocol: 'UDP', port: 53 }]);
    expect(r.resolved[0]!.notes).toEqual(expect.arrayContaining([
      'port s is SCTP: Contiv renders it as UDP 9999 (every protocol other than TCP becomes UDP), so SCTP to it is not translated and UDP to it is',
      'port t (SCTP 53) left out: Contiv would render it as UDP 53, which port u already is',
    ]));
  });

  test('LoadBalancer renders as NodePort; ExternalName is skipped; headless keeps no cluster IP mapping; a Service without selector nor Endpoints has none', () => {
    const r = resolve(
      `${PODS}${svc('{type: LoadBalancer, clusterIP: 10.96.0.21, selector: {app: web}, ports: [{port: 80, targetPort: 8080, nodePort: 30001}]}', 'lb')}---\n${svc('{type: ExternalName, externalName: example.com}', 'alias')}---\n${svc('{clusterIP: None, selector: {app: web}, ports: [{port: 80}]}', 'hl')}---\n${svc('{clusterIP: 10.96.0.22, ports: [{port: 80}]}', 'manual')}`,
    );
    expect(r.specs.map((s) => `${s.name} ${s.type} ${s.clusterIP}`)).toEqual(['lb NodePort 10.96.0.21', 'hl ClusterIP None', 'manual ClusterIP 10.96.0.22']);
    expect(r.resolved.find((x) => x.service.name === 'alias')!.skipped).toMatch(/^type ExternalName: a DNS alias of example.com/);
    expect(r.resolved.find((x) => x.service.name === 'hl')!.notes).toContain('headless (clusterIP None): no translation; clients reach the backend pods directly at their own addresses');
    expect(r.resolved.find((x) => x.service.name === 'manual')!.endpointsFrom).toBe('none (no selector, and no Endpoints or EndpointSlice in the file)');
  });

  test('an address on a node the file does not have is left out, with a note; one without nodeName is local everywhere', () => {
    const r = resolve(`${PODS}${svc('{clusterIP: 10.96.0.20, ports: [{port: 443}]}')}---\n${eps('[{addresses: [{ip: 192.168.16.1}, {ip: 10.1.9.9, nodeName: n9}], ports: [{port: 6443}]}]')}`);
    expect(r.specs[0]!.endpoints).toEqual([{ ip: '192.168.16.1', ports: [{ name: '', port: 6443 }] }]);
    expect(r.resolved[0]!.notes).toContain('address 10.1.9.9 left out: its node n9 is not in the file');
  });
});

describe('clusterToYaml with Services', () => {
  test('Services, Endpoints and EndpointSlices are written and read back equal (the kubectl dump fixture)', async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { parseClusterDump, clusterToYaml } = await import('../../src/policy/yaml.ts');
    const cluster = parseClusterDump(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'kubectl', 'cluster-dump.yaml'), 'utf8'), 'dump.yaml').cluster;
    expect(cluster.services).toHaveLength(7);
    expect(cluster.endpoints!.map((e) => e.from)).toEqual([
      'Endpoints default/kubernetes',
      'Endpoints default/backend',
      'Endpoints default/frontend',
      'Endpoints kube-system/kube-proxy-metrics',
      'Endpoints shop/db',
      'EndpointSlice default/backend-8xk2f',
      'EndpointSlice kube-system/kube-dns-zq8vd',
    ]);
    expect(parseClusterYaml(clusterToYaml(cluster), 'again.yaml')).toEqual(cluster);
  });
});
