// The mutants of Services, host and outside traffic (issue 17, src/reference/mutants/index.ts) are each killed by
// the Service or outside property meant for them, for the reason meant (its claim codes), within the default
// budget (seed 1) — not only by some earlier property of the catalogue, as test/properties/mutants.test.ts checks.
import { describe, expect, test } from 'vitest';
import { MutantAdapter } from '../../src/adapters/reference/mutant-adapter.ts';
import { DEFAULT_MUTANT_RUNS } from '../../src/cli/mutants.ts';
import { runProperty } from '../../src/cli/fuzz-runner.ts';
import { propertyById } from '../../src/properties/index.ts';
import { ReferenceAdapter } from '../../src/adapters/reference/reference-adapter.ts';
import { mutantById } from '../../src/reference/mutants/index.ts';

/** mutant → the property that must kill it and the claim codes, one of which its counterexample must carry */
const EXPECTED: [mutant: string, property: string, codes: string[]][] = [
  ['service-reply-not-untranslated', 'service-translated-once', ['reply-not-untranslated', 'reply-lost']],
  ['service-dnat-on-wrong-interface', 'service-policy-after-translation', ['allowed-not-delivered', 'self-access-not-delivered']],
  ['service-remote-backend-unreachable', 'service-load-spread', ['load-not-spread', 'connection-lost']],
  ['self-access-without-twice-nat', 'service-translated-once', ['source-changed']],
  ['nodeport-on-wrong-address', 'service-policy-after-translation', ['allowed-not-delivered', 'self-access-not-delivered']],
  ['outside-not-source-nated', 'outside-leaves-with-node-ip', ['not-source-nated']],
  ['outside-reply-not-untranslated', 'outside-leaves-with-node-ip', ['reply-lost', 'reply-not-untranslated']],
];

const run = (property: string, adapter: ReferenceAdapter) =>
  runProperty(propertyById(property)!, adapter, { seed: 1, runs: DEFAULT_MUTANT_RUNS, chunk: 25, interrupted: () => false });

describe('Service and outside mutants', () => {
  for (const [id, property, codes] of EXPECTED) {
    test(`${id} is killed by ${property} (${codes.join(' or ')})`, async () => {
      const m = mutantById(id);
      expect(m, id).toBeDefined();
      const r = await run(property, new MutantAdapter(m!));
      expect(r.verdict).toBe('invalid');
      const got = r.counterexamples[0]?.claims.map((c) => c.code) ?? [];
      expect(got.some((c) => codes.includes(c)), `claims: ${got.join(', ')}`).toBe(true);
    }, 120_000);
  }

  test('the properties that kill them hold on the unmutated model (seed 1)', async () => {
    for (const property of new Set(EXPECTED.map((e) => e[1]))) {
      const r = await run(property, new ReferenceAdapter());
      expect(r.verdict, property).toBe('valid');
    }
  }, 300_000);
});
