// The fault catalogue of the nemesis (issue 13): every fault, by id. A plain list, as properties/index.ts: adding a
// fault is adding a file, a line here, its Fault variant (adapters/adapter.ts) and the model's meaning
// (reference/state/faults.ts).
import type { FaultId } from '../adapters/adapter.ts';
import { aclReplaced } from './acl-replaced.ts';
import { aclResync } from './acl-resync.ts';
import { aclSessionsCleared } from './acl-sessions-cleared.ts';
import { configDrift } from './config-drift.ts';
import { natSessionsCleared } from './nat-sessions-cleared.ts';
import { podReplaced } from './pod-replaced.ts';
import { tapFlap } from './tap-flap.ts';
import { wireImpaired } from './wire-impaired.ts';
import { idleTimeout } from './idle-timeout.ts';
import type { FaultDef } from './types.ts';
import { linkFlap } from './link-flap.ts';
import { nodeRestart } from './node-restart.ts';

export type { FaultDef } from './types.ts';

export const FAULTS: readonly FaultDef[] = [aclSessionsCleared, natSessionsCleared, aclResync, aclReplaced, tapFlap, podReplaced];
// link flaps and node restarts (issue 13), appended on a line of their own
(FAULTS as FaultDef[]).push(linkFlap, nodeRestart);
// the wire impaired and idle time (issue 13)
(FAULTS as FaultDef[]).push(wireImpaired, idleTimeout);
// configuration drift and resync (issue 13)
(FAULTS as FaultDef[]).push(configDrift);

export const FAULT_IDS: readonly FaultId[] = FAULTS.map((f) => f.id);

export function faultById(id: string): FaultDef | undefined {
  return FAULTS.find((f) => f.id === id);
}

/** `all` or `id,id,…` → fault ids (catalogue order); an unknown id is an error naming the known ones. */
export function parseFaultList(text: string): FaultId[] {
  if (text.trim() === 'all') return [...FAULT_IDS];
  const ids = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (ids.length === 0) throw new Error(`expected all or a list of fault ids (${FAULT_IDS.join(', ')})`);
  for (const id of ids) if (!faultById(id)) throw new Error(`unknown fault '${id}' (known: ${FAULT_IDS.join(', ')})`);
  return FAULT_IDS.filter((id) => ids.includes(id));
}
