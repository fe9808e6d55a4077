// `podflow/model`: the reference model of the Contiv-VPP data path — scenarios, the VPP profiles it models,
// simulate() and the trace renderer, and the named mutants (faults of the model that the catalogue must catch).
export { simulate, Simulation, MAX_NODE_HOPS, type CapturePoint, type SimulatedFrame, type NodeTrace, type Outcome, type PacketResult, type SimulationResult, type SimulationOptions } from '../reference/simulate.ts';
export { parseScenario, trustedScenario, ScenarioError, ScenarioSchema, type Scenario, type ScenarioInput, type ScenarioData, type ScenarioPacket } from '../reference/scenario.ts';
export { PROFILES, profileByName, type Profile, type ProfileName, type DataPathFaults } from '../reference/profiles.ts';
export { buildTopology, TopologyError, type Topology, type Node, type Pod, type Interface } from '../reference/topology/topology.ts';
export { renderDocumentationForm, renderPacketTrace, renderShowTrace, threadsOf } from '../trace/render.ts';
export { MUTANTS, mutantById, type Mutant } from '../reference/mutants/index.ts';
