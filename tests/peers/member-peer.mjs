// member-peer.mjs: one well-behaved room member (the official socket.io-client)
// that counts a flood, for tests/test-gw-hostile-transport.c.
//
//   node member-peer.mjs PORT TRANSPORT TOKEN
//
// Prints {"event":"ready"} (test_peer_start() waits for a first line), {"event":"connect"}, then {"event":"progress","count":N} after every
// 32nd "flood" event, {"event":"done","count":N,"inOrder":bool} on "floodDone"
// (each "flood" carries its sequence number first, from 0), and
// {"event":"disconnect","reason":…}.
//
// SPDX-License-Identifier: GPL-3.0-or-later

import { io } from "socket.io-client";

const [port, transport, token] = [Number(process.argv[2]), process.argv[3], process.argv[4]];
let count = 0;
let inOrder = true;

function print(object) {
  process.stdout.write(JSON.stringify(object) + "\n");
}

print({ event: "ready" });

const socket = io(`http://127.0.0.1:${port}`, {
  path: "/socket",
  transports: [transport],
  auth: { token },
  forceNew: true,
  reconnection: false,
  timeout: 20000,
});

socket.on("connect", () => print({ event: "connect", sid: socket.id }));
socket.on("connect_error", (error) => print({ event: "connect_error", message: error.message }));
socket.on("disconnect", (reason) => print({ event: "disconnect", reason }));
socket.on("flood", (seq) => {
  if (seq !== count) inOrder = false;
  count++;
  if (count % 32 === 0) print({ event: "progress", count });
});
socket.on("floodDone", () => print({ event: "done", count, inOrder }));
