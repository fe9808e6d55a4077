// Nemesis histories (issue 13): connections and faults interleaved, as an array of steps so that shrinking removes
// faults as well as packets (fast-check shrinks the array and each step). Pods, nodes, connections and policies are
// referred to by index modulo their count, so every step stays meaningful when the cluster shrinks (docs/architecture.md §5).
import fc from 'fast-check';
import type { FaultId } from '../adapters/adapter.ts';
import { FAULT_IDS } from '../faults/index.ts';

export type NemesisStep =
  /** a new connection: TCP handshake (SYN, SYN-ACK, ACK) or a UDP request and response, pod#from → another pod */
  | { kind: 'connect'; from: number; to: number; protocol: 'TCP' | 'UDP'; port: number }
  /** a packet on open connection #conn (TCP data or a UDP datagram), from the client or the server */
  | { kind: 'data'; conn: number; fromServer: boolean }
  /** a fault; `target` picks the node or pod (modulo), `policy` which policy acl-replaced removes or restores, or
   * which item a fault acts on (properties/nemesis-faults.ts) */
  | { kind: 'fault'; fault: FaultId; target: number; policy: number };

const PLAIN = { noNullPrototype: true } as const;
const port = fc.constantFrom(53, 80, 443, 8080);

/** One step; faults only of the given kinds (none: connections and data only). */
export function nemesisStepArb(faults: readonly FaultId[] = FAULT_IDS): fc.Arbitrary<NemesisStep> {
  const traffic = [
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('connect' as const), from: fc.nat(), to: fc.nat(), protocol: fc.constantFrom('TCP' as const, 'UDP' as const), port }, PLAIN) },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('data' as const), conn: fc.nat(), fromServer: fc.boolean() }, PLAIN) },
  ];
  if (faults.length === 0) return fc.oneof(...traffic);
  const fault = fc.record({ kind: fc.constant('fault' as const), fault: fc.constantFrom(...faults), target: fc.nat(), policy: fc.nat() }, PLAIN);
  return fc.oneof(...traffic, { weight: 6, arbitrary: fault });
}

/** 1–14 steps. */
export function nemesisStepsArb(faults: readonly FaultId[] = FAULT_IDS): fc.Arbitrary<NemesisStep[]> {
  return fc.array(nemesisStepArb(faults), { minLength: 1, maxLength: 14 });
}

export function describeNemesisStep(s: NemesisStep): string {
  switch (s.kind) {
    case 'connect':
      return `${s.protocol} pod#${s.from} -> pod#${s.to}:${s.port}`;
    case 'data':
      return `data on connection #${s.conn} from the ${s.fromServer ? 'server' : 'client'}`;
    case 'fault':
      return `fault ${s.fault} (target #${s.target}${s.fault === 'acl-replaced' ? `, policy #${s.policy}` : ''})`;
  }
}
