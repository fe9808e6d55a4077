// The VPP lab adapter's known divergences from the model (profile vpp-current), loaded from the checked-in
// known-divergences.json: one entry per difference, with the property and field it excuses and why.
import { loadKnownDivergences, type KnownDivergence } from '../adapter.ts';

export const VPP_KNOWN_DIVERGENCES_FILE = new URL('./known-divergences.json', import.meta.url);

export const VPP_KNOWN_DIVERGENCES: readonly KnownDivergence[] = loadKnownDivergences(VPP_KNOWN_DIVERGENCES_FILE);
