import type { PhotoSrcs } from './avatar.js';

/**
 * The current photo of each of these people who has one, keyed by person id:
 * asked once per page for everyone on it (never once per row).
 */
export type FaceLookup = (districtId: number, personIds: readonly number[]) => Promise<Map<number, PhotoSrcs>>;
