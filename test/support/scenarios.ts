// Small scenario builders for model tests: an open cluster (no ACLs) of N nodes with M pods each, and the
// seed scenarios from examples/.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { layersToJson, type Layer } from '../../src/packet/index.ts';
import { parseScenario, type Scenario, type ScenarioInput } from '../../src/reference/scenario.ts';

export const EXAMPLES = join(import.meta.dirname, '..', '..', 'examples');

export function loadExample(name: string): Scenario {
  const file = join(EXAMPLES, name);
  return parseScenario(JSON.parse(readFileSync(file, 'utf8')), file);
}

export function openClusterInput(nodes: number, podsPerNode: number, extra: Partial<ScenarioInput> = {}): ScenarioInput {
  return {
    version: 1,
    topology: {
      nodes: Array.from({ length: nodes }, (_, i) => ({
        id: i + 1,
        pods: Array.from({ length: podsPerNode }, (_, j) => ({ name: `pod-${i + 1}-${j}`, serviceEndpoint: j % 2 === 1 })),
      })),
    },
    ...extra,
  };
}

export function withPackets(input: ScenarioInput, packets: { from: string; layers: Layer[]; at?: number }[]): Scenario {
  return parseScenario({ ...input, packets: packets.map((p) => ({ from: { pod: p.from }, frame: layersToJson(p.layers), ...(p.at !== undefined ? { at: p.at } : {}) })) });
}

/** One node, pods a (10.1.1.2) and b (10.1.1.3), both isolated: b accepts ICMP from a; a accepts only TCP/80 from b. */
export const TWO_ISOLATED: ScenarioInput = {
  version: 1,
  topology: { nodes: [{ id: 1, pods: [{ name: 'a' }, { name: 'b' }] }] },
  acls: {
    '1': {
      tables: [
        { index: 0, tag: 'REFLECTION', rules: [{ action: 'permit+reflect' }] },
        { index: 1, tag: 'local a', rules: [{ action: 'permit', src: '10.1.1.3/32', proto: 6, dport: [80, 80] }, { action: 'deny' }] },
        { index: 2, tag: 'local b', rules: [{ action: 'permit', src: '10.1.1.2/32', proto: 1 }, { action: 'permit', src: '10.1.1.2/32', proto: 6, dport: [8080, 8080] }, { action: 'deny' }] },
      ],
      attach: [
        { interface: 'tap4', input: [0], output: [1] },
        { interface: 'tap5', input: [0], output: [2] },
      ],
    },
  },
};
