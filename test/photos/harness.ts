/**
 * What the photo tests share: a running Lanyard with a district whose people
 * come from the fixtures, uploads through OpenSSH's sftp, and the API a
 * district's integration would read.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { openDb } from '../../src/db/db.js';
import { FIXTURES, type RunningLanyard, type Workspace } from '../helpers/lanyard.js';
import { opensshSftp } from '../helpers/openssh.js';
import { insertPeople, type TestPerson } from '../helpers/people.js';

export const PASSWORD = 'correct horse battery staple';
export const PHOTOS = path.join(FIXTURES, 'photos');
export const PACKAGES = path.join(FIXTURES, 'packages');

export interface ApiEvent {
  id: number;
  at: string;
  source: string;
  folder: string;
  file: string;
  action: string;
  outcome: string;
  localId: string | null;
  message: string;
  sha256: string | null;
}

export interface ApiPerson {
  localId: string;
  firstName: string;
  lastName: string;
  role: string;
  active: boolean;
  photo: null | { url: string; sha256: string; updatedAt: string; warnings: string[] };
}

interface FixturePeople {
  students: Array<{ localId: string; first: string; last: string; grade?: string; school?: string }>;
  staff: Array<{ localId: string; first: string; last: string; school?: string }>;
}

/** Everyone in people.json, except those named (who arrive later). */
export function fixturePeople(except: string[] = []): TestPerson[] {
  const all = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'people.json'), 'utf8')) as FixturePeople;
  return [
    ...all.students.map((s): TestPerson => ({ localId: s.localId, firstName: s.first, lastName: s.last, role: 'student' })),
    ...all.staff.map((s): TestPerson => ({ localId: s.localId, firstName: s.first, lastName: s.last, role: 'staff' })),
  ].filter((p) => !except.includes(p.localId));
}

export async function addPeople(ws: Workspace, slug: string, people: TestPerson[]): Promise<void> {
  await insertPeople(ws, slug, people);
}

/** A way to the workspace's database while the server runs (what a roster import does, done directly). */
export async function withDb<T>(ws: Workspace, fn: (db: Awaited<ReturnType<typeof openDb>>) => Promise<T>): Promise<T> {
  const db = await openDb({ dataDir: ws.dataDir, databaseUrl: ws.databaseUrl });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

export const sftpQuote = (s: string): string => `"${s.replace(/(["\\])/g, '\\$1')}"`;

/** Where a district's clients connect: one node, or HAProxy in front of several. */
export type Endpoint = Pick<RunningLanyard, 'sftpPort' | 'url'>;

export class District {
  constructor(
    readonly server: Endpoint,
    readonly slug: string,
    readonly token: string,
  ) {}

  get auth(): Record<string, string> {
    return { authorization: `Bearer ${this.token}` };
  }

  async sftp(commands: string[]): Promise<void> {
    const r = await opensshSftp({ port: this.server.sftpPort, username: this.slug, password: PASSWORD }, commands);
    assert.equal(r.code, 0, r.output);
  }

  /** Puts local files into idphotos under their own names (or the given ones). */
  async upload(files: Array<string | [local: string, remote: string]>): Promise<void> {
    await this.sftp(
      files.map((f) => {
        const [local, remote] = typeof f === 'string' ? [f, path.basename(f)] : f;
        return `put ${sftpQuote(local)} ${sftpQuote(`idphotos/${remote}`)}`;
      }),
    );
  }

  async events(after = 0): Promise<ApiEvent[]> {
    const out: ApiEvent[] = [];
    for (;;) {
      const res = await fetch(this.server.url(`/api/v1/intake/events?after=${after}`), { headers: this.auth });
      assert.equal(res.status, 200);
      const page = ((await res.json()) as { events: ApiEvent[] }).events;
      out.push(...page);
      if (page.length < 1000) return out;
      after = page[page.length - 1]!.id;
    }
  }

  async lastEventId(): Promise<number> {
    return (await this.events()).at(-1)?.id ?? 0;
  }

  /** Waits (generously) until every event after `after` has an outcome, and at least `count` exist. */
  async settled(after: number, count: number, timeoutMs = 60_000): Promise<ApiEvent[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const got = await this.events(after);
      if (got.length >= count && got.every((e) => e.outcome !== 'received')) return got;
      if (Date.now() > deadline) assert.fail(`events not processed in time: ${JSON.stringify(got.filter((e) => e.outcome === 'received').slice(0, 5))} (${got.length}/${count})`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async person(localId: string): Promise<ApiPerson> {
    const res = await fetch(this.server.url(`/api/v1/people/${encodeURIComponent(localId)}`), { headers: this.auth });
    assert.equal(res.status, 200, `person ${localId}`);
    return (await res.json()) as ApiPerson;
  }

  async image(url: string, size: 'thumb' | 'profile' = 'profile'): Promise<Buffer> {
    const res = await fetch(this.server.url(`${url}?size=${size}`), { headers: this.auth });
    assert.equal(res.status, 200, `${url} ${size}`);
    assert.equal(res.headers.get('content-type'), 'image/jpeg');
    return Buffer.from(await res.arrayBuffer());
  }
}
