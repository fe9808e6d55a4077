// The Services, host and outside flows of docs/datapath.md §16 and §17, as tests any real adapter must pass
// (the vpp lab's and the kernel's): a ClusterIP service with a backend on each node, self-access with
// self-twice-NAT, a NodePort reached from outside, pod → outside and back, host → pod and pod → host, and the
// services in the configuration state. Called inside a describe; `make` gives the adapter (set up here).
import { beforeAll, expect, it } from 'vitest';
import { canPerform, configStateDiff, type Adapter, type AdapterServiceConfig, type AdapterTopology, type Capture, type Injection } from '../../src/adapters/adapter.ts';
import { decodePacket, encodePacket, ip4, ip4ToString, mac, type Layer } from '../../src/packet/index.ts';
import { renderCluster } from '../../src/policy/contiv/render.ts';
import { adapterTopology } from '../../src/properties/resolve.ts';
import { POD_MAC } from '../../src/reference/topology/topology.ts';
import { CLIENT_AND_WEB } from './clusters.ts';

const GATEWAY = { ip: '192.168.16.254', mac: '08:00:27:02:a5:36' };
const HOST_MAC = '3e:1b:70:2d:4d:51';
const OUTSIDE = '31.134.97.51';
const VIP = '10.96.0.10';

/** IPv4 and L4 of a captured frame, as text (`src:port>dst:port`), and its Ethernet addresses. */
function flow(c: Capture): { ip: string; ethDst: string; ethSrc: string; srcPort: number; dstPort: number } {
  const layers = decodePacket(c.data).layers;
  const eth = layers.find((l) => l.kind === 'ethernet');
  const ip = layers.find((l) => l.kind === 'ipv4');
  const tcp = layers.find((l) => l.kind === 'tcp');
  if (!eth || !ip || !tcp) throw new Error(`${c.point}: not Ethernet/IPv4/TCP`);
  const m = (x: number): string => x.toString(16).padStart(12, '0').replace(/(..)(?!$)/g, '$1:');
  return { ip: `${ip4ToString(ip.src)}:${tcp.srcPort}>${ip4ToString(ip.dst)}:${tcp.dstPort}`, ethDst: m(eth.dst), ethSrc: m(eth.src), srcPort: tcp.srcPort, dstPort: tcp.dstPort };
}

export function serviceFlowTests(make: () => Promise<Adapter>): void {
  // No policies: what is under test is NAT44 and routing, not the ACLs.
  const r = renderCluster({ ...CLIENT_AND_WEB, policies: [] });
  const base = adapterTopology(r.topology);
  const topology: AdapterTopology = { ...base, nodes: base.nodes.map((n) => ({ ...n, gateway: GATEWAY, host: { ip: `172.30.${n.id}.2/24`, mac: HOST_MAC, addresses: [] } })) };
  const pod = (name: string) => topology.nodes.flatMap((n) => n.pods.map((p) => ({ ...p, node: n }))).find((p) => p.name === `default/${name}`)!;
  const [client, webA, webB] = [pod('client'), pod('web-a'), pod('web-b')];
  const nodeIp = (id: number): string => topology.nodes.find((n) => n.id === id)!.nodeIp.split('/')[0]!;
  // Contiv's rendering (§16.2) written out: the ClusterIP balances over web-a (node 2) and web-b (node 1); the
  // NodePort of node 1 over its local backend only (a sole local: a plain static mapping), so its replies come back
  // through node 1 (with a remote backend they would leave node 2 by its own gateway: nothing undoes the DNAT there).
  const services: AdapterServiceConfig = Object.fromEntries(
    topology.nodes.map((n) => [
      String(n.id),
      {
        twiceNatPool: `10.1.${n.id}.254`,
        inInterfaces: [...n.pods.filter((p) => p.name !== 'default/client').map((p) => p.tap.name), 'loop0', 'tap0'],
        mappings: [
          { service: 'default/web', protocol: 'TCP' as const, external: { ip: VIP, port: 80 }, locals: [{ ip: webA.ip, port: 8080, probability: 1 }, { ip: webB.ip, port: 8080, probability: 1 }] },
          { service: 'default/web', protocol: 'TCP' as const, external: { ip: nodeIp(n.id), port: 30080 }, locals: [{ ip: n.id === 1 ? webB.ip : webA.ip, port: 8080, probability: 0 }] },
        ],
      },
    ]),
  );

  let vpp: Adapter;
  let packet = 0;
  const podFrame = (p: typeof client, layers: Layer[]): Uint8Array => encodePacket([{ kind: 'ethernet', dst: mac(p.tap.mac), src: POD_MAC }, ...layers]);
  const tcp = (src: string, dst: string, sport: number, dport: number, flags: number): Layer[] => [
    { kind: 'ipv4', src: ip4(src), dst: ip4(dst), ttl: 64, flags: 2, id: 1 + packet },
    { kind: 'tcp', srcPort: sport, dstPort: dport, flags, seq: 1, ack: flags & 0x10 ? 2 : 0 },
  ];
  const send = async (from: Injection['from'], frame: Uint8Array): Promise<Capture[]> => {
    const obs = await vpp.inject([{ packet: packet, at: packet++ * 0.001, from, frame }]);
    // what the data path sent (not the injection's own capture)
    return obs.captures.filter((c) => !c.point.endsWith(':tx') && !(('host' in from) && c.point === `node:${from.node}:host` && c.data === frame));
  };
  const fromPod = (p: typeof client, layers: Layer[]) => send({ pod: p.name }, podFrame(p, layers));
  const fromOutside = (node: number, layers: Layer[]) => {
    const n = topology.nodes.find((x) => x.id === node)!;
    return send({ node, wire: true }, encodePacket([{ kind: 'ethernet', dst: mac(n.gbe.mac), src: mac(GATEWAY.mac) }, ...layers]));
  };
  const at = (caps: Capture[], point: string): Capture[] => caps.filter((c) => c.point === point);

  beforeAll(async () => {
    vpp = await make();
    await vpp.setup(topology);
    await vpp.apply({});
    await vpp.applyServices!(services);
  }, 120_000);

  it('ClusterIP: a SYN reaches one backend with the destination translated, the SYN-ACK returns from the service address; both backends are used', async () => {
    const hit = new Set<string>();
    for (let sport = 41000; sport < 41030 && hit.size < 2; sport++) {
      const out = await fromPod(client, tcp(client.ip, VIP, sport, 80, 0x02));
      const got = [...at(out, `pod:${webA.name}:rx`), ...at(out, `pod:${webB.name}:rx`)];
      expect(got, `SYN from port ${sport}: ${out.map((c) => c.point).join(', ')}`).toHaveLength(1);
      const backend = got[0]!.point === `pod:${webA.name}:rx` ? webA : webB;
      hit.add(backend.name);
      expect(flow(got[0]!).ip).toBe(`${client.ip}:${sport}>${backend.ip}:8080`);
      const back = at(await fromPod(backend, tcp(backend.ip, client.ip, 8080, sport, 0x12)), `pod:${client.name}:rx`);
      expect(back).toHaveLength(1);
      expect(flow(back[0]!).ip).toBe(`${VIP}:80>${client.ip}:${sport}`);
    }
    expect([...hit].sort()).toEqual([webA.name, webB.name].sort());
  }, 300_000);

  it('self-access: a backend reaching itself through the service sees the NAT loopback as source (self-twice-NAT)', async () => {
    let self = false;
    for (let sport = 42000; sport < 42030 && !self; sport++) {
      const out = await fromPod(webB, tcp(webB.ip, VIP, sport, 80, 0x02));
      const own = at(out, `pod:${webB.name}:rx`);
      if (own.length === 0) {
        // balanced to the other backend: no twice-NAT, the source stays the pod's
        expect(flow(at(out, `pod:${webA.name}:rx`)[0]!).ip).toBe(`${webB.ip}:${sport}>${webA.ip}:8080`);
        continue;
      }
      self = true;
      const f = flow(own[0]!);
      expect(f.ip).toMatch(new RegExp(`^10\\.1\\.1\\.254:\\d+>${webB.ip.replace(/\./g, '\\.')}:8080$`));
      const back = at(await fromPod(webB, tcp(webB.ip, '10.1.1.254', 8080, f.srcPort, 0x12)), `pod:${webB.name}:rx`);
      expect(back).toHaveLength(1);
      expect(flow(back[0]!).ip).toBe(`${VIP}:80>${webB.ip}:${sport}`);
    }
    expect(self).toBe(true);
  }, 300_000);

  it('NodePort from outside: DNAT to the local backend, the reply leaves on the wire to the gateway from the node port', async () => {
    const out = await fromOutside(1, tcp(OUTSIDE, nodeIp(1), 50000, 30080, 0x02));
    const got = at(out, `pod:${webB.name}:rx`);
    expect(got, out.map((c) => c.point).join(', ')).toHaveLength(1);
    expect(flow(got[0]!).ip).toBe(`${OUTSIDE}:50000>${webB.ip}:8080`);
    const back = at(await fromPod(webB, tcp(webB.ip, OUTSIDE, 8080, 50000, 0x12)), 'node:1:wire');
    expect(back).toHaveLength(1);
    expect(flow(back[0]!)).toMatchObject({ ip: `${nodeIp(1)}:30080>${OUTSIDE}:50000`, ethDst: GATEWAY.mac, ethSrc: topology.nodes[0]!.gbe.mac });
  }, 120_000);

  it('pod → outside leaves to the gateway with the node IP as source; the reply from the gateway reaches the pod', async () => {
    const out = at(await fromPod(client, tcp(client.ip, OUTSIDE, 43000, 80, 0x02)), 'node:1:wire');
    expect(out).toHaveLength(1);
    const f = flow(out[0]!);
    expect(f).toMatchObject({ ethDst: GATEWAY.mac, ethSrc: topology.nodes[0]!.gbe.mac });
    expect(f.ip).toMatch(new RegExp(`^${nodeIp(1).replace(/\./g, '\\.')}:\\d+>${OUTSIDE.replace(/\./g, '\\.')}:80$`));
    const back = at(await fromOutside(1, tcp(OUTSIDE, nodeIp(1), 80, f.srcPort, 0x12)), `pod:${client.name}:rx`);
    expect(back).toHaveLength(1);
    expect(flow(back[0]!).ip).toBe(`${OUTSIDE}:80>${client.ip}:43000`);
  }, 120_000);

  it('host → pod over tap0 and pod → host: delivered untranslated, to the host end\'s MAC', async () => {
    const hostFrame = encodePacket([{ kind: 'ethernet', dst: mac('01:23:45:67:89:42'), src: mac(HOST_MAC) }, ...tcp('172.30.1.2', client.ip, 32966, 8080, 0x02)]);
    const got = at(await send({ node: 1, host: true }, hostFrame), `pod:${client.name}:rx`);
    expect(got).toHaveLength(1);
    expect(flow(got[0]!).ip).toBe(`172.30.1.2:32966>${client.ip}:8080`);
    const back = at(await fromPod(client, tcp(client.ip, '172.30.1.2', 8080, 32966, 0x12)), 'node:1:host');
    expect(back).toHaveLength(1);
    expect(flow(back[0]!)).toMatchObject({ ip: `${client.ip}:8080>172.30.1.2:32966`, ethDst: HOST_MAC, ethSrc: '01:23:45:67:89:42' });
  }, 120_000);

  it('reports the services in its configuration, and removing them leaves the configuration as before', async () => {
    const withServices = await vpp.configState!();
    await vpp.applyServices!({});
    const without = await vpp.configState!();
    // some line names the service address, and none is left once the services are gone
    const naming = (st: typeof without) => Object.values(st).flat().filter((l) => l.includes(VIP));
    expect(naming(withServices).length).toBeGreaterThan(0);
    expect(naming(without)).toEqual([]);
    expect(configStateDiff(withServices, without).length).toBeGreaterThan(0);
    await vpp.applyServices!(services);
    expect(configStateDiff(await vpp.configState!(), withServices)).toEqual([]);
    // a reset forgets sessions, not Services
    await vpp.reset();
    expect(configStateDiff(await vpp.configState!(), withServices)).toEqual([]);
    const out = await fromPod(client, tcp(client.ip, VIP, 44000, 80, 0x02));
    expect([...at(out, `pod:${webA.name}:rx`), ...at(out, `pod:${webB.name}:rx`)]).toHaveLength(1);
  }, 120_000);

  it('a restarted node comes back with its Services, host interconnect and gateway', async () => {
    if (!canPerform(vpp, 'node-restart')) return; // a remote lab: podflow cannot restart its VPPs
    const before = await vpp.configState!();
    await vpp.fault!({ id: 'node-restart', node: 1 });
    expect(configStateDiff(await vpp.configState!(), before)).toEqual([]);
    const svc = await fromPod(client, tcp(client.ip, VIP, 45000, 80, 0x02));
    expect([...at(svc, `pod:${webA.name}:rx`), ...at(svc, `pod:${webB.name}:rx`)]).toHaveLength(1);
    const hostFrame = encodePacket([{ kind: 'ethernet', dst: mac('01:23:45:67:89:42'), src: mac(HOST_MAC) }, ...tcp('172.30.1.2', client.ip, 32967, 8080, 0x02)]);
    expect(at(await send({ node: 1, host: true }, hostFrame), `pod:${client.name}:rx`)).toHaveLength(1);
    expect(at(await fromPod(client, tcp(client.ip, OUTSIDE, 43001, 80, 0x02)), 'node:1:wire')).toHaveLength(1);
  }, 120_000);
}
