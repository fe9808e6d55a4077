// The example property in a vitest suite of its own, through podflow/vitest: it holds on the reference model, and
// it catches an adapter that copies every delivered frame to another pod too.
import { describe, expect, test } from 'vitest';
import { ReferenceAdapter, type Adapter, type Observation } from 'podflow/adapters';
import { checkProperty } from 'podflow/vitest';
import { noFrameToBystander } from './no-frame-to-bystander.ts';

/** The reference model, except that whatever it delivers to a pod is delivered to `pod:bystander` as well. */
function leaky(): Adapter {
  const inner = new ReferenceAdapter();
  return {
    name: 'leaky-reference',
    capabilities: inner.capabilities,
    setup: (t, o) => inner.setup(t, o),
    apply: (a) => inner.apply(a),
    reset: () => inner.reset(),
    teardown: () => inner.teardown(),
    async inject(frames): Promise<Observation> {
      const o = await inner.inject(frames);
      const copies = o.captures.filter((c) => /^pod:.+:rx$/.test(c.point)).map((c) => ({ ...c, point: 'pod:bystander:rx' }));
      return { ...o, captures: [...o.captures, ...copies] };
    },
  };
}

describe('no-frame-to-bystander', () => {
  test('holds on the reference model', async () => {
    const r = await checkProperty(noFrameToBystander, () => new ReferenceAdapter(), { numRuns: 30, seed: 1 });
    expect(r.checked).toBe(30);
  });

  test('fails, with its claim, on an adapter that delivers a copy to another pod', async () => {
    await expect(checkProperty(noFrameToBystander, leaky, { numRuns: 30, seed: 1 })).rejects.toThrow(/no-frame-to-bystander on leaky-reference: .* was delivered to bystander, not only to /);
  });
});
