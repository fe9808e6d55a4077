// The example adapter in a vitest suite of its own, through podflow/vitest: built-in properties hold on it, and it
// saw the frames they sent.
import { afterAll, expect, test } from 'vitest';
import { propertyById } from 'podflow/properties';
import { checkProperty, testProperty } from 'podflow/vitest';
import { CountingAdapter } from './counting-adapter.ts';

const adapter = new CountingAdapter();
afterAll(() => adapter.teardown());

// A test of its own through @fast-check/vitest's test.prop.
testProperty(propertyById('connection-verdict-equals-policy')!, adapter, { numRuns: 20, seed: 7 });

test('vxlan-wire-format holds on the counting adapter, which saw every frame', async () => {
  const before = adapter.injected.frames;
  const r = await checkProperty(propertyById('vxlan-wire-format')!, adapter, { numRuns: 20, seed: 7 });
  expect(r.checked + r.unknown).toBeGreaterThanOrEqual(20);
  expect(adapter.injected.frames).toBeGreaterThan(before);
  expect(adapter.injected.delivered).toBeGreaterThan(0);
});
