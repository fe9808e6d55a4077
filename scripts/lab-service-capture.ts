// Usage: PODFLOW_VPP_LAB=<lab.yaml of a fresh 2-node lab> npx tsx scripts/lab-service-capture.ts [service|service-self]
// Captures the raw `show trace` of each lab node for a Service connection (test/fixtures/traces/vpp-26.06/
// service-scenarios/service.json): the vpp adapter configures the cluster; the Service is configured by hand with
// vppctl as Contiv renders it (docs/datapath.md §16.2) — the twice-NAT pool, one load-balancing static mapping with
// self-twice-nat and out2in-only, the backend's interface NAT44 `in` — then the SYN to the cluster IP and the SYN-ACK
// of the backend the lab chose. Prints `show nat44 sessions` of each node after each packet.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { readLabFile } from '../src/adapters/vpp/lab-file.ts';
import { VppAdapter } from '../src/adapters/vpp/vpp-adapter.ts';
import { adapterTopology } from '../src/properties/resolve.ts';
import { parseScenario } from '../src/reference/scenario.ts';
import { renderServices } from '../src/reference/services.ts';
import { Simulation } from '../src/reference/simulate.ts';
import { ip4ToString } from '../src/packet/index.ts';

const DIR = 'test/fixtures/traces/vpp-26.06';
const lab = readLabFile(process.env.PODFLOW_VPP_LAB!);
const NAME = process.argv[2] ?? 'service';
if (!/^service(-self)?$/.test(NAME)) throw new Error(`unknown capture '${NAME}' (service | service-self)`);
const sc = parseScenario(JSON.parse(readFileSync(`${DIR}/service-scenarios/${NAME}.json`, 'utf8')), `${NAME}.json`);
const sim = new Simulation(sc, 'vpp-current');
const a = new VppAdapter(lab, {});
await a.setup(adapterTopology(sim.topology));
await a.apply({});
const cli = (n: (typeof lab.nodes)[number], ...args: string[]): string => execFileSync(n.vppctl[0]!, [...n.vppctl.slice(1), ...args], { encoding: 'utf8' });
const rendered = renderServices(sim.topology, sc.services ?? []);
for (const n of lab.nodes) {
  const ns = rendered.get(n.id)!;
  const cmds = [`nat44 add address ${ip4ToString(ns.twiceNatPool)} twice-nat`];
  for (const m of ns.mappings) {
    const locals = m.locals.map((l) => `local ${ip4ToString(l.addr)}:${l.port} probability ${l.probability}`).join(' ');
    cmds.push(`nat44 add load-balancing static mapping protocol ${m.proto === 6 ? 'tcp' : 'udp'} external ${ip4ToString(m.external)}:${m.externalPort} ${locals} self-twice-nat out2in-only`);
  }
  const node = sim.topology.nodeById.get(n.id)!;
  for (const pod of ns.backendPods) cmds.push(`set interface nat44 in ${node.pods.find((p) => p.name === pod)!.tap.name}`);
  for (const c of cmds) {
    const out = cli(n, ...c.split(' '));
    console.log(`node ${n.id}: ${c}${out.trim() ? ` → ${out.trim()}` : ''}`);
  }
}
const inject = async (i: number, file: string, dstPort?: number): Promise<string[]> => {
  const p = sc.packets[i]!;
  const pod = 'pod' in p.from ? sim.topology.podByName.get(p.from.pod)! : undefined;
  const layers = (p.layers ?? []).map((l) => (dstPort !== undefined && l.kind === 'tcp' ? { ...l, dstPort } : l));
  const frame = pod ? sim.podFrame(pod, layers) : p.bytes!;
  const obs = await a.inject([{ packet: i, at: p.at, from: p.from, frame }]);
  for (const n of lab.nodes) {
    const text = cli(n, 'show', 'trace');
    console.log(`node ${n.id} sessions after ${p.label}:\n${cli(n, 'show', 'nat44', 'sessions')}`);
    if (!/Packet 1/.test(text)) continue;
    writeFileSync(`${DIR}/${file}.node${n.id}.txt`, text);
    console.log('wrote', `${DIR}/${file}.node${n.id}.txt`);
  }
  return (obs.outcomes?.get(i) ?? []).map((o) => `${o.kind}${'pod' in o ? ` ${o.pod}` : ''}`);
};
const syn = await inject(0, `${NAME}.syn`);
console.log('syn:', syn);
// the backend the lab chose: the session's inside address on the client's node
const chosen = /i2o (\S+) proto TCP port 8080/.exec(cli(lab.nodes[0]!, 'show', 'nat44', 'sessions'))?.[1];
console.log('chosen backend:', chosen);
// the scenario's SYN-ACK comes from 10.1.1.3 (the choice of the stored captures; for service-self, to the twice-NAT
// address and port the scenario names: the script prints the session to check it); another choice stops here
// self-access: VPP draws the twice-NAT port; the reply goes to it (set the scenario's syn-ack dstPort to the printed one)
const twicePort = NAME === 'service-self' ? Number(/rewrite: saddr 10\.1\.1\.254 sport (\d+)/.exec(cli(lab.nodes[0]!, 'show', 'nat44', 'sessions'))?.[1]) : undefined;
if (twicePort !== undefined) console.log('twice-NAT port:', twicePort);
if (chosen === '10.1.1.3') console.log('syn-ack:', await inject(1, `${NAME}.syn-ack`, twicePort));
else console.log(`the lab chose ${chosen}: run again on a fresh lab for the stored scenario's backend`);
await a.teardown();
