// Golden traces of today's VPP: every lab capture in test/fixtures/traces/vpp-26.06 (`<scenario>.<packet>.node<N>.txt`,
// see test/fixtures/README.md) against the model (profile vpp-current, the scenario's interface drivers: packet-
// generator pods and an af_packet main NIC, as the lab has them), record by record and field by field. Only the
// masks of VOLATILE_LAB are applied, each named; the masked count is printed.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseScenario } from '../../src/reference/scenario.ts';
import { Simulation, type PacketResult } from '../../src/reference/simulate.ts';
import { diffTraces } from '../../src/trace/diff.ts';
import { VOLATILE_LAB } from '../../src/trace/masks.ts';
import { parseTrace } from '../../src/trace/parse.ts';
import type { PacketTrace, TraceRecord } from '../../src/trace/records.ts';
import { renderRecord } from '../../src/trace/render.ts';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'traces', 'vpp-26.06');
const SCENARIOS = readdirSync(join(DIR, 'scenarios')).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, ''));

interface Golden {
  name: string;
  lab: () => PacketTrace;
  model: TraceRecord[];
}

function goldens(): Golden[] {
  const out: Golden[] = [];
  for (const name of SCENARIOS) {
    const file = join(DIR, 'scenarios', `${name}.json`);
    const scenario = parseScenario(JSON.parse(readFileSync(file, 'utf8')), file);
    const sim = new Simulation(scenario, 'vpp-current');
    scenario.packets.forEach((p, i) => {
      const r: PacketResult = sim.inject(p, i);
      for (const t of r.traces) {
        const id = `${name}.${p.label ?? i}.node${t.nodeId}`;
        const text = join(DIR, `${id}.txt`);
        out.push({
          name: id,
          lab: () => {
            expect(existsSync(text), `${id}: the model crosses node ${t.nodeId}, the lab has no capture of it`).toBe(true);
            const parsed = parseTrace(readFileSync(text, 'utf8'));
            expect(parsed.diagnostics).toEqual([]);
            expect(parsed.captures).toHaveLength(1);
            return parsed.captures[0]!;
          },
          model: t.records,
        });
      }
    });
  }
  return out;
}

const ALL = goldens();

describe('golden traces of VPP 26.06: the model (vpp-current, lab drivers) walks what the lab walks', () => {
  test('every lab capture is walked by the model (no capture without a model trace)', () => {
    const captured = readdirSync(DIR).filter((f) => SCENARIOS.some((s) => f.startsWith(`${s}.`)) && f.endsWith('.txt')).map((f) => f.replace(/\.txt$/, ''));
    expect(captured.sort()).toEqual(ALL.map((g) => g.name).sort());
  });

  test.each(ALL)('$name', ({ name, lab, model }) => {
    const expected = lab();
    const diff = diffTraces(expected, { records: model }, VOLATILE_LAB);
    console.log(`golden 26.06 "${name}": ${expected.records.length} records, ${diff.maskedFields} field comparisons masked`);
    expect(diff.first).toBeUndefined();
    expect(model.map((r) => r.node)).toEqual(expected.records.map((r) => r.node));
    // Rendered, every record has as many lines as the lab's.
    expect(model.map((r) => renderRecord(r, 'vpp-current').length)).toEqual(expected.records.map((r) => renderRecord(r, 'vpp-current').length));
  });

  test('the TTL expiry walks two buffers: the ICMP error and, interleaved with it, the answered packet to ip4-drop', () => {
    const g = ALL.find((x) => x.name === 'ttl-expiry.syn.node1')!;
    expect(g.model.filter((r) => r.node === 'drop').map((r) => r.body)).toEqual([
      { kind: 'error-drop', node: 'acl-plugin-in-ip4-fa', error: 'new sessions added' },
      { kind: 'error-drop', node: 'acl-plugin-out-ip4-fa', error: 'ACL deny packets' },
    ]);
  });

  test('an unmasked difference is caught: a NAT slow-path reason the lab did not print fails the comparison', () => {
    const g = ALL.find((x) => x.name === 'cross-node.syn.node1')!;
    const broken = structuredClone(g.model);
    const rec = broken.find((r) => r.body.kind === 'nat44-out2in' && r.body.ed?.slowPathReason !== undefined)!;
    if (rec.body.kind === 'nat44-out2in') rec.body.ed!.slowPathReason = 'no reason for slow path';
    const diff = diffTraces(g.lab(), { records: broken }, VOLATILE_LAB);
    expect(diff.first).toMatchObject({ node: 'nat44-ed-out2in', field: 'ed.slowPathReason' });
  });
});
