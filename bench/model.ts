// Reference-model speed: cross-node request walks (SYN through both nodes' VPPs, structured trace records on,
// text rendering off) and same-node walks, per second on one core, on the seed scenarios.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseScenario } from '../src/reference/scenario.ts';
import { Simulation } from '../src/reference/simulate.ts';
import type { BenchResult } from './run.ts';

const EXAMPLES = join(import.meta.dirname, '..', 'examples');

function walksPerSecond(file: string, packetIndex: number, iterations: number): number {
  const scenario = parseScenario(JSON.parse(readFileSync(join(EXAMPLES, file), 'utf8')), file);
  const sim = new Simulation(scenario);
  const p = scenario.packets[packetIndex]!;
  let records = 0;
  // Sessions from the first SYN stay; every later SYN hits the same code path (reflective ACL, no new state).
  for (let i = 0; i < 2000; i++) records += sim.inject(p, i).traces.length;
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) records += sim.inject(p, i).traces.length;
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  if (records === 0) throw new Error('no walks');
  return Math.round(iterations / best);
}

export async function modelBench(): Promise<BenchResult> {
  return {
    crossNodeWalksPerSec: walksPerSecond('seed-pod-to-pod-different-nodes.json', 0, 50_000),
    sameNodeWalksPerSec: walksPerSecond('seed-pod-to-pod-same-node.json', 0, 50_000),
  };
}
