// Model structures already built, by the plain configuration they were resolved to. The fuzzer renders a cluster
// with the model's own code (topology, Contiv's ACLs) and hands every adapter the plain form (AdapterTopology,
// AdapterAclConfig); the reference adapter would only build the same structures again from it. The renderer
// remembers here what it built, keyed by the plain objects it returned (weakly: they go when the case goes); the
// reference adapter looks its input up and builds only what is not known. The plain forms are data an adapter
// does not edit, so an object stands for its content. (This replaces the hidden symbol-keyed links the plain
// objects used to carry: they stay plain data, and who shares what is written here.)
import type { AclConfig } from './state/vpp.ts';
import type { Topology } from './topology/topology.ts';

const TOPOLOGIES = new WeakMap<object, Topology>();
const ACLS = new WeakMap<object, { topology: Topology; config: AclConfig }>();

/**
 * `resolved` (an adapter-form topology) is what `topology` resolves to, and buildTopology of its scenario form
 * (Contiv's interface drivers) gives `topology` again — so not for topologies whose pods are service endpoints
 * (the plain form does not say so; the NAT inside role depends on it).
 */
export function rememberModelTopology(resolved: object, topology: Topology): void {
  TOPOLOGIES.set(resolved, topology);
}

/** The model topology an adapter-form topology was resolved from, when remembered. */
export function knownModelTopology(resolved: object): Topology | undefined {
  return TOPOLOGIES.get(resolved);
}

/** `spec` (one node's adapter-form ACLs) is what `config` renders to on that node of `topology` (by its sw_if_index). */
export function rememberModelAcls(spec: object, topology: Topology, config: AclConfig): void {
  ACLS.set(spec, { topology, config });
}

/** The model's ACL configuration of one node's adapter-form ACLs, when remembered for that very topology. */
export function knownModelAcls(spec: object, topology: Topology): AclConfig | undefined {
  const k = ACLS.get(spec);
  return k !== undefined && k.topology === topology ? k.config : undefined;
}
