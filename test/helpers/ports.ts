import type { ChildProcess } from 'node:child_process';
import net from 'node:net';

/** A loopback port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export function canConnect(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, host);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Waits until `child` accepts connections on every port (programs that print nothing when ready), or fails with what it said. */
export async function waitForPorts(name: string, child: ChildProcess, ports: number[], timeoutMs = 10_000): Promise<void> {
  let said = '';
  child.stderr?.on('data', (d: Buffer) => (said += d.toString()));
  child.stdout?.on('data', (d: Buffer) => (said += d.toString()));
  const deadline = Date.now() + timeoutMs;
  for (const port of ports) {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}) before listening: ${said}`);
      if (await canConnect(port)) break;
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`${name} did not listen on ${port} within ${timeoutMs} ms: ${said}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
