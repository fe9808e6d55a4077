// Usage: PODFLOW_VPP_LAB=<lab.yaml of a fresh 2-node lab> npx tsx scripts/lab-goldens-capture.ts [scenario...]
// Captures the raw `show trace` of each lab node for each packet of the lab golden scenarios.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readLabFile } from '../src/adapters/vpp/lab-file.ts';
import { VppAdapter } from '../src/adapters/vpp/vpp-adapter.ts';
import { adapterTopology } from '../src/properties/resolve.ts';
import { parseScenario } from '../src/reference/scenario.ts';
import { Simulation } from '../src/reference/simulate.ts';
import type { AdapterAclConfig } from '../src/adapters/adapter.ts';

const DIR = 'test/fixtures/traces/vpp-26.06';
const lab = readLabFile(process.env.PODFLOW_VPP_LAB!);
const only = process.argv.slice(2);
for (const f of readdirSync(`${DIR}/scenarios`).filter((x) => x.endsWith('.json'))) {
  const name = f.replace(/\.json$/, '');
  if (only.length > 0 && !only.includes(name)) continue;
  const sc = parseScenario(JSON.parse(readFileSync(`${DIR}/scenarios/${f}`, 'utf8')), f);
  const sim = new Simulation(sc, 'vpp-current');
  const a = new VppAdapter(lab, {});
  await a.setup(adapterTopology(sim.topology));
  await a.apply((sc.acls ?? {}) as AdapterAclConfig);
  for (const [i, p] of sc.packets.entries()) {
    const pod = 'pod' in p.from ? sim.topology.podByName.get(p.from.pod)! : undefined;
    const frame = pod ? sim.podFrame(pod, p.layers ?? []) : p.bytes!;
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
  }
  await a.teardown();
}
