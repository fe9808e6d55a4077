// Where Contiv's design does not hold on today's VPP and the model in vpp-current does what VPP 26.06 does: per
// profile and property, the one claim code the property may raise on the unbroken model, with its finding. Used by
// the catalogue test and the mutation catalogue; any other claim still fails them.
export const DESIGN_FINDINGS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'vpp-current': {
    // NAT44-ED's output feature runs before acl-plugin-out-ip4-fa: the Global ACL sees the node IP, an egress
    // policy towards the outside is not enforced (findings/vpp-26.06-nat-before-egress-acl, docs/datapath.md §17.10)
    'outside-leaves-with-node-ip': 'left-though-denied',
  },
};

/** Whether an invalid verdict's claims are all the design finding the profile's model shares with VPP. */
export function onlyDesignFinding(profile: string, property: string, claims: readonly { code: string }[]): boolean {
  const code = DESIGN_FINDINGS[profile]?.[property];
  return code !== undefined && claims.every((c) => c.code === code);
}
