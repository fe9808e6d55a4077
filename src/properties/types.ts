// What an invariant is (docs/architecture.md §6): an id, the claim, the seed step it comes from, the cases it needs, and a
// check that returns valid, invalid or unknown (the
// adapter could not answer). An invalid verdict is a list of structured claims — what kind of failure, for which
// connection and exchange, at which capture point, layer and field, expected and received — each with a message
// derived from those facts by the property's own wording; the observations the check judged travel with it
// (Evidence, recorded by the runner), so reports are written from what was seen, never by running the case
// again. Properties do not depend on a test runner.
import type fc from 'fast-check';
import type { Adapter, InterfaceDrivers } from '../adapters/adapter.ts';

export type Exchange = 'request' | 'reply';

/** The facts of one failure, as a property states them (known divergences match these, never the wording). */
export interface ClaimFacts {
  /** the kind of failure: one of the codes the property declares in `claims` */
  code: string;
  /** the connection or probe, as a person reads it (`default/pod-0 -> default/pod-1 TCP/80`, a lifecycle step) */
  connection?: string;
  /** TCP, UDP, ICMP, SCTP (the connection's protocol) */
  protocol?: string;
  exchange?: Exchange;
  /** the packet index in the case (the injection's `packet`) */
  packet?: number;
  /** capture point (`pod:<name>:rx`, `node:<id>:wire`) or place (`node 1 tap0`) */
  point?: string;
  /** protocol layer of the field (`ipv4`, `outer ipv4`, `outer udp`, `vxlan`, `inner ipv4`, `delivery`, `acl`) */
  layer?: string;
  /** the field that differs (`ttl`, `src`, `srcPort`, `checksum`, …) */
  field?: string;
  expected?: string;
  received?: string;
  /** the kind of generated probe (odd packet kind, lifecycle step kind) */
  probe?: string;
  /** what happened before the failing packet (lifecycle steps), for the message only */
  context?: string;
}

export interface Claim extends ClaimFacts {
  /** derived from the facts by the property's `claims[code]` */
  message: string;
}

/** A property's wording per claim code: the message is derived from the facts, so the facts carry the meaning. */
export type ClaimMessages = Record<string, (c: ClaimFacts) => string>;

/**
 * What a check measured besides its verdict (e.g. trace records equal and differing), summed over a run's cases in
 * its results (`measures`): named counts, never a judgement.
 */
export type Measures = Record<string, number>;

export type Verdict =
  | { status: 'valid'; measures?: Measures }
  | { status: 'invalid'; claims: Claim[]; details: string; measures?: Measures }
  | { status: 'unknown'; reason: string };

export type InvalidVerdict = Extract<Verdict, { status: 'invalid' }>;

export interface PropertyDef<C> {
  id: string;
  description: string;
  /** the seed steps (docs/datapath.md citations: q10, r3, …) the invariant comes from */
  seedSteps: string[];
  /** which adapter capabilities the check needs; without them it answers unknown */
  needs?: { traces?: boolean; dropReasons?: boolean; virtualTime?: boolean };
  /** every claim code the check can emit, with its message */
  claims: ClaimMessages;
  arbitrary(): fc.Arbitrary<C>;
  check(c: C, adapter: Adapter, ctx: CheckContext): Promise<Verdict>;
}

/** What a check may use besides the adapter under test: a reference model to compare with. */
export interface CheckContext {
  /**
   * A fresh reference adapter with the given profile (default vpp-18.01-contiv), walking the given interface
   * drivers (default Contiv's): the adapter's own, when its traces are compared.
   */
  reference(profile?: string, drivers?: InterfaceDrivers): Adapter;
}

export const VALID: Verdict = { status: 'valid' };

/** A claim with its message, worded by the property's table (a missing code is a bug in the property). */
export function claim(messages: ClaimMessages, facts: ClaimFacts): Claim {
  const say = messages[facts.code];
  if (!say) throw new Error(`claim code '${facts.code}' is not declared by the property`);
  return { ...facts, message: say(facts) };
}

/** The one-line summary of claims: the first message, and how many more there are. */
export function detailsOf(claims: readonly Claim[]): string {
  if (claims.length === 0) return 'no claim';
  return claims.length === 1 ? claims[0]!.message : `${claims[0]!.message} (and ${claims.length - 1} more failure${claims.length === 2 ? '' : 's'} in this case)`;
}

/** valid when nothing was claimed, else invalid with every claim. */
export function verdictOf(claims: readonly Claim[]): Verdict {
  return claims.length === 0 ? VALID : { status: 'invalid', claims: [...claims], details: detailsOf(claims) };
}
