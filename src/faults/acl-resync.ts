// The agent's resync: every ACL table and attachment applied again, unchanged.
import type { FaultDef } from './types.ts';

/**
 * The same tables (`acl_add_replace` with each table's index) and the same interface lists applied again on every
 * node, as Contiv's renderer does on a resync (§10.9; contiv/vpp's `TestCombinedRulesWithResync…`). No interface
 * loses its last ACL, so no session goes (§8.4: sessions are not re-evaluated when ACLs change). A resync that
 * changes nothing is indistinguishable from no resync: open connections keep passing, new ones get the policy verdict.
 */
export const aclResync: FaultDef = {
  id: 'acl-resync',
  description: 'every ACL table and attachment re-applied unchanged (a resync that changes nothing)',
  vpp: 'acl_add_replace <index> … and acl_interface_set_acl_list … for every table and interface, as before',
  during: 'nothing: tables are replaced atomically',
  after: 'exactly as before: sessions kept, same verdicts',
  cites: ['§8.4', '§10.9'],
};
