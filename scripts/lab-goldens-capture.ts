// Usage: PODFLOW_VPP_LAB=<lab.yaml of a fresh 2-node lab> npx tsx scripts/lab-goldens-capture.ts [--flows] [scenario...]
//   PODFLOW_EVIDENCE=<folder>: also writes there each node's reproduction script (node<N>.vppctl) and, after the
//   last packet, its `show` of the main NIC's features, the ACLs and their attachments and the NAT44 sessions
//   (node<N>.show.txt) — the evidence of a finding.
// Captures the raw `show trace` of each lab node for each packet of the lab golden scenarios
// (test/fixtures/traces/vpp-26.06/scenarios/, or flow-scenarios/ with --flows): the vpp adapter configures the
// cluster, the scenario's ACL tables and its Services (rendered as Contiv does, docs/datapath.md §16.2, through
// Adapter.applyServices), then sends each packet in order — pod frames from their pod, wire and host frames as
// the scenario spells them — and prints each node's `show nat44 sessions` after each packet.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readLabFile } from '../src/adapters/vpp/lab-file.ts';
import { VppAdapter } from '../src/adapters/vpp/vpp-adapter.ts';
import { adapterServiceConfig, adapterTopology } from '../src/properties/resolve.ts';
import { renderServices } from '../src/reference/services.ts';
import { encodePacket } from '../src/packet/index.ts';
import { parseScenario } from '../src/reference/scenario.ts';
import { Simulation } from '../src/reference/simulate.ts';
import type { AdapterAclConfig } from '../src/adapters/adapter.ts';

const DIR = 'test/fixtures/traces/vpp-26.06';
const lab = readLabFile(process.env.PODFLOW_VPP_LAB!);
const flows = process.argv[2] === '--flows';
const SUB = flows ? 'flow-scenarios' : 'scenarios';
const only = process.argv.slice(flows ? 3 : 2);
for (const f of readdirSync(`${DIR}/${SUB}`).filter((x) => x.endsWith('.json'))) {
  const name = f.replace(/\.json$/, '');
  if (only.length > 0 && !only.includes(name)) continue;
  const sc = parseScenario(JSON.parse(readFileSync(`${DIR}/${SUB}/${f}`, 'utf8')), f);
  const sim = new Simulation(sc, 'vpp-current');
  const a = new VppAdapter(lab, {});
  await a.setup(adapterTopology(sim.topology));
  await a.apply((sc.acls ?? {}) as AdapterAclConfig);
  if (sc.services?.length) await a.applyServices(adapterServiceConfig(renderServices(sim.topology, sc.services), sim.topology));
  for (const [i, p] of sc.packets.entries()) {
    const pod = 'pod' in p.from ? sim.topology.podByName.get(p.from.pod)! : undefined;
    const layers = p.layers ?? [];
    // a pod's frame from its pod, a host stack's over tap0 (pg0) with the host end's MAC, a wire frame as given
    const frame = p.bytes ?? (pod ? sim.podFrame(pod, layers) : 'host' in p.from ? sim.hostFrameOf(p.from.node, [...layers]) : encodePacket(layers));
    const obs = await a.inject([{ packet: i, at: p.at, from: p.from, frame }]);
    for (const n of lab.nodes) {
      const text = execFileSync(n.vppctl[0]!, [...n.vppctl.slice(1), 'show', 'trace'], { encoding: 'utf8' });
      if (!/Packet 1/.test(text)) continue;
      // the file name comes from the scenario's own name and label: plain names only, never a path
      const part = `${name}.${p.label ?? i}`;
      if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(part)) throw new Error(`${f}: packet ${i}: label '${p.label}' is not a plain name (letters, digits, '-', '_', '.')`);
      const file = `${DIR}/${part}.node${n.id}.txt`;
      writeFileSync(file, text);
      console.log('wrote', file, (obs.outcomes?.get(i) ?? []).map((o) => o.kind).join(','));
    }
    for (const n of lab.nodes) if (sc.services?.length) console.log(`node ${n.id} sessions after ${p.label ?? i}:\n${execFileSync(n.vppctl[0]!, [...n.vppctl.slice(1), 'show', 'nat44', 'sessions'], { encoding: 'utf8' })}`);
  }
  const evidence = process.env.PODFLOW_EVIDENCE;
  if (evidence) {
    for (const r of a.reproduction()) writeFileSync(`${evidence}/${r.name}`, r.text);
    for (const n of lab.nodes) {
      const show = ['show interface features host-gbe', 'show acl-plugin acl', 'show acl-plugin interface', 'show nat44 sessions detail'];
      const text = show.map((c) => `vpp# ${c}\n${execFileSync(n.vppctl[0]!, [...n.vppctl.slice(1), ...c.split(' ')], { encoding: 'utf8' })}`).join('\n');
      writeFileSync(`${evidence}/node${n.id}.show.txt`, text);
    }
  }
  await a.teardown();
}
