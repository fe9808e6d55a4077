// The dispatcher enforces vlib's rule: a node hands a buffer only to a next node it declares. A node that breaks
// it (a model bug, or a mutant of the node's table) fails loudly instead of walking on.
import { afterEach, describe, expect, test } from 'vitest';
import { ip4, type Layer } from '../../src/packet/index.ts';
import { ModelGraphError, NODES } from '../../src/reference/graph.ts';
import { simulate } from '../../src/reference/simulate.ts';
import { TWO_ISOLATED, withPackets } from '../support/scenarios.ts';

const udp: Layer[] = [{ kind: 'ipv4', src: ip4('10.1.1.2'), dst: ip4('10.1.2.2'), ttl: 64 }, { kind: 'udp', srcPort: 5000, dstPort: 53 }];
const ipInput = NODES['ip4-input'];
const declared = ipInput.nexts;

describe('graph rules', () => {
  afterEach(() => {
    (ipInput as { nexts: readonly string[] }).nexts = declared;
  });

  test('every node declares the nexts it uses on a generated path (a walk completes)', () => {
    expect(() => simulate(withPackets(TWO_ISOLATED, [{ from: 'a', layers: udp, at: 0 }]))).not.toThrow();
  });

  test('a node that sends a buffer to an undeclared next is a model bug, thrown', () => {
    (ipInput as { nexts: readonly string[] }).nexts = declared.filter((n) => n !== 'ip4-lookup' && !n.startsWith('acl-'));
    expect(() => simulate(withPackets(TWO_ISOLATED, [{ from: 'a', layers: udp, at: 0 }]))).toThrow(ModelGraphError);
  });
});
