"""SFTP OPEN's flags through paramiko (Debian's python3-paramiko), as a
district's Python script would open files: each step opens a path with a
Python file mode ("w": create or truncate; "wx": create only if new, O_EXCL;
"r+": an existing file only, no O_CREAT, kept as it is), writes the given
bytes at the given offset and closes it.

    python3 paramiko_open_flags.py <port> <username> <password>   (steps as JSON on stdin)

Steps: [{"path": "...", "mode": "w", "offset": 0, "data": "text"}, ...]. Prints
one JSON list: per step {"ok": true, "size": <size after>} or {"ok": false, "error": "..."}.
"""
import json
import socket
import sys

import paramiko


def main():
    port, username, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    steps = json.load(sys.stdin)
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    t = paramiko.Transport(sock)
    t.start_client(timeout=60)
    t.auth_password(username, password)
    sftp = paramiko.SFTPClient.from_transport(t)
    out = []
    for step in steps:
        try:
            with sftp.open(step["path"], step["mode"]) as f:
                f.seek(step.get("offset", 0))
                f.write(step["data"].encode())
            out.append({"ok": True, "size": sftp.stat(step["path"]).st_size})
        except IOError as e:
            out.append({"ok": False, "error": str(e)})
    print(json.dumps(out), flush=True)
    sftp.close()
    t.close()


if __name__ == "__main__":
    main()
