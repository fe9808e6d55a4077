// `clear acl-plugin sessions` on one node.
import type { FaultDef } from './types.ts';

/**
 * Every reflective session of the node goes; ACL tables and attachments are configuration and stay (docs/datapath.md
 * §8.4: sessions go away on expiry, when an interface's last ACL is removed, or with this command). Afterwards a
 * new connection meets the rules exactly as before; a packet of a connection opened before it meets the rules too
 * (its session is gone) unless it creates a session again on the way — so a reply the policies would deny is dropped
 * where the reply needed a session of this node (§5 response rule), and the model says which.
 */
export const aclSessionsCleared: FaultDef = {
  id: 'acl-sessions-cleared',
  description: 'every reflective ACL session of a node forgotten',
  vpp: 'clear acl-plugin sessions',
  during: 'nothing: the clear is atomic',
  after: 'configuration unchanged; new connections get the policy verdict; packets of older connections are judged by the rules where their sessions were (the model says which pass)',
  cites: ['§8.4', '§5'],
};
