import { LanyardError } from '../shared/errors.js';

declare const slugBrand: unique symbol;
/** A district's short name: its SFTP username and its address in URLs. */
export type Slug = string & { readonly [slugBrand]: true };

const SLUG = /^[a-z0-9][a-z0-9_-]{0,38}[a-z0-9]$/;

export function parseSlug(raw: string): Slug {
  if (!SLUG.test(raw)) {
    throw new LanyardError(
      'invalid',
      `"${raw}" cannot be a district's short name: use 2 to 40 lowercase letters, digits, hyphens and underscores (for example "springfield-usd").`,
    );
  }
  return raw as Slug;
}
