// parseClusterDump and dumpNodeIds: a kubectl dump read into a Cluster, the pods the data path has no place for
// set aside with their reasons, node IDs taken from the addresses Contiv derived from them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { dumpNodeIds } from '../../src/policy/dump.ts';
import { parseClusterDump, parseClusterYaml } from '../../src/policy/yaml.ts';

const FIXTURE = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'kubectl', 'cluster-dump.yaml'), 'utf8');

function pod(name: string, spec: string, status?: string): string {
  return `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}}\nspec: {${spec}}\n${status ? `status: {${status}}\n` : ''}`;
}

describe('parseClusterDump', () => {
  test('the fixture: pods on the pod network, host-network pods, the Pending pod, InternalIPs', () => {
    const d = parseClusterDump(FIXTURE, 'dump.yaml');
    expect(d.cluster.pods.map((p) => `${p.namespace}/${p.name}@${p.nodeName}=${p.ip}`)).toEqual([
      'default/backend-6d9f8c7b5-x2v9q@gpu-worker=10.1.2.4',
      'default/frontend-7b8c9d6f4-k7r4m@gpu-worker=10.1.2.3',
      'kube-system/coredns-76f75df574-h6xvt@k8s-master=10.1.1.2',
      'shop/db-0@k8s-master=10.1.1.5',
      'default/backend-5c8d7f9b6-m4pz8@k8s-master=10.1.1.6',
      'default/backend-5c8d7f9b6-t7wq2@gpu-worker=10.1.2.7',
    ]);
    expect(d.hostNetwork).toEqual([
      { namespace: 'kube-system', name: 'kube-proxy-5xk2p', nodeName: 'k8s-master', ip: '192.168.16.1' },
      { namespace: 'kube-system', name: 'kube-proxy-q8w7d', nodeName: 'gpu-worker', ip: '192.168.16.2' },
    ]);
    expect(d.skipped).toEqual([{ namespace: 'default', name: 'nightly-report-28890417-bq6tz', reason: 'not scheduled to a node (no spec.nodeName, phase Pending)' }]);
    expect([...d.nodeAddresses]).toEqual([['gpu-worker', '192.168.16.2'], ['k8s-master', '192.168.16.1']]);
    expect(d.declared).toEqual({ Namespace: 3, Node: 2, Pod: 9, NetworkPolicy: 3, Service: 7, Endpoints: 5, EndpointSlice: 2 });
    expect(d.cluster.namespaces.find((n) => n.name === 'shop')!.labels).toEqual({ 'kubernetes.io/metadata.name': 'shop', team: 'shop' });
  });

  test('pods without an IP yet, ended pods and host-network pods with duplicate IPs are set aside', () => {
    const text = [
      pod('creating', 'nodeName: n1', 'phase: Pending'),
      pod('done', 'nodeName: n1', 'phase: Succeeded, podIP: 10.1.1.2'),
      pod('running', 'nodeName: n1', 'phase: Running, podIP: 10.1.1.2'),
      pod('etcd', 'nodeName: n1, hostNetwork: true', 'phase: Running, podIP: 192.168.16.1'),
      pod('apiserver', 'nodeName: n1, hostNetwork: true', 'phase: Running, podIP: 192.168.16.1'),
      pod('manifest', 'nodeName: n1'),
    ].join('---\n');
    const d = parseClusterDump(text, 'x.yaml');
    expect(d.cluster.pods.map((p) => [p.name, p.ip])).toEqual([['running', '10.1.1.2'], ['manifest', undefined]]);
    expect(d.skipped.map((p) => `${p.name}: ${p.reason}`)).toEqual(['creating: no IP yet (no status.podIP, phase Pending)', 'done: phase Succeeded: its containers have ended and its IP is released']);
    expect(d.hostNetwork.map((p) => p.name)).toEqual(['etcd', 'apiserver']);
  });

  test('parseClusterYaml still requires spec.nodeName and reads a host-network pod as an ordinary pod', () => {
    expect(() => parseClusterYaml(pod('p', 'containers: []'), 'm.yaml')).toThrow('m.yaml: document 0 (Pod default/p): spec.nodeName: required');
    expect(parseClusterYaml(pod('h', 'nodeName: n1, hostNetwork: true'), 'm.yaml').pods.map((p) => p.name)).toEqual(['h']);
  });

  test('a non-boolean hostNetwork is an error naming the field', () => {
    expect(() => parseClusterDump(pod('h', 'nodeName: n1, hostNetwork: "true"'), 'h.yaml')).toThrow('h.yaml: document 0 (Pod default/h): spec.hostNetwork: expected a boolean');
  });
});

describe('dumpNodeIds', () => {
  const node = (name: string, ip?: string, id?: number): string =>
    `apiVersion: v1\nkind: Node\nmetadata: {name: ${name}${id ? `, annotations: {podflow.io/node-id: "${id}"}` : ''}}\n${ip ? `status: {addresses: [{type: Hostname, address: ${name}}, {type: InternalIP, address: ${ip}}]}\n` : ''}`;

  test('pinned IDs win, then the pods\' IPs, then the InternalIP, then the smallest unused', () => {
    const text = [
      node('a', '192.168.16.7'),
      node('b', '192.168.16.3'),
      node('c', '10.0.0.5'),
      node('d', undefined, 3),
      pod('pa', 'nodeName: a', 'phase: Running, podIP: 10.1.9.4'),
    ].join('---\n');
    const { cluster, origins } = dumpNodeIds(parseClusterDump(text, 'n.yaml'));
    expect(cluster.nodes.map((n) => [n.name, n.id])).toEqual([['a', 9], ['b', undefined], ['c', undefined], ['d', 3]]);
    expect(origins.get('a')).toBe("its pods' IPs are in 10.1.9.0/24");
    // b's InternalIP names ID 3, which d holds: b is numbered like any node (1), as is c (2)
    expect(origins.get('b')).toBe('smallest unused (no pod IP or InternalIP names one)');
    expect(origins.get('d')).toBe('annotation podflow.io/node-id');
  });

  test('an InternalIP inside the node interconnect network names the ID', () => {
    const { cluster, origins } = dumpNodeIds(parseClusterDump([node('node-z', '192.168.16.4'), node('node-y', '192.168.16.1')].join('---\n'), 'n.yaml'));
    expect(cluster.nodes.map((n) => [n.name, n.id])).toEqual([['node-z', 4], ['node-y', 1]]);
    expect(origins.get('node-z')).toBe('its InternalIP 192.168.16.4 is node IP 4 of 192.168.16.0/24');
  });
});
