// fanout-peer.mjs: N official socket.io clients (WebSocket only) that check
// what a burst of broadcasts brings each of them, for test-sio-fanout.c.
//
//   node fanout-peer.mjs PORT N
//
// Each client sends its index as the handshake auth {index}, so the test
// can tell which server-side socket is client 0 (they connect in any order).
// Prints {"ready":true}, then {"event":"connected","n":N} once all are connected. Each client
// expects "seq" events [i, text] with i = 0, 1, 2, … in order and text as long
// as lengthOf(i) says, then "end"; it may get "bye" after that. It prints
// {"event":"report","index":…,"got":…,"ordered":…,"end":…,"bye":…,"reason":…}
// when it gets "end" (index > 0) or when it is disconnected (index 0, which
// the test disconnects right after the burst).
//
// SPDX-License-Identifier: GPL-3.0-or-later

import { io } from "socket.io-client";

const port = Number(process.argv[2]);
const n = Number(process.argv[3]);
let connected = 0;

function print(object) {
  process.stdout.write(JSON.stringify(object) + "\n");
}

// Mostly small frames, with a large one now and then that cannot go out in one write.
function lengthOf(i) {
  return i % 50 === 49 ? 150000 : (i * 7) % 100;
}

print({ ready: true });
for (let index = 0; index < n; index++) {
  const socket = io(`http://127.0.0.1:${port}/`, { transports: ["websocket"], forceNew: true, reconnection: false, auth: { index } });
  const state = { index, got: 0, ordered: true, end: false, bye: false, reason: null };

  socket.on("connect", () => {
    if (++connected === n) print({ event: "connected", n });
  });
  socket.on("connect_error", (err) => print({ event: "connect_error", index, message: err.message }));
  socket.on("seq", (i, text) => {
    if (state.end || i !== state.got || typeof text !== "string" || text.length !== lengthOf(i)) state.ordered = false;
    state.got++;
  });
  socket.on("end", () => {
    state.end = true;
    if (index > 0) print({ event: "report", ...state });
  });
  socket.on("bye", () => {
    if (!state.end) state.ordered = false;
    state.bye = true;
  });
  socket.on("disconnect", (reason) => {
    state.reason = reason;
    if (index === 0) print({ event: "report", ...state });
  });
}

process.stdin.resume();
process.stdin.on("end", () => process.exit(0));
