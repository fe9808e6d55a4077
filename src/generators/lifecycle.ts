// Connection lifecycles as fast-check model-based commands (docs/architecture.md §5): open a TCP connection (SYN, SYN-ACK,
// ACK), send data either way, close it, a UDP request/response, idle time on the virtual clock, the cluster's
// policies removed or restored mid-connection, and pods added or deleted. Pods are referred to by index modulo
// the pod count (and nodes modulo the node count) so that shrinking keeps every step meaningful.
import fc from 'fast-check';

export type LifecycleStep =
  | { kind: 'open-tcp'; from: number; to: number; port: number }
  | { kind: 'data'; conn: number; fromServer: boolean }
  | { kind: 'close'; conn: number }
  | { kind: 'udp'; from: number; to: number; port: number }
  | { kind: 'idle'; seconds: number }
  | { kind: 'policies'; on: boolean }
  /** delete pod#pod, or add a pod with pod#pod's namespace and labels on node#node (a CNI DEL / ADD) */
  | { kind: 'pod'; add: boolean; pod: number; node: number };

const port = fc.constantFrom(53, 80, 443, 8080);
/** Plain objects: without it fc.record draws a flag per value for a null prototype (a slow dictionary object in V8). */
const PLAIN = { noNullPrototype: true } as const;

export const lifecycleStepArb: fc.Arbitrary<LifecycleStep> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('open-tcp' as const), from: fc.nat(), to: fc.nat(), port }, PLAIN) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('data' as const), conn: fc.nat(), fromServer: fc.boolean() }, PLAIN) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('close' as const), conn: fc.nat() }, PLAIN) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('udp' as const), from: fc.nat(), to: fc.nat(), port }, PLAIN) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('idle' as const), seconds: fc.oneof(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 121, max: 700 })) }, PLAIN) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('policies' as const), on: fc.boolean() }, PLAIN) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('pod' as const), add: fc.boolean(), pod: fc.nat(), node: fc.nat() }, PLAIN) },
);

export function describeStep(s: LifecycleStep): string {
  switch (s.kind) {
    case 'open-tcp':
      return `open TCP pod#${s.from} -> pod#${s.to}:${s.port}`;
    case 'data':
      return `data on connection #${s.conn} from the ${s.fromServer ? 'server' : 'client'}`;
    case 'close':
      return `FIN on connection #${s.conn}`;
    case 'udp':
      return `UDP pod#${s.from} -> pod#${s.to}:${s.port}`;
    case 'idle':
      return `idle ${s.seconds} s`;
    case 'policies':
      return s.on ? 'restore the policies' : 'remove every policy';
    case 'pod':
      return s.add ? `add a pod like pod#${s.pod} on node#${s.node}` : `delete pod#${s.pod}`;
  }
}
