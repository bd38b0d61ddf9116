import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Workspace, type RunningLanyard } from '../helpers/lanyard.js';
import { run } from '../helpers/run.js';

const PASSWORD = 'correct horse battery staple';

/** paramiko (Debian's python3-paramiko): prints the server's own message for a failed SFTP request. */
const LIST_ROOT = `
import sys, paramiko
t = paramiko.Transport(("127.0.0.1", int(sys.argv[1])))
t.connect(username=sys.argv[2], password=sys.argv[3])
s = paramiko.SFTPClient.from_transport(t)
try:
    print("LISTED", sorted(s.listdir(".")))
except IOError as e:
    print("REFUSED", e)
t.close()
`;

const listRoot = (port: number) => run('/usr/bin/python3', ['-c', LIST_ROOT, String(port), 'springfield', PASSWORD]);

describe('connection limits a district can run into', () => {
  let ws: Workspace;
  let server: RunningLanyard;

  before(async () => {
    ws = await Workspace.create('sqlite');
    await ws.district('springfield', PASSWORD);
    server = await ws.start([], { LANYARD_SESSIONS_PER_DISTRICT: '1', LANYARD_IDLE_TIMEOUT: '2', LANYARD_LOGIN_GRACE: '2' });
  });
  after(async () => {
    await server?.stop();
    await ws?.dispose();
  });

  test('one session more than allowed is told why, and works again once the first ends', async () => {
    // The first session stays open: OpenSSH's sftp waiting for commands on a pipe.
    const first = spawn('sshpass', ['-p', PASSWORD, 'sftp', '-oBatchMode=no', '-oStrictHostKeyChecking=no', '-oUserKnownHostsFile=/dev/null', '-P', String(server.sftpPort), 'springfield@127.0.0.1'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let firstOut = '';
    first.stdout.on('data', (d: Buffer) => (firstOut += d.toString()));
    first.stdin.write('ls\n');
    for (let i = 0; i < 100 && !/idphotos/.test(firstOut); i++) await new Promise((r) => setTimeout(r, 100));
    assert.match(firstOut, /idphotos/, 'the first session works');

    const second = await listRoot(server.sftpPort);
    assert.match(second.stdout, /REFUSED .*Too many connections for springfield \(at most 1 at once\): close other sessions and try again/);

    first.stdin.end('bye\n');
    await new Promise((r) => first.once('close', r));
    let again = await listRoot(server.sftpPort);
    for (let i = 0; i < 20 && !/LISTED/.test(again.stdout); i++) {
      await new Promise((r) => setTimeout(r, 200));
      again = await listRoot(server.sftpPort);
    }
    assert.match(again.stdout, /LISTED \['data', 'idphotos'\]/);
  });

  test('a connection that never logs in is closed after the grace time', async () => {
    const socket = net.connect(server.sftpPort, '127.0.0.1');
    socket.on('data', () => undefined);
    socket.write('SSH-2.0-Idle_Client\r\n');
    const closed = await new Promise<boolean>((resolve) => {
      socket.once('close', () => resolve(true));
      setTimeout(() => resolve(false), 15_000).unref();
    });
    assert.equal(closed, true);
  });

  test('an idle session is disconnected after the idle timeout', async () => {
    const script = `
import sys, time, paramiko
t = paramiko.Transport(("127.0.0.1", int(sys.argv[1])))
t.connect(username="springfield", password=sys.argv[2])
s = paramiko.SFTPClient.from_transport(t)
s.listdir(".")
for _ in range(100):
    if not t.is_active():
        print("DISCONNECTED")
        break
    time.sleep(0.1)
else:
    print("STILL CONNECTED")
`;
    const r = await run('/usr/bin/python3', ['-c', script, String(server.sftpPort), PASSWORD]);
    assert.match(r.stdout, /DISCONNECTED/, r.output);
  });
});
