"""OpenSSH's SFTP extensions through paramiko (Debian's python3-paramiko):
posix-rename@openssh.com through SFTPClient.posix_rename, which is what a
district's Python script calls, and statvfs@openssh.com, for which paramiko
has no method, as a raw EXTENDED request.

    python3 paramiko_extensions.py <port> <username> <password> <from> <to> <statvfs-path>

Prints one JSON object: {"renamed": bool, "rename_error": str|null, "statvfs": {...}|null, "statvfs_error": str|null}.
"""
import json
import sys

from paramiko_login import password_sftp
from paramiko.sftp import CMD_EXTENDED, CMD_EXTENDED_REPLY

STATVFS_FIELDS = ["f_bsize", "f_frsize", "f_blocks", "f_bfree", "f_bavail", "f_files", "f_ffree", "f_favail", "f_fsid", "f_flag", "f_namemax"]


def main():
    port, username, password, src, dst, where = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
    t, sftp = password_sftp(port, username, password)
    out = {"renamed": False, "rename_error": None, "statvfs": None, "statvfs_error": None}
    try:
        sftp.posix_rename(src, dst)
        out["renamed"] = True
    except IOError as e:
        out["rename_error"] = str(e)
    try:
        kind, msg = sftp._request(CMD_EXTENDED, "statvfs@openssh.com", where)
        if kind != CMD_EXTENDED_REPLY:
            raise IOError("unexpected answer %d" % kind)
        out["statvfs"] = {name: msg.get_int64() for name in STATVFS_FIELDS}
    except IOError as e:
        out["statvfs_error"] = str(e)
    print(json.dumps(out), flush=True)
    sftp.close()
    t.close()


if __name__ == "__main__":
    main()
