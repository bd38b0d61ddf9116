"""The password login the paramiko helper scripts share (imported from their own folder)."""
import socket

import paramiko


def password_transport(port, username, password, window_size=None, timeout=60):
    """An authenticated SSH transport to Lanyard on 127.0.0.1:port; window_size overrides the channel window."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    t = paramiko.Transport(sock)
    if window_size:
        t.default_window_size = window_size
    t.start_client(timeout=timeout)
    t.auth_password(username, password)
    return t


def password_sftp(port, username, password):
    """The transport and an SFTP client over it; close the transport when done."""
    t = password_transport(port, username, password)
    return t, paramiko.SFTPClient.from_transport(t)
