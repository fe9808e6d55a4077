// Golden traces of today's VPP: every lab capture in test/fixtures/traces/vpp-26.06 (`<scenario>.<packet>.node<N>.txt`,
// see test/fixtures/README.md) against the model (profile vpp-current, the scenario's interface drivers: packet-
// generator pods and an af_packet main NIC, as the lab has them), record by record and field by field. Only the
// masks of VOLATILE_LAB are applied, each named; the masked count is printed. Captures the model does not walk yet
// are listed in NOT_YET with the reason, and the test fails when one of them starts to match (so the list shrinks).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseScenario } from '../../src/reference/scenario.ts';
import { Simulation, type PacketResult } from '../../src/reference/simulate.ts';
import { diffTraces } from '../../src/reference/trace/diff.ts';
import { VOLATILE_LAB } from '../../src/reference/trace/masks.ts';
import { parseTrace } from '../../src/reference/trace/parse.ts';
import type { PacketTrace, TraceRecord } from '../../src/reference/trace/records.ts';
import { renderRecord } from '../../src/reference/trace/render.ts';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'traces', 'vpp-26.06');
const SCENARIOS = readdirSync(join(DIR, 'scenarios')).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, ''));

/** Captures whose walk the model does not reproduce yet, and why. */
const NOT_YET: Readonly<Record<string, string>> = {
  'ttl-expiry.syn.node1':
    'the lab traces two buffers in one packet trace (the ICMP time-exceeded it makes and the expired packet, which ip4-icmp-error sends on to ip4-drop), interleaved; the model walks one buffer',
};

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

  test.each(ALL.filter((g) => !(g.name in NOT_YET)))('$name', ({ name, lab, model }) => {
    const expected = lab();
    const diff = diffTraces(expected, { records: model }, VOLATILE_LAB);
    console.log(`golden 26.06 "${name}": ${expected.records.length} records, ${diff.maskedFields} field comparisons masked`);
    expect(diff.first).toBeUndefined();
    expect(model.map((r) => r.node)).toEqual(expected.records.map((r) => r.node));
    // Rendered, every record has as many lines as the lab's.
    expect(model.map((r) => renderRecord(r, 'vpp-current').length)).toEqual(expected.records.map((r) => renderRecord(r, 'vpp-current').length));
  });

  test.each(ALL.filter((g) => g.name in NOT_YET))('$name: not reproduced yet (listed in NOT_YET)', ({ name, lab, model }) => {
    expect(diffTraces(lab(), { records: model }, VOLATILE_LAB).equal, `${name} matches now: remove it from NOT_YET`).toBe(false);
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
