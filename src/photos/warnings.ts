/**
 * What the photo quality checks can find (CONTRACT.md's codes). A warning
 * never keeps a photo off its person: the photo is shown and the warning is
 * said beside it, on the profile and in the delivery's report.
 */
export const PHOTO_WARNINGS = ['too-small', 'too-dark', 'too-bright', 'blank', 'blurred', 'not-portrait', 'same-as-another'] as const;

export type PhotoWarning = (typeof PHOTO_WARNINGS)[number];

/** What each code means to the person who took or sent the photo, and what to do. */
export const WARNING_SENTENCES: Readonly<Record<PhotoWarning, string>> = {
  'too-small': 'smaller than the profile size (600 × 750 pixels): it will look soft on badges; send a larger photo',
  'too-dark': 'much too dark: retake it with more light',
  'too-bright': 'much too bright (washed out): retake it with less light or flash',
  blank: 'almost a single colour (a lens cap or a blank frame): retake it',
  blurred: 'blurred or out of focus: retake it',
  'not-portrait': 'wider than it is tall: the crop to a portrait may cut the face; send a portrait photo',
  'same-as-another': "the same picture as another person's photo: the file may carry the wrong Local ID",
};

/** A few words for a tag beside the photo. */
export const WARNING_LABELS: Readonly<Record<PhotoWarning, string>> = {
  'too-small': 'Too small',
  'too-dark': 'Too dark',
  'too-bright': 'Too bright',
  blank: 'Blank',
  blurred: 'Blurred',
  'not-portrait': 'Not portrait',
  'same-as-another': "Same as another person's",
};

const isWarning = (s: string): s is PhotoWarning => (PHOTO_WARNINGS as readonly string[]).includes(s);

/** As stored on an event or a version: comma-separated codes, empty for none. */
export const encodeWarnings = (w: readonly PhotoWarning[]): string => w.join(',');

export function decodeWarnings(stored: string | null | undefined): PhotoWarning[] {
  if (!stored) return [];
  return stored.split(',').filter(isWarning);
}

/** One sentence for a list of warnings. */
export function describeWarnings(w: readonly PhotoWarning[]): string {
  if (w.length === 0) return '';
  const s = w.map((code) => WARNING_SENTENCES[code]).join('; ');
  return `Check this photo: ${s}.`;
}
