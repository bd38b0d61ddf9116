/** How a person is named on every page and in every photo's alt text. Kept apart from people.ts so views can use it without the database. */
export const fullName = (p: { firstName: string; lastName: string }): string => `${p.firstName} ${p.lastName}`.trim();
