// Known divergences are facts, not wording: each entry of an adapter's checked-in list names the claim it
// excuses (property, code and facts), carries an example claim as that property words it, excuses exactly its
// example and no other entry's (entries that excused several different failures were split), and — for the
// differences a fake data path can show — a property run through the runner emits that very claim, which is
// then counted as the divergence instead of failing.
import { describe, expect, test } from 'vitest';
import { excusingDivergence, type Adapter, type KnownDivergence, type Observation } from '../../src/adapters/adapter.ts';
import { KERNEL_KNOWN_DIVERGENCES } from '../../src/adapters/kernel/known-divergences.ts';
import { VPP_KNOWN_DIVERGENCES } from '../../src/adapters/vpp/known-divergences.ts';
import { ReferenceAdapter, VPP_CURRENT_DIVERGENCES } from '../../src/adapters/reference/reference-adapter.ts';
import { runProperty } from '../../src/cli/fuzz-runner.ts';
import { propertyById } from '../../src/properties/index.ts';
import { claim, type ClaimFacts } from '../../src/properties/types.ts';
import { ipv4HeaderChecksum } from '../../src/packet/checksum.ts';

const LISTS: [string, readonly KnownDivergence[]][] = [
  ['kernel', KERNEL_KNOWN_DIVERGENCES],
  ['vpp', VPP_KNOWN_DIVERGENCES],
  ['reference(vpp-current)', VPP_CURRENT_DIVERGENCES],
];

describe.each(LISTS)('%s known divergences', (_name, list) => {
  const matching = list.filter((d) => d.match);

  test('every entry that excuses a failure names a claim code its property emits, with an example', () => {
    expect(matching.length).toBeGreaterThan(0);
    for (const d of matching) {
      const p = propertyById(d.property);
      expect(p, `${d.id}: property ${d.property}`).toBeDefined();
      expect(Object.keys(p!.claims), `${d.id}: ${d.property} emits no claim '${d.match!.code}'`).toContain(d.match!.code);
      expect(d.example, d.id).toBeDefined();
    }
  });

  test("each example, worded by its property, is excused by its own entry and by no other (one failure per entry)", () => {
    for (const d of matching) {
      const p = propertyById(d.property)!;
      const c = claim(p.claims, d.example as ClaimFacts);
      expect(c.message.length, d.id).toBeGreaterThan(10);
      expect(c.message, d.id).not.toMatch(/undefined/);
      const excusers = list.filter((x) => x.property === d.property && excusingDivergence([x], d.property, c));
      expect(excusers.map((x) => x.id), d.id).toEqual([d.id]);
      // another property's claim with the same facts is not excused
      expect(excusingDivergence(list, 'some-other-property', c)).toBeUndefined();
    }
  });

  test('entries without a match document differences no property checks', () => {
    for (const d of list.filter((x) => !x.match)) expect(d.property, d.id).toMatch(/^\(/);
  });
});

/** A reference adapter whose observations are edited on the way out: a fake data path with one known difference. */
function fake(name: string, divergences: readonly KnownDivergence[], edit: (o: Observation) => Observation): Adapter {
  const inner = new ReferenceAdapter();
  return {
    name,
    capabilities: { ...inner.capabilities, traces: false, knownDivergences: divergences },
    setup: (t, o) => inner.setup(t, o),
    apply: (a) => inner.apply(a),
    reset: () => inner.reset(),
    teardown: () => inner.teardown(),
    inject: async (f) => edit(await inner.inject(f)),
  };
}

function editWire(o: Observation, f: (d: Uint8Array) => void): Observation {
  return { captures: o.captures.map((c) => (c.point.endsWith(':wire') && c.data.length >= 64 ? { ...c, data: (() => { const d = Uint8Array.from(c.data); f(d); return d; })() } : c)) };
}

describe('a fake data path with one known difference: the property emits the claim, the runner counts the divergence', () => {
  const cases: [string, string, (o: Observation) => Observation][] = [
    ['vxlan-outer-source-port', 'vxlan-never-source-nated', (o) => editWire(o, (d) => { d[34] = d[34]! ^ 0x55; })],
    ['vxlan-outer-ip-id', 'vxlan-wire-format', (o) => editWire(o, (d) => {
      d[18] = 0x12;
      d[19] = 0x34;
      d[24] = 0;
      d[25] = 0;
      const sum = ipv4HeaderChecksum(d, 14, 20);
      d[24] = sum >> 8;
      d[25] = sum & 0xff;
    })],
  ];
  test.each(cases)('%s (%s)', async (id, property, edit) => {
    const r = await runProperty(propertyById(property)!, fake('fake-kernel', KERNEL_KNOWN_DIVERGENCES, edit), { seed: 5, runs: 60, chunk: 30, interrupted: () => false });
    expect(r.counterexamples.map((c) => c.details)).toEqual([]);
    expect(r.verdict).toBe('valid');
    expect(r.knownDivergences?.[id]).toBeGreaterThan(0);
  });

  test('the same fake without its divergences is caught by the same claim', async () => {
    const r = await runProperty(propertyById('vxlan-never-source-nated')!, fake('fake-kernel', [], cases[0]![2]), { seed: 5, runs: 60, chunk: 30, interrupted: () => false });
    expect(r.verdict).toBe('invalid');
    expect(r.counterexamples[0]!.claims[0]).toMatchObject({ code: 'outer-source-port', layer: 'outer udp', field: 'srcPort' });
  });
});
