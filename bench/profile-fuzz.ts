// Where the fuzzer's time goes on the reference adapter: the default mix (bench/fuzz.ts's loop) after the same
// warm-up, under the CPU profiler. Prints the top functions by self time and the time per source file, and writes
// the profile for DevTools / speedscope. Usage:
//   npx tsx bench/profile-fuzz.ts [--runs 1000] [--top 30] [--only id,id] [--out reports/fuzz.cpuprofile] [--plain]
// --plain: no profiler, only the figures (wall and CPU), for A/B runs of two checkouts.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { ReferenceAdapter } from '../src/adapters/reference/reference-adapter.ts';
import { runProperty } from '../src/cli/fuzz-runner.ts';
import { PROPERTIES } from '../src/properties/index.ts';
import { profiled, saveProfile, selfTimes, selfTimesByFile } from './profile.ts';
import { measureMix } from './fuzz.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '1000' }, top: { type: 'string', default: '30' }, only: { type: 'string' }, out: { type: 'string', default: 'reports/fuzz.cpuprofile' }, plain: { type: 'boolean', default: false } } });
const runs = Number(values.runs);
const only = values.only?.split(',');
const props = PROPERTIES.filter((p) => !only || only.includes(p.id));
const adapter = new ReferenceAdapter();
for (let round = 0; round < 2; round++) for (const p of props) await runProperty(p, adapter, { seed: 99 + round, runs: 500, chunk: 25, groupByTopology: true, interrupted: () => false });
let cases = 0;
let ms = 0;
let cpuMs = 0;
let perProperty: Record<string, number> = {};
const mix = async (): Promise<void> => {
  ({ cases, ms, cpuMs, perProperty } = await measureMix(adapter, props, runs));
};
if (values.plain) {
  await mix();
  process.stdout.write(`${JSON.stringify({ casesPerSecOneWorker: Math.round((cases / ms) * 1000), casesPerCpuSecOneWorker: Math.round((cases / cpuMs) * 1000), casesPerSecByProperty: perProperty })}\n`);
  process.exit(0);
}
const profile = await profiled(mix);
mkdirSync(dirname(values.out), { recursive: true });
saveProfile(profile, values.out);
const top = Number(values.top);
process.stdout.write(`cases/s (under the profiler): ${Math.round((cases / ms) * 1000)}\n`);
for (const [id, n] of Object.entries(perProperty)) process.stdout.write(`  ${id.padEnd(40)} ${n}\n`);
process.stdout.write(`\nself time by function:\n`);
for (const f of selfTimes(profile).slice(0, top)) process.stdout.write(`${f.selfPct.toFixed(1).padStart(5)} %  ${f.fn}\n`);
process.stdout.write(`\nself time by file:\n`);
for (const f of selfTimesByFile(profile).slice(0, top)) process.stdout.write(`${f.selfPct.toFixed(1).padStart(5)} %  ${f.file}\n`);
process.stdout.write(`\nprofile: ${values.out}\n`);
