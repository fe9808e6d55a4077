// The model's table of diagram features and seed steps (reference/node-features.ts): every graph node of the
// model has a row, both profiles' spellings resolve to it, and a name the table does not know stays unmapped.
import { describe, expect, test } from 'vitest';
import { NODE_NAMES } from '../../../src/reference/node-names.ts';
import { FEATURE_STEPS, NODE_FEATURES, nodeFeatureRow, SEED_STEP_TEXT, seedStepOf } from '../../../src/reference/node-features.ts';
import { PROFILES } from '../../../src/reference/profiles.ts';
import { hopFeatures } from '../../../src/cli/report/svg.ts';

describe('node features', () => {
  test('every NODE_NAMES entry has a row, for itself', () => {
    for (const n of NODE_NAMES) expect(NODE_FEATURES.get(n)?.node, n).toBe(n);
  });

  test("both profiles' NAT44 spellings are rows of the model's NAT44 nodes", () => {
    for (const p of Object.values(PROFILES)) for (const [model, spelled] of Object.entries(p.natNodeNames)) expect(nodeFeatureRow(spelled)?.node, spelled).toBe(model);
    const f = (nodes: string[]): string[] => hopFeatures({ nodeId: 1, nodes }).map((s) => s.feature);
    expect(f(['dpdk-input', 'ip4-input', 'acl-plugin-in-ip4-fa', 'nat44-ed-out2in'])).toEqual(f(['dpdk-input', 'ip4-input', 'acl-plugin-in-ip4-fa', 'nat44-out2in']));
    expect(f(['virtio-input', 'nat44-ed-in2out', 'ip4-lookup', 'nat44-ed-in2out-output'])).toEqual(['tap', 'nat-in2out', 'vrf', 'nat-in2out-output']);
  });

  test('interface-output and interface-tx print the interface: `<ifc>-output` and `<ifc>-tx` are theirs', () => {
    expect(nodeFeatureRow('tap12-output')).toMatchObject({ node: 'interface-output', ifName: 'tap12' });
    expect(nodeFeatureRow('GigabitEthernet0/8/0-tx')).toMatchObject({ node: 'interface-tx', ifName: 'GigabitEthernet0/8/0' });
    expect(nodeFeatureRow('l2-output')?.node).toBe('l2-output');
  });

  test('a node the table does not know is unmapped: no feature guessed, no seed step', () => {
    expect(nodeFeatureRow('ip4-mfib-forward-lookup')).toBeUndefined();
    const steps = hopFeatures({ nodeId: 1, nodes: ['virtio-input', 'ip4-mfib-forward-lookup', 'error-drop'] });
    expect(steps.map((s) => s.feature)).toEqual(['tap', 'unmapped', 'tap']);
    expect(steps[1]!.seedStep).toBeUndefined();
  });

  test('every seed step the table names has its text (the same-node SN- steps are numbered, not described)', () => {
    const named = new Set<string>();
    for (const m of Object.values(FEATURE_STEPS)) for (const s of Object.values(m)) named.add(s);
    for (const row of NODE_FEATURES.values()) for (const m of Object.values(row.steps ?? {})) for (const s of Object.values(m)) named.add(s);
    for (const s of named) if (!s.startsWith('SN-')) expect(SEED_STEP_TEXT[s], s).toBeDefined();
    expect(seedStepOf(NODE_FEATURES.get('vxlan4-encap'), 'vxlan', 'request-sender')).toBe('q8');
    expect(seedStepOf(NODE_FEATURES.get('ip4-lookup'), 'vxlan', 'request-sender')).toBe('q9');
  });
});
