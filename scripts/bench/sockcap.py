#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""scripts/bench/sockcap.py - print how many 46-byte UDP datagrams (the size
of a PTR query) a loopback socket with the default receive buffer queues
before the kernel starts dropping.  Sends 2,000 to a socket that does not
read, then counts what arrived.  Loopback only; standard library only."""
import socket

r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
r.bind(("127.0.0.1", 0))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(2000):
    s.sendto(b"q" * 46, r.getsockname())
r.setblocking(False)
n = 0
try:
    while True:
        r.recv(512)
        n += 1
except BlockingIOError:
    pass
print(n)
