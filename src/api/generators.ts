// `podflow/generators`: fast-check arbitraries for clusters (topologies, pods, policies), connections, frames,
// odd packets, pod lifecycle steps and nemesis faults.
export { clusterArb, connectionSpecArb, resolveConnection, allConnections, withTopology, NAMESPACES, PORTS, type ClusterConstraints, type ConnectionSpec } from '../generators/cluster.ts';
export { frameArb, ethernetArb, type FrameConstraints } from '../generators/frame.ts';
export { oddPacketArb, ODD_KINDS, type OddKind, type OddPacket } from '../generators/odd-packets.ts';
export { lifecycleStepArb, describeStep, type LifecycleStep } from '../generators/lifecycle.ts';
export { nemesisStepArb, nemesisStepsArb, describeNemesisStep, type NemesisStep } from '../generators/nemesis.ts';
