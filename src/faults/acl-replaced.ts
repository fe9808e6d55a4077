// A policy update mid-connection: the ACL tables replaced in place by the renderer's output for other policies.
import type { FaultDef } from './types.ts';

/**
 * The cluster's policies with one removed (or a removed one restored), rendered as Contiv renders them (§10) and
 * applied in place: tables replaced by index, interface lists set. Sessions are not re-evaluated (§8.4); which
 * interfaces lose theirs depends on the VPP (profile `aclSessionsClearedOn`): on 18.01 an interface that keeps no
 * ACL (a pod no policy isolates any more); on current VPP any interface whose attached ACLs changed (a pod moved to
 * another table), as acl.c clears an interface's sessions whenever an ACL is attached or detached — found by the
 * nemesis on a VPP 26.06 lab and confirmed there command by command. Afterwards new connections
 * get the verdict of the policies now in force; packets of older connections pass by their sessions where those
 * survived and are otherwise judged by the new rules (the model says which).
 */
export const aclReplaced: FaultDef = {
  id: 'acl-replaced',
  description: 'ACL tables replaced in place by a re-render with one policy removed or restored',
  vpp: 'acl_add_replace / acl_del and acl_interface_set_acl_list as the renderer emits them',
  during: 'nothing: each table is replaced atomically',
  after: 'new connections get the verdict of the policies now in force; sessions survive unless their interface lost every ACL (18.01) or had an ACL attached or detached (current VPP)',
  cites: ['§8.4', '§10.7', '§10.9'],
};
