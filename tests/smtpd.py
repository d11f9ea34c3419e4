#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tests/smtpd.py - a tiny real SMTP greeting server for the integration tests.

Usage: smtpd.py CONFIG.json

CONFIG is a JSON object:
  {
    "port": 2525,                       # one TCP port for every address
    "ready": "/scratch/smtpd.ready",    # written once every address is bound
    "log": "/scratch/smtpd.log",        # one JSON object per finished connection
    "line_delay": 0.05,                 # seconds before each greeting line
    "listeners": {                      # loopback address -> raw greeting bytes
      "127.100.0.1": "220 mx1.example ESMTP\\r\\n",
      "127.100.0.5": "220-a\\r\\n220 b\\r\\n"
    }
  }

For each connection it sends the configured greeting verbatim (line ends
included, so bare LF greetings are possible), one line at a time with
`line_delay` before each line, so a client that talks before the final
line has had time to do so and is caught ("pregreet", RFC 5321 section
4.3.1; Postfix postscreen penalises it).  Then it reads lines: QUIT gets
"221 2.0.0 Bye" and the connection is closed; anything else gets
"502 5.5.2 Command not recognized".  The connection is also closed on EOF or
after `idle_timeout` seconds (default 5) of silence.

Each finished connection appends one line to the log:
  {"addr": local address, "peer": client address, "pregreet": bool,
   "pregreet_bytes": what arrived early (latin-1),
   "lines": [lines received, line ends stripped, latin-1], "quit": bool}
The log file is opened, appended and closed per record, so a test may
truncate it between runs.

Only loopback addresses are accepted: this server exists for tests that
never leave the machine.  Standard library only.
"""

import asyncio
import ipaddress
import json
import os
import sys


class Conn:
    def __init__(self, cfg, greeting, reader, writer):
        self.cfg = cfg
        self.greeting = greeting
        self.reader = reader
        self.writer = writer
        sock = writer.get_extra_info("sockname")
        peer = writer.get_extra_info("peername")
        self.rec = {
            "addr": sock[0] if sock else None,
            "peer": "%s:%s" % (peer[0], peer[1]) if peer else None,
            "pregreet": False,
            "pregreet_bytes": "",
            "lines": [],
            "quit": False,
        }
        self.final_sent = False
        self.buf = bytearray()

    def log(self):
        with open(self.cfg["log"], "a", encoding="utf-8") as f:
            f.write(json.dumps(self.rec) + "\n")

    async def read_loop(self):
        idle = float(self.cfg.get("idle_timeout", 5))
        while True:
            try:
                data = await asyncio.wait_for(self.reader.read(4096), idle)
            except (asyncio.TimeoutError, ConnectionError):
                return
            if not data:
                return
            if not self.final_sent:
                # The greeting's final line has not been written yet: the
                # client spoke first.
                self.rec["pregreet"] = True
                self.rec["pregreet_bytes"] += data.decode("latin-1")
            self.buf += data
            while b"\n" in self.buf:
                line, _, rest = bytes(self.buf).partition(b"\n")
                self.buf = bytearray(rest)
                text = line.rstrip(b"\r").decode("latin-1")
                self.rec["lines"].append(text)
                if not self.final_sent:
                    continue  # never answer before our own greeting is out
                if text.strip().upper() == "QUIT":
                    self.rec["quit"] = True
                    self.writer.write(b"221 2.0.0 Bye\r\n")
                    return
                self.writer.write(b"502 5.5.2 Command not recognized\r\n")

    async def run(self):
        reader_task = asyncio.ensure_future(self.read_loop())
        delay = float(self.cfg.get("line_delay", 0.05))
        data = self.greeting.encode("latin-1")
        lines = data.splitlines(keepends=True)
        try:
            for i, line in enumerate(lines):
                await asyncio.sleep(delay)
                if reader_task.done():
                    break  # the client went away mid-greeting
                self.writer.write(line)
                if i == len(lines) - 1:
                    # Set before yielding to the loop, so data the reader
                    # sees from now on came after the final line was sent.
                    self.final_sent = True
                await self.writer.drain()
            await reader_task
            try:
                await self.writer.drain()
            except ConnectionError:
                pass
        except ConnectionError:
            pass
        finally:
            if not reader_task.done():
                reader_task.cancel()
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except (ConnectionError, OSError):
                pass
            # A line the client left without a line end still counts.
            if self.buf:
                self.rec["lines"].append(bytes(self.buf).decode("latin-1"))
            self.log()


async def main(cfg):
    servers = []
    for addr, greeting in cfg["listeners"].items():
        if not ipaddress.ip_address(addr).is_loopback:
            raise SystemExit("smtpd.py: %s is not a loopback address" % addr)

        def handler(reader, writer, g=greeting):
            return Conn(cfg, g, reader, writer).run()

        servers.append(await asyncio.start_server(handler, addr, int(cfg["port"]),
                                                  reuse_address=True))
    tmp = cfg["ready"] + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % os.getpid())
    os.rename(tmp, cfg["ready"])
    await asyncio.gather(*(s.serve_forever() for s in servers))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: smtpd.py CONFIG.json")
    with open(sys.argv[1], encoding="utf-8") as f:
        config = json.load(f)
    try:
        asyncio.run(main(config))
    except KeyboardInterrupt:
        pass
