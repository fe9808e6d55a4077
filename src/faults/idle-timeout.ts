// Time passes with no traffic, past (or not yet past) the short session timeouts a nemesis case with idle is set up with.
import type { FaultDef } from './types.ts';

/**
 * Nothing is sent for `seconds`. The model's clock moves on by as much and its session cleaner runs (§8.5: a
 * session idle longer than its class's timeout is gone; the next packet of its connection is judged by the rules
 * again, and a reply the policies deny is dropped). Real data paths wait in real time, so a case with an idle step
 * sets every data path up with the short timeouts of IDLE_SESSIONS (VPP: `set acl-plugin session timeout …`;
 * kernel: the conntrack timeout sysctls of each node namespace) and the model takes the same.
 *
 * NAT44 sessions have their own timeouts (NAT44-ED: UDP 300 s, TCP transitory 240 s, established 7440 s; conntrack
 * for the kernel) and are not shortened: the only NAT sessions on the pod path are those of the VXLAN identity
 * mappings (§9), which a new packet creates again translated to itself, so their expiry cannot be seen by a pod.
 */
export const idleTimeout: FaultDef = {
  id: 'idle-timeout',
  description: 'no traffic for a few seconds, past (or short of) the short session timeouts the case is set up with',
  vpp: 'none: set acl-plugin session timeout udp idle 2 / tcp transient 2 / tcp idle 6 at setup, then wait',
  during: 'nothing is sent',
  after: 'sessions idle longer than their timeout are gone (UDP and half-open or closing TCP after 2 s; established TCP after 6 s): the next packet of such a connection is judged by the rules again',
  cites: ['§8.4', '§8.5'],
};

/** The session timeouts (seconds) of every data path in a case with an idle step; NAT44 keeps its own. */
export const IDLE_SESSIONS = { udpIdle: 2, tcpTransient: 2, tcpIdle: 6 } as const;

/**
 * Idle times a step picks from (by `policy`, modulo): short of every timeout; past the UDP and transient TCP ones
 * but short of the established one; past all of them (each clear of every timeout by IDLE_MARGIN before it and
 * IDLE_LATE after it).
 */
export const IDLE_SECONDS: readonly number[] = [1, 5, 10];

/**
 * On a data path in real time, how far (seconds) a session's idle time must be from its timeout for the outcome to
 * be certain: packets take time to send and the session cleaner runs on its own schedule.
 */
export const IDLE_MARGIN = 1;

/**
 * How long (seconds) after its timeout an idle session may still pass on a real data path: VPP's acl-plugin removes
 * expired sessions from a cleaner process, not at lookup (docs/datapath.md §8.5), and on a loaded lab it was seen more
 * than 2 s late (an established session past its 6 s timeout by 2 s still passed).
 */
export const IDLE_LATE = 2.5;
