import assert from 'node:assert/strict';
import type { RunningLanyard } from './lanyard.js';

/** A browser-like client over real HTTP: keeps cookies, follows no redirects by itself, knows its CSRF token. */
export class WebClient {
  cookies = new Map<string, string>();
  csrf = '';
  constructor(private readonly server: Pick<RunningLanyard, 'url'>) {}

  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(this.server.url(path), { ...init, headers, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [k, v] = pair!.split('=');
      if (v) this.cookies.set(k!, v);
      else this.cookies.delete(k!);
    }
    return res;
  }

  /** GET a page and return its status and HTML, remembering the page's CSRF token. */
  async page(path: string): Promise<{ status: number; html: string }> {
    const res = await this.fetch(path);
    const html = await res.text();
    const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(html)?.[1];
    if (csrf) this.csrf = csrf;
    return { status: res.status, html };
  }

  /** POST a form with the CSRF token (unless `csrf: false`). */
  form(path: string, fields: Record<string, string>, opts: { csrf?: boolean } = {}): Promise<Response> {
    const body = new URLSearchParams(opts.csrf === false ? fields : { ...fields, _csrf: this.csrf });
    return this.fetch(path, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  }

  async signIn(email: string, password: string): Promise<void> {
    const res = await this.form('/login', { email, password }, { csrf: false });
    assert.equal(res.status, 303, `sign-in as ${email} failed with ${res.status}`);
    await this.page('/people');
  }
}
