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

  /**
   * POST a form and, as a browser does, follow its 303 to the page it names
   * (POST/redirect/GET): the POST's status, where it led, and the page shown.
   * A form refused without a redirect answers its own page.
   */
  async submit(
    path: string,
    fields: Record<string, string>,
    opts: { csrf?: boolean } = {},
  ): Promise<{ posted: number; location: string | undefined; status: number; html: string }> {
    return this.follow(await this.form(path, fields, opts));
  }

  /** A POST's answer as the browser ends up showing it: a 303 followed to its page, anything else as it came. */
  async follow(res: Response): Promise<{ posted: number; location: string | undefined; status: number; html: string }> {
    if (res.status !== 303) return { posted: res.status, location: undefined, status: res.status, html: await res.text() };
    const location = res.headers.get('location') ?? '';
    await res.body?.cancel();
    return { posted: 303, location, ...(await this.page(location)) };
  }

  async signIn(email: string, password: string): Promise<void> {
    const res = await this.form('/login', { email, password }, { csrf: false });
    assert.equal(res.status, 303, `sign-in as ${email} failed with ${res.status}`);
    await this.page('/people');
  }
}
