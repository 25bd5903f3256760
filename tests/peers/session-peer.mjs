// session-peer.mjs: the official socket.io server at /socket/, for LdSession
// tests where the gateway's contract does not matter: what a client puts in
// its handshake, and how it answers server events.
//
//   node session-peer.mjs
//
// Prints {"port":N} first, then {"event":"connection","auth":…,"query":…,"url":…}
// per connection and {"event":"received","name":…,"payload":…} per event
// received. It answers authenticate with authSuccess for user "alice".
// Reads {"cmd":"emit","name":…,"payload":…} lines: emits to the last socket.
//
// SPDX-License-Identifier: GPL-3.0-or-later

import { createServer } from "node:http";
import readline from "node:readline";
import { Server } from "socket.io";

const http = createServer();
const io = new Server(http, { path: "/socket/", transports: ["websocket"] });
let current = null;

function print(object) {
  process.stdout.write(JSON.stringify(object) + "\n");
}

io.on("connection", (socket) => {
  current = socket;
  print({
    event: "connection",
    auth: socket.handshake.auth,
    query: socket.handshake.query,
    url: socket.handshake.url,
  });
  socket.onAny((name, ...args) => {
    const payload = args.length > 0 && typeof args[0] !== "function" ? args[0] : null;
    print({ event: "received", name, payload });
    if (name === "authenticate") {
      socket.emit("authSuccess", { userId: "alice", username: "Alice", role: "viewer", expiresAt: "" });
    }
  });
});

http.listen(0, "127.0.0.1", () => print({ port: http.address().port }));

readline.createInterface({ input: process.stdin }).on("line", (line) => {
  const command = JSON.parse(line);
  if (command.cmd === "emit" && current !== null) {
    current.emit(command.name, command.payload);
  }
});
