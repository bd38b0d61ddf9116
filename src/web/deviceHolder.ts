/** Who has a device right now, if anyone: answered by the check-outs. */
export type DeviceHolderLookup = (districtId: number, deviceId: number) => Promise<{ localId: string; since: string } | undefined>;
