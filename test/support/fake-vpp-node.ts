// A VPP lab node for unit tests of the vpp adapter without a VPP: accepts every command, numbers new ACLs as VPP
// does (`ACL index:N`), and records what it was sent (counter reads left out).
import type { Transport } from '../../src/adapters/vpp/transport.ts';

/** A lab node that accepts every command, numbers new ACLs, and remembers what it was sent. */
export function fakeNode(nodeId: number, sent: string[]): Transport {
  let acl = 0;
  return {
    nodeId,
    cli: async (c) => {
      if (c !== 'show interface') sent.push(c);
      return '';
    },
    config: async (c) => {
      sent.push(c);
      return /^set acl-plugin acl (?!index)/.test(c) ? `ACL index:${acl++}\n` : '';
    },
    close: () => {},
    put: async () => {},
    get: async () => {
      throw new Error('no journal');
    },
    remove: async () => {},
  };
}
