/** The one clock: ISO-8601 UTC text, as stored in both databases. */
export const nowIso = (): string => new Date().toISOString();

export const isoPlusSeconds = (iso: string, seconds: number): string => new Date(Date.parse(iso) + seconds * 1000).toISOString();
