// `podflow/properties`: what an invariant is (PropertyDef, claims, verdicts), the built-in catalogue, and the
// harness most invariants share (a generated cluster rendered as Contiv does, configured on an adapter, and
// connections sent one by one) for writing your own.
export { claim, detailsOf, verdictOf, VALID, type PropertyDef, type Claim, type ClaimFacts, type ClaimMessages, type CheckContext, type Verdict, type InvalidVerdict, type Measures, type Exchange } from '../properties/types.ts';
export { PROPERTIES, propertyById } from '../properties/index.ts';
export { clusterCaseArb, runClusterCase, exchangeFacts, describeConnection, type ClusterCase, type CaseRun, type SentConnection } from '../properties/harness.ts';
export { delivered, wireCaptures, layersOf } from '../properties/common.ts';
