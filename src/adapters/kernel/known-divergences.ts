// The kernel adapter's known divergences from the model, loaded from the checked-in known-divergences.json (one
// entry per difference, with the property and field it excuses and why; docs/architecture.md §7), and the matcher that
// says whether a claim is excused by one of them.
import { loadKnownDivergences, type KnownDivergence } from '../adapter.ts';

export const KNOWN_DIVERGENCES_FILE = new URL('./known-divergences.json', import.meta.url);

export const KERNEL_KNOWN_DIVERGENCES: readonly KnownDivergence[] = loadKnownDivergences(KNOWN_DIVERGENCES_FILE);

export { excusingDivergence } from '../adapter.ts';
