// `podflow/policy`: Kubernetes NetworkPolicies — clusters read from YAML, the upstream semantics (the oracle),
// Contiv's renderer into VPP ACL tables, and the documented divergences between the two.
export type * from '../policy/types.ts';
export { parseClusterYaml, readClusterFile, parseClusterDump, readClusterDump, clusterToYaml, policiesToYaml, PolicyInputError, type PolicyInputIssue } from '../policy/yaml.ts';
export { allowed, explainAllowed, formatVerdict, isolated, applyingPolicies, type UpstreamOptions, type UpstreamVerdict, type Direction } from '../policy/upstream.ts';
export { renderCluster, clusterTopologyInput, type RenderedCluster, type RenderedNode, type RenderedPod, type RenderedAcl } from '../policy/contiv/render.ts';
export { ContivRenderError, type RenderFaults } from '../policy/contiv/processor.ts';
export { contivFormula, type PolicyVerdict as ContivVerdict } from '../policy/contiv/semantics.ts';
export { DIVERGENCES, divergence, contivize, type Divergence, type DivergenceId } from '../policy/divergences.ts';
