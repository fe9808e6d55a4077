// `podflow`: the most used parts of every entry point. The entry points themselves are `podflow/model`,
// `podflow/packet`, `podflow/policy`, `podflow/properties`, `podflow/adapters`, `podflow/generators`,
// `podflow/runner`, `podflow/config` and `podflow/vitest` (README, podflow as a library).
export { simulate, parseScenario, trustedScenario, ScenarioError, PROFILES, MUTANTS, type Scenario, type ScenarioInput, type SimulationResult, type ProfileName, type Mutant } from './model.ts';
export { encodePacket, decodePacket, encodePcap, decodePcap, toHex, type Layer } from './packet.ts';
export { parseClusterYaml, readClusterFile, allowed, explainAllowed, renderCluster, type Cluster, type NetworkPolicy, type Connection, type RenderedCluster } from './policy.ts';
export { claim, verdictOf, VALID, PROPERTIES, clusterCaseArb, runClusterCase, type PropertyDef, type Claim, type ClaimFacts, type ClaimMessages, type CheckContext, type Verdict, type ClusterCase } from './properties.ts';
export { ReferenceAdapter, MutantAdapter, AdapterUnavailable, type Adapter, type AdapterCapabilities, type Observation } from './adapters.ts';
export { runProperty, CHECK_CONTEXT, type RunPropertyOptions, type PropertyResult } from './runner.ts';
export { defineConfig, type PodflowConfig, type AdapterFactory } from './config.ts';
