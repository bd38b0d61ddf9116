/**
 * The key two asset tags share when they differ only in letter case: what
 * the desk, the API and the pages look a tag up by, and what the unique
 * index on devices.asset_tag_key (migration 0090) keeps single. The tag
 * itself is stored as entered.
 */
export function assetTagKey(tag: string): string {
  return tag.trim().toLowerCase();
}
