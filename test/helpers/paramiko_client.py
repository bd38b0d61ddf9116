"""paramiko (Debian's python3-paramiko) as an SFTP client for the tests.

Reads one JSON object on stdin:
  {"port": N, "username": "...", "password": "..." | null, "identity": "key file" | null,
   "hostKeys": ["SHA256:...", ...], "ops": [{"op": "ls", "path": "idphotos"}, ...]}
Logs in (checking the server's host key against the welcome sheet, then the key
and/or the password, as a district's script would), runs the ops in order and
prints one JSON object: {"login": "ok"} plus "results" (one per op, stopping at
the first failure), or {"login": "failed", "error": "..."}.

Ops: ls, put (local, remote), get (remote, local), rename (from, to), rm, mkdir, stat.
"""
import base64
import hashlib
import json
import socket
import sys

import paramiko

KEY_CLASSES = [paramiko.Ed25519Key, paramiko.ECDSAKey, paramiko.RSAKey]


def load_key(path):
    last = None
    for cls in KEY_CLASSES:
        try:
            return cls.from_private_key_file(path)
        except (paramiko.SSHException, ValueError) as e:
            last = e
    raise last


def fingerprint(key):
    digest = hashlib.sha256(key.asbytes()).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


def login(req):
    sock = socket.create_connection(("127.0.0.1", req["port"]), timeout=20)
    t = paramiko.Transport(sock)
    t.start_client(timeout=20)
    seen = fingerprint(t.get_remote_server_key())
    if seen not in req["hostKeys"]:
        t.close()
        raise paramiko.SSHException("host key " + seen + " is not on the welcome sheet")
    remaining = None
    if req.get("identity"):
        try:
            remaining = t.auth_publickey(req["username"], load_key(req["identity"]))
        except paramiko.AuthenticationException:
            pass  # on to the password, as paramiko's SSHClient does
    if not t.is_authenticated() and req.get("password") is not None:
        remaining = t.auth_password(req["username"], req["password"])
    if not t.is_authenticated():
        t.close()
        raise paramiko.AuthenticationException("still needs " + ",".join(remaining or []))
    return t


def run_op(sftp, op):
    kind = op["op"]
    if kind == "ls":
        return [
            {"name": a.filename, "size": a.st_size, "dir": bool(a.st_mode & 0o040000)}
            for a in sftp.listdir_attr(op["path"])
        ]
    if kind == "put":
        return sftp.put(op["local"], op["remote"]).st_size
    if kind == "get":
        sftp.get(op["remote"], op["local"])
        return None
    if kind == "rename":
        sftp.rename(op["from"], op["to"])
        return None
    if kind == "rm":
        sftp.remove(op["path"])
        return None
    if kind == "mkdir":
        sftp.mkdir(op["path"])
        return None
    if kind == "stat":
        return sftp.stat(op["path"]).st_size
    raise ValueError("unknown op " + kind)


def main():
    req = json.load(sys.stdin)
    try:
        t = login(req)
    except (paramiko.SSHException, OSError) as e:
        print(json.dumps({"login": "failed", "error": type(e).__name__ + ": " + str(e)}))
        return
    results = []
    try:
        sftp = paramiko.SFTPClient.from_transport(t)
        for op in req["ops"]:
            try:
                results.append({"ok": True, "value": run_op(sftp, op)})
            except (IOError, OSError) as e:
                # The server's own sentence is in the exception text.
                results.append({"ok": False, "error": str(e)})
                break
    finally:
        t.close()
    print(json.dumps({"login": "ok", "results": results}))


main()
