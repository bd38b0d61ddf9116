import { html, type Html } from '../html.js';

export interface FaceView {
  firstName: string;
  lastName: string;
  /** Opaque, authorised URL of the current photo, if there is one. */
  photoUrl: string | null;
}

export type FaceSize = 'thumb' | 'profile';

export const fullName = (p: Pick<FaceView, 'firstName' | 'lastName'>): string => `${p.firstName} ${p.lastName}`.trim();

const initials = (p: FaceView) =>
  [p.firstName, p.lastName]
    .map((n) => Array.from(n.trim())[0] ?? '')
    .join('')
    .toUpperCase();

/**
 * A person's face wherever a person appears. With a photo: an <img> whose alt
 * is the full name (CONTRACT.md); lists load lazily. Without: initials, hidden
 * from screen readers since the name is always written next to the face.
 */
export function face(p: FaceView, size: FaceSize, opts: { lazy?: boolean } = {}): Html {
  const [w, h] = size === 'thumb' ? [48, 60] : [240, 300];
  if (p.photoUrl) {
    const src = `${p.photoUrl}${p.photoUrl.includes('?') ? '&' : '?'}size=${size}`;
    return html`<img class="face face-${size}" src="${src}" alt="${fullName(p)}" width="${w}" height="${h}"${opts.lazy ? html` loading="lazy" decoding="async"` : ''}>`;
  }
  return html`<span class="face face-${size} face-none" aria-hidden="true">${initials(p)}</span>`;
}
