// Every saved counterexample in corpus/ is replayed against the reference model, which must pass it: a case
// that once exposed a fault (a mutant, another adapter) stays a regression test of the model and properties.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { corpusEntries, loadCorpusEntry } from '../../src/cli/corpus.ts';
import { CHECK_CONTEXT } from '../../src/cli/fuzz-runner.ts';
import { ReferenceAdapter } from '../../src/adapters/reference/reference-adapter.ts';
import { propertyById } from '../../src/properties/index.ts';

const CORPUS = join(import.meta.dirname, '..', '..', 'corpus');
const entries = existsSync(CORPUS) ? corpusEntries([], CORPUS) : [];

describe('corpus replay on the reference model', () => {
  test('the corpus holds entries (mutant counterexamples are saved there)', () => {
    expect(entries.length).toBeGreaterThan(0);
  });

  test.each(entries.map((d) => [d.split('/').slice(-1)[0]!, d] as const))('%s', async (_id, dir) => {
    const e = loadCorpusEntry(dir);
    const p = propertyById(e.property);
    expect(p, `unknown property ${e.property}`).toBeDefined();
    const v = await p!.check(e.case, new ReferenceAdapter(), CHECK_CONTEXT);
    expect(v).toEqual({ status: 'valid' });
  });
});
