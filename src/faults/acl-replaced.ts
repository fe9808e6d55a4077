// A policy update mid-connection: the ACL tables replaced in place by the renderer's output for other policies.
import type { FaultDef } from './types.ts';

/**
 * The cluster's policies with one removed (or a removed one restored), rendered as Contiv renders them (§10) and
 * applied in place: tables replaced by index, interface lists set. Sessions survive (§8.4: not re-evaluated),
 * except those of an interface that loses every ACL (a pod no policy isolates any more). Afterwards new connections
 * get the verdict of the policies now in force; packets of older connections pass by their sessions where those
 * survived and are otherwise judged by the new rules (the model says which).
 */
export const aclReplaced: FaultDef = {
  id: 'acl-replaced',
  description: 'ACL tables replaced in place by a re-render with one policy removed or restored',
  vpp: 'acl_add_replace / acl_del and acl_interface_set_acl_list as the renderer emits them',
  during: 'nothing: each table is replaced atomically',
  after: 'new connections get the verdict of the policies now in force; sessions survive unless their interface lost every ACL',
  cites: ['§8.4', '§10.7', '§10.9'],
};
