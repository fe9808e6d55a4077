// Every saved counterexample in corpus/ is replayed twice: against the reference model, which must pass it (a
// case that once exposed a fault stays a regression test of the model and the properties), and against the
// adapter it was found on, where it must still fail with a claim no known divergence excuses (an entry that no
// longer fails where it was found no longer tests anything: the property or the generator changed under it).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { excusingDivergence } from '../../src/adapters/adapter.ts';
import { ReferenceAdapter } from '../../src/adapters/reference/reference-adapter.ts';
import { createAdapter } from '../../src/cli/adapters.ts';
import { corpusEntries, loadCorpusEntry } from '../../src/cli/corpus.ts';
import { adapterSpecOf } from '../../src/cli/fuzz.ts';
import { CHECK_CONTEXT } from '../../src/cli/fuzz-runner.ts';
import { propertyById } from '../../src/properties/index.ts';

const CORPUS = join(import.meta.dirname, '..', '..', 'corpus');
const entries = existsSync(CORPUS) ? corpusEntries([], CORPUS) : [];
const cases = entries.map((d) => [d.split('/').slice(-1)[0]!, d] as const);

/** Whether this test run can drive the adapter an entry was found on, and if not why. */
function reachable(spec: string): string | undefined {
  if (/^(reference|mutant)(:|$)/.test(spec)) return undefined;
  if (/^kernel(:|$)/.test(spec)) return process.getuid?.() === 0 ? undefined : 'needs root (network namespaces)';
  if (/^vpp(:|$)/.test(spec)) return process.env.PODFLOW_VPP_LAB ? undefined : 'needs a VPP lab (PODFLOW_VPP_LAB)';
  return `unknown adapter ${spec}`;
}

describe('corpus replay', () => {
  test('the corpus holds entries (mutant counterexamples are saved there)', () => {
    expect(entries.length).toBeGreaterThan(0);
  });

  test.each(cases)('%s passes on the reference model', async (_id, dir) => {
    const e = loadCorpusEntry(dir);
    const p = propertyById(e.property);
    expect(p, `unknown property ${e.property}`).toBeDefined();
    const v = await p!.check(e.case, new ReferenceAdapter(), CHECK_CONTEXT);
    expect(v).toEqual({ status: 'valid' });
  });

  test.each(cases)('%s still fails on the adapter it was found on', async (_id, dir) => {
    const e = loadCorpusEntry(dir);
    const spec = adapterSpecOf(e.adapter);
    const why = reachable(spec);
    if (why !== undefined) {
      // Only labs podflow cannot start here; every entry in the repository today was found on a mutant.
      console.warn(`corpus entry ${e.id} (${e.adapter}) not replayed where it was found: ${why}`);
      return;
    }
    const adapter = createAdapter(spec);
    try {
      const v = await propertyById(e.property)!.check(e.case, adapter, CHECK_CONTEXT);
      expect(v.status, `${e.id}: ${e.property} on ${e.adapter}`).toBe('invalid');
      if (v.status !== 'invalid') return;
      const unexcused = v.claims.filter((c) => !excusingDivergence(adapter.capabilities.knownDivergences ?? [], e.property, c));
      expect(unexcused.length).toBeGreaterThan(0);
    } finally {
      await adapter.teardown();
    }
  });
});
