import { html, type Html } from '../html.js';

/** The hidden field every form posts its CSRF token in (the server checks it before anything changes). */
export const csrfField = (csrf: string): Html => html`<input type="hidden" name="_csrf" value="${csrf}">`;

export const hidden = (name: string, value: string): Html => html`<input type="hidden" name="${name}" value="${value}">`;

/** A POST form carrying the CSRF token first, then its fields and button. */
export const postForm = (action: string, csrf: string, inner: Html, cls?: string): Html =>
  html`<form${cls ? html` class="${cls}"` : ''} method="post" action="${action}">${csrfField(csrf)}${inner}</form>`;

/** One choice of a <select>, selected when it is the current value. */
export const option = (value: string, label: string, current: string): Html =>
  html`<option value="${value}"${value === current ? html` selected` : ''}>${label}</option>`;

/** A label record's entries in its own order, for the choices of a <select>. */
export const choices = <K extends string>(labels: Record<K, string>): Array<[K, string]> => Object.entries(labels) as Array<[K, string]>;

/** The options of a label record, the current one selected. */
export const optionsOf = <K extends string>(labels: Record<K, string>, current: string): Html[] =>
  choices(labels).map(([value, label]) => option(value, label, current));

/** One filter of a list's search form: a label and its <select> (named as its id). */
export const filterSelect = (id: string, label: string, options: Html[]): Html =>
  html`<div class="field"><label for="${id}">${label}</label><select id="${id}" name="${id}">${options}</select></div>`;
