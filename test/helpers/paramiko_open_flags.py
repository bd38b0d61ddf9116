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
import sys

from paramiko_login import password_sftp


def main():
    port, username, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    steps = json.load(sys.stdin)
    t, sftp = password_sftp(port, username, password)
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
