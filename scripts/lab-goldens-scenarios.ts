// Usage: npx tsx scripts/lab-goldens-scenarios.ts (writes test/fixtures/traces/vpp-26.06/scenarios/*.json)
// Generates the lab golden scenarios: one cluster (client isolated for ingress; web on node 2 accepts TCP 8080
// from client; web-same on node 1 accepts anything from client), pinned to the lab's interface numbering.
import { writeFileSync, mkdirSync } from 'node:fs';
import { renderCluster } from '../src/policy/contiv/render.ts';
import { adapterAcls } from '../src/properties/harness.ts';
import type { Cluster } from '../src/policy/types.ts';

const cluster: Cluster = {
  nodes: [{ name: 'node1' }, { name: 'node2' }],
  namespaces: [{ name: 'default', labels: {} }],
  pods: [
    { name: 'client', namespace: 'default', labels: { app: 'client' }, nodeName: 'node1', containerPorts: [] },
    { name: 'web-same', namespace: 'default', labels: { app: 'web-same' }, nodeName: 'node1', containerPorts: [] },
    { name: 'web', namespace: 'default', labels: { app: 'web' }, nodeName: 'node2', containerPorts: [] },
  ],
  policies: [
    { name: 'client', namespace: 'default', podSelector: { matchLabels: { app: 'client' } }, policyTypes: ['Ingress'], ingress: [] },
    { name: 'web', namespace: 'default', podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }] },
    { name: 'web-same', namespace: 'default', podSelector: { matchLabels: { app: 'web-same' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }] }] },
  ],
} as Cluster;
const r = renderCluster(cluster);
const acls = adapterAcls(r);
// attachments by the lab's names: the rendered topology's tap<N> is pg<N> here
for (const n of Object.values(acls)) for (const a of n.attach) a.interface = a.interface.replace(/^tap(\d+)$/, (_, k) => `pg${k}`);
const ip = (name: string) => { const p = r.topology.podByName.get(`default/${name}`)!; return [p.ip >>> 24, (p.ip >>> 16) & 255, (p.ip >>> 8) & 255, p.ip & 255].join('.'); };
const C = ip('client'), W = ip('web'), S = ip('web-same');
const topology = {
  nodes: r.topology.nodes.map((n) => ({
    id: n.id, name: n.name,
    gbe: { name: 'host-gbe', driver: 'af_packet', swIfIndex: 1 },
    loop0: { swIfIndex: 2 }, tap0: { swIfIndex: 3 },
    tunnels: Object.fromEntries([...n.tunnels].map(([rid]) => [String(rid), { swIfIndex: 4, instance: 0 }])),
    pods: n.pods.map((p, i) => ({ name: p.name, labels: p.labels, tap: { name: `pg${5 + i}`, swIfIndex: 5 + i, driver: 'packet-generator' } })),
  })),
};
const tcp = (src: string, dst: string, sp: number, dp: number, flags: number, extra: object = {}) => [{ kind: 'ipv4', src, dst, ...extra }, { kind: 'tcp', srcPort: sp, dstPort: dp, flags, window: 65535 }];
const scenarios: Record<string, { description: string; packets: object[] }> = {
  'cross-node': { description: 'TCP SYN from client (node 1) to web (node 2) port 8080, allowed by web\'s policy, and web\'s SYN-ACK back', packets: [
    { label: 'syn', from: { pod: 'default/client' }, frame: tcp(C, W, 40001, 8080, 0x02) },
    { label: 'syn-ack', from: { pod: 'default/web' }, frame: tcp(W, C, 8080, 40001, 0x12) } ] },
  'same-node': { description: 'TCP SYN from client to web-same on node 1 and the SYN-ACK back', packets: [
    { label: 'syn', from: { pod: 'default/client' }, frame: tcp(C, S, 40002, 8080, 0x02) },
    { label: 'syn-ack', from: { pod: 'default/web-same' }, frame: tcp(S, C, 8080, 40002, 0x12) } ] },
  denied: { description: 'TCP SYN from client to web port 9999: denied by the output ACL of web\'s interface on node 2', packets: [
    { label: 'syn', from: { pod: 'default/client' }, frame: tcp(C, W, 40003, 9999, 0x02) } ] },
  'reply-without-session': { description: 'a SYN-ACK from web-same to client without any request before: client is isolated, its interface\'s output ACL denies it', packets: [
    { label: 'syn-ack', from: { pod: 'default/web-same' }, frame: tcp(S, C, 8080, 40004, 0x12) } ] },
  'icmp-echo': { description: 'ICMP echo request client → web-same and its reply: the reply passes client\'s output ACL by the request\'s session (inversion)', packets: [
    { label: 'request', from: { pod: 'default/client' }, frame: [{ kind: 'ipv4', src: C, dst: S }, { kind: 'icmp', type: 8, id: 77, seq: 1 }] },
    { label: 'reply', from: { pod: 'default/web-same' }, frame: [{ kind: 'ipv4', src: S, dst: C }, { kind: 'icmp', type: 0, id: 77, seq: 1 }] } ] },
  udp: { description: 'UDP from client to web-same port 5353', packets: [
    { label: 'datagram', from: { pod: 'default/client' }, frame: [{ kind: 'ipv4', src: C, dst: S }, { kind: 'udp', srcPort: 40005, dstPort: 5353 }, { kind: 'raw', data: '68656c6c6f' }] } ] },
  'ttl-expiry': { description: 'TCP SYN from client to web with TTL 1: ip4-rewrite answers time exceeded', packets: [
    { label: 'syn', from: { pod: 'default/client' }, frame: tcp(C, W, 40006, 8080, 0x02, { ttl: 1 }) } ] },
  'unknown-pod': { description: 'TCP SYN from client to 10.1.1.99, an address of node 1\'s pod network that no pod has', packets: [
    { label: 'syn', from: { pod: 'default/client' }, frame: tcp(C, '10.1.1.99', 40007, 8080, 0x02) } ] },
};
mkdirSync('test/fixtures/traces/vpp-26.06/scenarios', { recursive: true });
for (const [name, s] of Object.entries(scenarios)) {
  const json = { version: 1, name: `lab 26.06: ${name}`, description: `${s.description}. Topology pinned to the podflow lab's numbering (host-gbe 1, loop0 2, loop1 = tap0 3, vxlan_tunnel0 4, pg<N> = tap<N>); ACL tables as Contiv renders the policies client (ingress isolated), web (TCP 8080 from client), web-same (anything from client).`, profile: 'vpp-current', topology, acls, packets: s.packets };
  writeFileSync(`test/fixtures/traces/vpp-26.06/scenarios/${name}.json`, JSON.stringify(json, null, 2) + '\n');
}
console.log(C, W, S);
