// What an invariant is (STYLE.md §6): an id, the claim, the seed step it comes from, the fields its packet
// comparisons tolerate and why, the cases it needs, and a check that returns valid, invalid (with details) or
// unknown (the adapter could not answer). Properties do not depend on a test runner.
import type fc from 'fast-check';
import type { FieldMask } from '../packet/mask.ts';
import type { Adapter } from '../adapters/adapter.ts';

export type Verdict =
  | { status: 'valid' }
  | { status: 'invalid'; details: string; expected?: string; received?: string; packet?: number; step?: string }
  | { status: 'unknown'; reason: string };

export interface PropertyDef<C> {
  id: string;
  description: string;
  /** the seed steps (DATAPATH.md citations: q10, r3, …) the invariant comes from */
  seedSteps: string[];
  /** fields this property's frame comparisons ignore, with the reason */
  masks: FieldMask[];
  /** which adapter capabilities the check needs; without them it answers unknown */
  needs?: { traces?: boolean; dropReasons?: boolean; virtualTime?: boolean };
  arbitrary(): fc.Arbitrary<C>;
  check(c: C, adapter: Adapter, ctx: CheckContext): Promise<Verdict>;
}

/** What a check may use besides the adapter under test: a reference model to compare with. */
export interface CheckContext {
  /** a fresh reference adapter with the given profile (default vpp-18.01-contiv) */
  reference(profile?: string): Adapter;
}

export const VALID: Verdict = { status: 'valid' };

export function invalid(details: string, extra: Omit<Extract<Verdict, { status: 'invalid' }>, 'status' | 'details'> = {}): Verdict {
  return { status: 'invalid', details, ...extra };
}
