"""Raw SFTP requests through paramiko (Debian's python3-paramiko), for what no
ordinary client sends: a READ far longer than any client asks, a write far
past the end of a file, hundreds of open handles, many session channels on
one connection, pipelined READs whose answers are never read.

    python3 paramiko_raw.py <scenario> <port> <username> <password> [args...]

Prints one JSON object per line; "hold" scenarios print {"ready": ...} and
then keep the connection (and everything it holds) until stdin closes.
"""
import json
import logging
import sys

import paramiko
from paramiko_login import password_transport
from paramiko.py3compat import long
from paramiko.sftp import CMD_CLOSE, CMD_DATA, CMD_OPEN, CMD_READ, CMD_STATUS, CMD_WRITE, SFTP_FLAG_CREATE, SFTP_FLAG_READ, SFTP_FLAG_TRUNC, SFTP_FLAG_WRITE
from paramiko.sftp_attr import SFTPAttributes


def connect(port, username, password, window_size=None):
    return password_transport(port, username, password, window_size)


def say(**kw):
    print(json.dumps(kw), flush=True)


def raw(sftp, t, *args):
    """One raw request and its answer: (type, message), or (CMD_STATUS, the server's sentence) for a failure."""
    try:
        return sftp._request(t, *args)
    except (IOError, EOFError) as e:
        # paramiko turns a failed STATUS into an exception carrying the server's sentence.
        return CMD_STATUS, str(e)


def open_handle(sftp, path, flags):
    attrs = SFTPAttributes()
    rt, msg = raw(sftp, CMD_OPEN, path, flags, attrs)
    if rt != 102:  # CMD_HANDLE
        return None, msg if isinstance(msg, str) else "not a handle"
    return msg.get_binary(), None


def read_long(port, username, password, path, length):
    t = connect(port, username, password)
    sftp = paramiko.SFTPClient.from_transport(t)
    handle, err = open_handle(sftp, path, SFTP_FLAG_READ)
    rt, msg = raw(sftp, CMD_READ, handle, long(0), int(length))
    say(asked=int(length), got=len(msg.get_binary()) if rt == CMD_DATA else None, answer=rt if rt != CMD_STATUS else msg)
    t.close()


def sparse(port, username, password, path, far):
    t = connect(port, username, password)
    sftp = paramiko.SFTPClient.from_transport(t)
    handle, err = open_handle(sftp, path, SFTP_FLAG_WRITE | SFTP_FLAG_CREATE | SFTP_FLAG_TRUNC)
    far = int(far)
    rt, msg = raw(sftp, CMD_WRITE, handle, long(far), b"x")
    say(step="far", refused=rt == CMD_STATUS and isinstance(msg, str), message=msg if isinstance(msg, str) else None)
    rt, msg = raw(sftp, CMD_CLOSE, handle)
    say(step="close", message=msg if isinstance(msg, str) else "ok")
    # The connection is still good for real work.
    say(step="listing", names=sorted(sftp.listdir(".")))
    t.close()


def handles(port, username, password, path, count):
    t = connect(port, username, password)
    sftp = paramiko.SFTPClient.from_transport(t)
    opened, refusal = [], None
    for _ in range(int(count)):
        h, err = open_handle(sftp, path, SFTP_FLAG_READ)
        if h is None:
            refusal = err
            break
        opened.append(h)
    # Still answering what needs no handle; after closing, everything again.
    size = sftp.stat(path).st_size
    for h in opened:
        raw(sftp, CMD_CLOSE, h)
    again, _ = open_handle(sftp, path, SFTP_FLAG_READ)
    listing = sorted(sftp.listdir("."))
    say(opened=len(opened), refusal=refusal, size=size, listing=listing, again=again is not None)
    t.close()


class Remember(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def channels(port, username, password, count):
    # paramiko keeps a refused channel's description out of its exception and only logs it.
    log = Remember()
    logging.getLogger("paramiko").addHandler(log)
    logging.getLogger("paramiko").setLevel(logging.INFO)
    t = connect(port, username, password)
    clients, refusal = [], None
    for _ in range(int(count)):
        try:
            clients.append(paramiko.SFTPClient.from_transport(t))
        except paramiko.ChannelException as e:
            said = [l for l in log.lines if "open FAILED" in l]
            refusal = "%s: %s" % (e.code, said[-1] if said else e.text)
            break
    works = sorted(clients[0].listdir(".")) if clients else None
    clients[-1].close()
    try:
        paramiko.SFTPClient.from_transport(t).listdir(".")
        after_close = True
    except paramiko.ChannelException:
        after_close = False
    say(opened=len(clients), refusal=refusal, listing=works, after_close=after_close)
    t.close()


def hold_reads(port, username, password, path, channels_n, handles_n, reads_n, length):
    """Opens channels, each with many handles, then pipelines READs on all of them and never reads an answer."""
    t = connect(port, username, password)
    opened = []
    for _ in range(int(channels_n)):
        try:
            sftp = paramiko.SFTPClient.from_transport(t)
        except paramiko.ChannelException:
            break
        hs = []
        for _ in range(int(handles_n)):
            h, err = open_handle(sftp, path, SFTP_FLAG_READ)
            if h is None:
                break
            hs.append(h)
        if hs:
            opened.append((sftp, hs))
    for sftp, hs in opened:
        for i in range(int(reads_n)):
            # Never read: paramiko's window stays shut once its buffer is full.
            sftp._async_request(type(None), CMD_READ, hs[i % len(hs)], long((i * 262144) % (64 * 1024 * 1024)), int(length))
    say(ready=True, channels=len(opened), handles=sum(len(hs) for _, hs in opened))
    sys.stdin.read()
    t.close()


def open_keep(port, username, password, path):
    """Opens an existing file for writing without truncating (as a resume does), holds it, then closes it unwritten."""
    t = connect(port, username, password)
    sftp = paramiko.SFTPClient.from_transport(t)
    handle, err = open_handle(sftp, path, SFTP_FLAG_WRITE)
    say(ready=handle is not None, error=err)
    sys.stdin.read()
    rt, msg = raw(sftp, CMD_CLOSE, handle)
    say(closed=True, message=msg if isinstance(msg, str) else "ok")
    t.close()


def write_hold(port, username, password, path, local):
    """Uploads `local` in two halves: writes the first, says so, waits for its input to end, then the rest and CLOSE."""
    with open(local, "rb") as f:
        data = f.read()
    t = connect(port, username, password)
    sftp = paramiko.SFTPClient.from_transport(t)
    handle, err = open_handle(sftp, path, SFTP_FLAG_WRITE | SFTP_FLAG_CREATE | SFTP_FLAG_TRUNC)
    half = len(data) // 2
    for off in range(0, half, 32768):
        raw(sftp, CMD_WRITE, handle, long(off), data[off:min(off + 32768, half)])
    say(half=True, error=err)
    sys.stdin.read()
    for off in range(half, len(data), 32768):
        raw(sftp, CMD_WRITE, handle, long(off), data[off:off + 32768])
    rt, msg = raw(sftp, CMD_CLOSE, handle)
    say(closed=True, message=msg if isinstance(msg, str) else "ok")
    t.close()


def sparse_build(port, username, password, path, mib):
    """A file of `mib` MiB made of one byte per MiB: what the write-gap rule still allows, holes and all."""
    t = connect(port, username, password)
    sftp = paramiko.SFTPClient.from_transport(t)
    handle, err = open_handle(sftp, path, SFTP_FLAG_WRITE | SFTP_FLAG_CREATE | SFTP_FLAG_TRUNC)
    refused = None
    for i in range(int(mib) + 1):
        rt, msg = raw(sftp, CMD_WRITE, handle, long(i * 1024 * 1024), b"x")
        if isinstance(msg, str) and msg:
            refused = msg
            break
    rt, msg = raw(sftp, CMD_CLOSE, handle)
    say(size=sftp.stat(path).st_size, refused=refused)
    t.close()


def lag_reads(port, username, password, path, local, count, pause):
    """Pipelines READs, reads no answer for a while (its window shuts), then reads them all and checks each."""
    import time
    from paramiko.message import Message

    with open(local, "rb") as f:
        expected = f.read()
    t = connect(port, username, password)
    sftp = paramiko.SFTPClient.from_transport(t)
    handle, err = open_handle(sftp, path, SFTP_FLAG_READ)
    step = 255 * 1024
    span = len(expected) - step
    asked = {}
    for i in range(int(count)):
        offset = (i * 7919 * 1024) % span
        asked[sftp._async_request(type(None), CMD_READ, handle, long(offset), int(step))] = offset
    time.sleep(float(pause))
    right = wrong = 0
    for _ in range(int(count)):
        kind, data = sftp._read_packet()
        msg = Message(data)
        num = msg.get_int()
        offset = asked.pop(num)
        if kind == CMD_DATA and msg.get_string() == expected[offset:offset + step]:
            right += 1
        else:
            wrong += 1
    say(right=right, wrong=wrong, unanswered=len(asked))
    t.close()


SCENARIOS = {"lag-reads": lag_reads, "sparse-build": sparse_build, "open-keep": open_keep, "read-long": read_long, "sparse": sparse, "handles": handles, "channels": channels, "hold-reads": hold_reads, "write-hold": write_hold}

if __name__ == "__main__":
    name, port, username, password, *rest = sys.argv[1:]
    SCENARIOS[name](int(port), username, password, *rest)
