"""A district's upload script, through paramiko (Debian's python3-paramiko),
that says what it has seen: one JSON line the moment each upload is
acknowledged, so a test can kill a server in the middle of a batch and know
exactly which uploads the client was told were stored.

Reads one JSON object on stdin:
  {"port": N, "username": "...", "password": "...", "source": "127.0.0.x" | null,
   "hostKeys": ["SHA256:...", ...], "files": [["local path", "remote path"], ...],
   "holdAfter": n (optional)}
With holdAfter, the client stops sending once it has sent that many bytes of
a file and waits, connected, until the connection ends: an upload sure to be
in the middle when the test kills the server, however fast the machine is.
Prints, one JSON object per line, flushed at once:
  {"login": "ok", "hostKey": "SHA256:..."}   (or {"login": "failed", "error": "..."} and exits)
  {"sent": remote, "bytes": n}               every 4 MiB of a file, while it is being written
  {"acked": remote}                          the server answered the CLOSE with OK
  {"failed": remote, "error": "..."}         the upload or the connection failed; nothing more follows
  {"done": true}                             every file was acknowledged
"""
import base64
import hashlib
import json
import socket
import sys
import time

import paramiko

PROGRESS_STEP = 4 * 1024 * 1024


def say(**kw):
    print(json.dumps(kw), flush=True)


def fingerprint(key):
    return "SHA256:" + base64.b64encode(hashlib.sha256(key.asbytes()).digest()).decode().rstrip("=")


def main():
    req = json.load(sys.stdin)
    source = (req["source"], 0) if req.get("source") else None
    try:
        sock = socket.create_connection(("127.0.0.1", req["port"]), timeout=30, source_address=source)
        t = paramiko.Transport(sock)
        t.start_client(timeout=30)
        seen = fingerprint(t.get_remote_server_key())
        if seen not in req["hostKeys"]:
            t.close()
            raise paramiko.SSHException("host key " + seen + " is not on the welcome sheet")
        t.auth_password(req["username"], req["password"])
        sftp = paramiko.SFTPClient.from_transport(t)
    except (paramiko.SSHException, OSError, EOFError) as e:
        say(login="failed", error=type(e).__name__ + ": " + str(e))
        return
    say(login="ok", hostKey=seen)
    for local, remote in req["files"]:
        marks = {"next": PROGRESS_STEP}

        def progress(sent, _total, remote=remote, marks=marks):
            if sent >= marks["next"]:
                marks["next"] = sent + PROGRESS_STEP
                say(sent=remote, bytes=sent)
            if req.get("holdAfter") and sent >= req["holdAfter"]:
                while t.is_active():
                    time.sleep(0.05)
                raise EOFError("the connection ended while the upload was held")

        try:
            # confirm=False: put returns when the CLOSE is answered, which is the acknowledgement;
            # a stat after it would be a second question the test does not ask.
            sftp.put(local, remote, callback=progress, confirm=False)
        except (IOError, OSError, EOFError, paramiko.SSHException) as e:
            say(failed=remote, error=type(e).__name__ + ": " + str(e))
            return
        say(acked=remote)
    t.close()
    say(done=True)


main()
