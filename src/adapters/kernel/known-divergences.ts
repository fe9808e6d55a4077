// The kernel adapter's known divergences from the model, loaded from the checked-in known-divergences.json (one
// entry per difference, with the property and field it excuses and why; STYLE.md §7), and the matcher that
// says whether an invalid verdict is explained by one of them.
import { readFileSync } from 'node:fs';
import type { KnownDivergence } from '../adapter.ts';

export const KNOWN_DIVERGENCES_FILE = new URL('./known-divergences.json', import.meta.url);

function load(): KnownDivergence[] {
  const raw = JSON.parse(readFileSync(KNOWN_DIVERGENCES_FILE, 'utf8')) as { divergences: KnownDivergence[] };
  for (const [i, d] of raw.divergences.entries()) {
    for (const f of ['id', 'property', 'field', 'reason'] as const) {
      if (typeof d[f] !== 'string' || d[f] === '') throw new Error(`known-divergences.json: divergences[${i}].${f} must be a non-empty string`);
    }
    if (d.details !== undefined) new RegExp(d.details);
  }
  return raw.divergences;
}

export const KERNEL_KNOWN_DIVERGENCES: readonly KnownDivergence[] = load();

export { explainingDivergence } from '../adapter.ts';
