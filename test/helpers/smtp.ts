import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { waitForPorts } from './ports.js';

/** One message as the SMTP server stored it. */
export interface ReceivedMail {
  headers: Map<string, string>;
  body: string;
}

/**
 * A real SMTP server for the tests: Python's aiosmtpd (Debian's
 * python3-aiosmtpd) storing what it receives in a Maildir of its own.
 */
export class TestSmtpServer {
  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly child: ChildProcess,
  ) {}

  static async start(port: number): Promise<TestSmtpServer> {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lanyard-smtp-'));
    const maildir = path.join(dir, 'Maildir');
    const child = spawn('/usr/bin/python3', ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`, '-c', 'aiosmtpd.handlers.Mailbox', maildir], { stdio: ['ignore', 'pipe', 'pipe'] });
    await waitForPorts('aiosmtpd', child, [port]);
    return new TestSmtpServer(port, maildir, child);
  }

  /** Every message received so far, oldest first. */
  async messages(): Promise<ReceivedMail[]> {
    const folder = path.join(this.dir, 'new');
    const names = await fs.readdir(folder).catch(() => [] as string[]);
    const files = await Promise.all(names.map(async (n) => ({ n, stat: await fs.stat(path.join(folder, n)), text: await fs.readFile(path.join(folder, n), 'utf8') })));
    return files.sort((a, b) => a.stat.mtimeMs - b.stat.mtimeMs).map((f) => parseMail(f.text));
  }

  /** Waits for the first message whose subject matches. */
  async waitFor(subject: RegExp, timeoutMs = 60_000): Promise<ReceivedMail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = (await this.messages()).find((m) => subject.test(m.headers.get('subject') ?? ''));
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no e-mail with a subject like ${String(subject)} arrived within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((r) => this.child.once('exit', r));
      this.child.kill('SIGTERM');
      await exited;
    }
    await fs.rm(path.dirname(this.dir), { recursive: true, force: true });
  }
}

/** Headers (unfolded, names in lower case) and the body of a plain-text message; quoted-printable decoded. */
function parseMail(text: string): ReceivedMail {
  const [head = '', ...rest] = text.split(/\r?\n\r?\n/);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) headers.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
  }
  let body = rest.join('\n\n');
  if (/quoted-printable/i.test(headers.get('content-transfer-encoding') ?? '')) {
    body = Buffer.from(body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
  }
  return { headers, body };
}
