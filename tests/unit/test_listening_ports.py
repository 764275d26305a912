"""How the grader sees which ports listen, and how many connections wait: netlink, with /proc as the fallback."""

import os
import socket

import pytest

from autograder.listening import _listening_sockets_netlink, _listening_sockets_proc, accept_queue, listening_ports

pytestmark = pytest.mark.skipif(not os.path.exists("/proc/net/tcp"), reason="Linux only")


def test_a_listening_socket_is_seen_by_both_ways_with_its_inode():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        inode = str(os.fstat(listener.fileno()).st_ino)
        assert (port, inode, 0) in _listening_sockets_netlink()
        assert (port, inode, 0) in _listening_sockets_proc()
        assert port in listening_ports({inode})
        assert port not in listening_ports({"0"})


def test_a_connected_socket_is_not_listening():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        with socket.create_connection(listener.getsockname()) as client:
            client_port = client.getsockname()[1]
            assert client_port not in listening_ports()
        port = listener.getsockname()[1]
    assert port not in listening_ports()


def test_the_accept_queue_counts_connections_not_accepted_yet():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        port = listener.getsockname()[1]
        assert accept_queue(port) == 0
        clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(3)]
        assert accept_queue(port) == 3
        accepted, _ = listener.accept()
        assert accept_queue(port) == 2
        for sock in clients + [accepted]:
            sock.close()
    assert accept_queue(port) is None
