// The Service and outside invariants (P16–P19, docs/datapath.md §12.3) on the reference model: they hold and
// actually check (valid, not unknown, for most generated cases), and each one fails on a data path that breaks
// what it states (an adapter wrapper that spoils one thing in what the data path delivers).
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { Adapter, Observation } from '../../src/adapters/adapter.ts';
import { ReferenceAdapter } from '../../src/adapters/reference/reference-adapter.ts';
import { CHECK_CONTEXT } from '../../src/cli/fuzz-runner.ts';
import { ip4 } from '../../src/packet/index.ts';
import { outsideLeavesWithNodeIp } from '../../src/properties/outside-leaves-with-node-ip.ts';
import { serviceLoadSpread } from '../../src/properties/service-load-spread.ts';
import { servicePolicyAfterTranslation } from '../../src/properties/service-policy-after-translation.ts';
import { serviceTranslatedOnce } from '../../src/properties/service-translated-once.ts';
import type { PropertyDef } from '../../src/properties/types.ts';
import { validateCase } from '../../src/properties/case-schema.ts';

const PROPS: PropertyDef<any>[] = [serviceTranslatedOnce, servicePolicyAfterTranslation, serviceLoadSpread, outsideLeavesWithNodeIp];

async function statuses(p: PropertyDef<any>, adapter: Adapter, runs: number, seed = 42): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const c of fc.sample(p.arbitrary(), { seed, numRuns: runs })) {
    expect(validateCase(p.id, JSON.parse(JSON.stringify(c)))).toEqual({ ok: true });
    const v = await p.check(c, adapter, CHECK_CONTEXT);
    out[v.status] = (out[v.status] ?? 0) + 1;
    if (v.status === 'invalid') throw new Error(`${p.id}: ${v.details}`);
  }
  return out;
}

describe('Service and outside invariants hold on the model (vpp-18.01-contiv) and check something', () => {
  test.each(PROPS.map((p) => [p.id, p] as const))('%s', async (_id, p) => {
    const s = await statuses(p, new ReferenceAdapter({ profile: 'vpp-18.01-contiv' }), 30);
    expect(s.valid ?? 0).toBeGreaterThanOrEqual(24);
  });
});

test('without Services the adapter makes every Service case unknown, never valid', async () => {
  const ref = new ReferenceAdapter();
  const plain: Adapter = Object.assign(Object.create(ref) as Adapter, { capabilities: { ...ref.capabilities, services: false }, applyServices: undefined });
  for (const p of PROPS) {
    const [c] = fc.sample(p.arbitrary(), { seed: 1, numRuns: 1 });
    expect((await p.check(c, plain, CHECK_CONTEXT)).status, p.id).toBe('unknown');
  }
});

/** A reference adapter whose observations pass through `spoil` (one broken behaviour of a data path). */
function spoiled(spoil: (o: Observation, frames: Parameters<Adapter['inject']>[0]) => Observation): Adapter {
  const ref = new ReferenceAdapter();
  return Object.assign(Object.create(ref) as Adapter, {
    inject: async (frames: Parameters<Adapter['inject']>[0]) => spoil(await ref.inject(frames), frames),
  });
}

/** Rewrites the IPv4 source address of frames at points matching `point` (no checksum fix: the properties read addresses). */
function rewriteSrc(o: Observation, point: RegExp, src: (old: number) => number): Observation {
  return {
    ...o,
    captures: o.captures.map((c) => {
      if (!point.test(c.point) || c.data.length < 34 || c.data[12] !== 0x08 || c.data[13] !== 0x00) return c;
      const d = Uint8Array.from(c.data);
      const old = ((d[26]! << 24) | (d[27]! << 16) | (d[28]! << 8) | d[29]!) >>> 0;
      const n = src(old);
      d.set([n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff], 26);
      return { ...c, data: d };
    }),
  };
}

describe('each invariant fails where the data path breaks it', () => {
  test('service-translated-once: a reply that keeps the backend address', async () => {
    // Replies reach the client with the source the backend sent (no un-translation): rewrite the client's reply source to the backend's.
    const adapter = spoiled((o, frames) => {
      const f = frames[0]!;
      if (!('pod' in f.from) || f.packet % 2 === 0) return o;
      const backendIp = ((f.frame[26]! << 24) | (f.frame[27]! << 16) | (f.frame[28]! << 8) | f.frame[29]!) >>> 0;
      return rewriteSrc(o, /^pod:.*:rx$/, () => backendIp);
    });
    const r = await fc.check(fc.asyncProperty(serviceTranslatedOnce.arbitrary(), async (c) => (await serviceTranslatedOnce.check(c, adapter, CHECK_CONTEXT)).status !== 'invalid'), { seed: 3, numRuns: 60 });
    expect(r.failed).toBe(true);
  });

  test('outside-leaves-with-node-ip: a request that leaves with the pod address', async () => {
    const adapter = spoiled((o) => rewriteSrc(o, /^node:\d+:wire$/, (old) => (old >>> 24 === 192 ? ip4('10.1.1.99') : old)));
    const r = await fc.check(fc.asyncProperty(outsideLeavesWithNodeIp.arbitrary(), async (c) => (await outsideLeavesWithNodeIp.check(c, adapter, CHECK_CONTEXT)).status !== 'invalid'), { seed: 3, numRuns: 60 });
    expect(r.failed).toBe(true);
  });

  test('service-policy-after-translation: a data path that drops every Service connection', async () => {
    const adapter = spoiled((o, frames) => (frames[0]!.packet % 2 === 0 ? { ...o, captures: o.captures.filter((c) => !c.point.endsWith(':rx') && !c.point.endsWith(':host')) } : o));
    const r = await fc.check(fc.asyncProperty(servicePolicyAfterTranslation.arbitrary(), async (c) => (await servicePolicyAfterTranslation.check(c, adapter, CHECK_CONTEXT)).status !== 'invalid'), { seed: 3, numRuns: 60 });
    expect(r.failed).toBe(true);
  });

  test('service-load-spread: a data path that always picks the first endpoint', async () => {
    const adapter = new ReferenceAdapter({ pickBackend: () => 0 });
    const r = await fc.check(fc.asyncProperty(serviceLoadSpread.arbitrary(), async (c) => (await serviceLoadSpread.check(c, adapter, CHECK_CONTEXT)).status !== 'invalid'), { seed: 3, numRuns: 10 });
    expect(r.failed).toBe(true);
  });
});
