// `npm run bench`: speed figures as JSON on stdout. Targets are read by people from the numbers
// (issue notes), not asserted here. Usage: npm run bench [-- --only packet,pcap] [-- --frames N]
import { parseArgs } from 'node:util';
import { coverageBench } from './coverage.ts';
import { fuzzBench } from './fuzz.ts';
import { mutationBench } from './mutation.ts';
import { kernelBench } from './kernel.ts';
import { vppBench } from './vpp.ts';
import { modelBench } from './model.ts';
import { packetBench } from './packet.ts';
import { policyBench } from './policy.ts';

export interface BenchResult {
  [metric: string]: number | string | boolean | null | BenchResult;
}

const SUITES: Record<string, (opts: { frames: number }) => Promise<BenchResult>> = {
  packet: packetBench,
  model: modelBench,
  policy: policyBench,
  fuzz: fuzzBench,
  coverage: coverageBench,
  mutation: mutationBench,
  kernel: kernelBench,
  vpp: vppBench,
};

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { only: { type: 'string' }, frames: { type: 'string', default: '100000' } } });
  const only = values.only ? values.only.split(',') : Object.keys(SUITES);
  const unknown = only.filter((s) => !(s in SUITES));
  if (unknown.length > 0) {
    process.stderr.write(`bench: unknown suite(s) ${unknown.join(', ')}; known: ${Object.keys(SUITES).join(', ')}\n`);
    process.exit(2);
  }
  const frames = Number(values.frames);
  if (!Number.isInteger(frames) || frames <= 0) {
    process.stderr.write(`bench: --frames must be a positive integer, got '${values.frames}'\n`);
    process.exit(2);
  }
  const out: BenchResult = { node: process.version, cpu: (await import('node:os')).cpus()[0]?.model ?? 'unknown' };
  for (const name of only) {
    process.stderr.write(`bench: ${name}...\n`);
    out[name] = await SUITES[name]!({ frames });
  }
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}

await main();
