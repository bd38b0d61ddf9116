/** Something@somewhere.tld with no spaces: the shape an email address must have, as staff sign-ins and rosters check it. */
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const looksLikeEmail = (s: string): boolean => EMAIL_SHAPE.test(s);
