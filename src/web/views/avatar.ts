import { fullName } from '../../people/name.js';
import { html, type Html } from '../html.js';

/** The opaque, authorised URLs of a person's current photo, one per size (made by the photos module). */
export interface PhotoSrcs {
  thumb: string;
  profile: string;
}

export interface FaceView {
  firstName: string;
  lastName: string;
  /** The current photo, if there is one. */
  photo: PhotoSrcs | undefined;
}

export type FaceSize = 'thumb' | 'profile' | 'desk';

const initials = (p: FaceView) =>
  [p.firstName, p.lastName]
    .map((n) => Array.from(n.trim())[0] ?? '')
    .join('')
    .toUpperCase();

const SIZES: Record<FaceSize, { w: number; h: number; src: keyof PhotoSrcs }> = {
  thumb: { w: 48, h: 60, src: 'thumb' },
  profile: { w: 240, h: 300, src: 'profile' },
  // The desk shows the face as large as the tablet allows: identity is checked against it.
  desk: { w: 320, h: 400, src: 'profile' },
};

/**
 * A person's face wherever a person appears. With a photo: an <img> whose alt
 * is the full name (CONTRACT.md); lists load lazily. Without: initials, hidden
 * from screen readers since the name is always written next to the face.
 */
export function face(p: FaceView, size: FaceSize, opts: { lazy?: boolean } = {}): Html {
  const s = SIZES[size];
  if (p.photo) {
    const lazy = opts.lazy ? html` loading="lazy" decoding="async"` : '';
    return html`<img class="face face-${size}" src="${p.photo[s.src]}" alt="${fullName(p)}" width="${s.w}" height="${s.h}"${lazy}>`;
  }
  return html`<span class="face face-${size} face-none" aria-hidden="true">${initials(p)}</span>`;
}
