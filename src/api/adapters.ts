// `podflow/adapters`: the interface every data path under test implements, and the reference model as an adapter
// (plain, or with a mutant) for wrapping or comparing with.
export type { Adapter, AdapterCapabilities, AdapterTopology, AdapterNode, AdapterPod, AdapterAclConfig, Injection, Capture, Observation, PacketFate, Fault, FaultId, InterfaceDrivers, KnownDivergence, ConfigState, SessionState } from '../adapters/adapter.ts';
export { AdapterUnavailable } from '../adapters/adapter.ts';
export { ReferenceAdapter, type ReferenceAdapterOptions } from '../adapters/reference/reference-adapter.ts';
export { MutantAdapter } from '../adapters/reference/mutant-adapter.ts';
