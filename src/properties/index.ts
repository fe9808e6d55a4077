// The invariant catalogue: every property, by id. A plain list (no mutable registry): adding an invariant is
// adding a file and a line here.
import { connectionVerdictEqualsPolicy } from './connection-verdict-equals-policy.ts';
import { faultsKeepTheInvariants } from './faults-keep-the-invariants.ts';
import { deniedConnectionLeavesNoFrame } from './denied-connection-leaves-no-frame.ts';
import { encapsulatedTrafficAlwaysPermitted } from './encapsulated-traffic-always-permitted.ts';
import { outputAclIffReflectiveInput } from './output-acl-iff-reflective-input.ts';
import { responsePassesByReflectiveSession } from './response-passes-by-reflective-session.ts';
import { responsePathMirrorsRequest } from './response-path-mirrors-request.ts';
import { ttlAndChecksums } from './ttl-and-checksums.ts';
import { sessionExpiryOnVirtualClock } from './session-expiry-on-virtual-clock.ts';
import { natLoopbackReachesIsolatedPods } from './nat-loopback-reaches-isolated-pods.ts';
import { referenceAgreesWithAdapter } from './reference-agrees-with-adapter.ts';
import { connectionLifecycle } from './connection-lifecycle.ts';
import { oddPacketsAreContained } from './odd-packets-are-contained.ts';
import { sessionsEqualModel } from './sessions-equal-model.ts';
import type { PropertyDef } from './types.ts';
import { vxlanNeverSourceNated } from './vxlan-never-source-nated.ts';
import { vxlanWireFormat } from './vxlan-wire-format.ts';
import { traceEqualsModel } from './trace-equals-model.ts';
import { serviceTranslatedOnce } from './service-translated-once.ts';
import { servicePolicyAfterTranslation } from './service-policy-after-translation.ts';
import { serviceLoadSpread } from './service-load-spread.ts';
import { outsideLeavesWithNodeIp } from './outside-leaves-with-node-ip.ts';

// Each property has its own case type; the catalogue only needs them as opaque cases.
export const PROPERTIES: readonly PropertyDef<any>[] = [
  encapsulatedTrafficAlwaysPermitted,
  vxlanNeverSourceNated,
  responsePassesByReflectiveSession,
  connectionVerdictEqualsPolicy,
  deniedConnectionLeavesNoFrame,
  vxlanWireFormat,
  ttlAndChecksums,
  responsePathMirrorsRequest,
  outputAclIffReflectiveInput,
  sessionExpiryOnVirtualClock,
  natLoopbackReachesIsolatedPods,
  referenceAgreesWithAdapter,
  traceEqualsModel,
  connectionLifecycle,
  oddPacketsAreContained,
  faultsKeepTheInvariants,
  sessionsEqualModel,
  serviceTranslatedOnce,
  servicePolicyAfterTranslation,
  serviceLoadSpread,
  outsideLeavesWithNodeIp,
];

export function propertyById(id: string): PropertyDef<unknown> | undefined {
  return PROPERTIES.find((p) => p.id === id);
}
