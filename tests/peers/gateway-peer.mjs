// gateway-peer.mjs: official socket.io-client instances, driven over stdin,
// against livedesk-gateway's livestream contract (PROTOCOL.md).
//
//   node gateway-peer.mjs PORT
//
// Reads one JSON command a line and prints one JSON object a line:
//
//   {"cmd":"connect","id":"a","auth":{"token":"…"},"port":P}
//                                                     → {"event":"connect","id":"a","sid":"…"}
//                                                     or {"event":"connect_error","id":"a","message":"…"}
//                                                     ("port" defaults to PORT; another gateway's for clusters)
//   {"cmd":"emit","id":"a","name":"sendMessage","payload":{…},"ack":true}
//                                                     → {"event":"ack","id":"a","name":"sendMessage","payload":…}
//   {"cmd":"disconnect","id":"a"}                     → {"event":"disconnect","id":"a","reason":"…"}
//
// Every event the gateway sends is printed as
//   {"event":"message","id":"a","name":"newMessage","payload":<first argument>}.
// The client is configured as the guide configures it: path /socket,
// WebSocket only, no automatic reconnection (tests decide that).
//
// SPDX-License-Identifier: GPL-3.0-or-later

import { io } from "socket.io-client";
import readline from "node:readline";

const port = Number(process.argv[2]);
const sockets = new Map();

function print(object) {
  process.stdout.write(JSON.stringify(object) + "\n");
}

function connect({ id, auth, port: otherPort }) {
  const socket = io(`http://127.0.0.1:${otherPort ?? port}`, {
    path: "/socket",
    transports: ["websocket"],
    auth,
    forceNew: true,
    reconnection: false,
    timeout: 20000,
  });
  sockets.set(id, socket);

  socket.on("connect", () => print({ event: "connect", id, sid: socket.id }));
  socket.on("connect_error", (error) => print({ event: "connect_error", id, message: error.message }));
  socket.on("disconnect", (reason) => print({ event: "disconnect", id, reason }));
  socket.onAny((name, ...args) => print({ event: "message", id, name, payload: args[0] ?? null }));
}

const rl = readline.createInterface({ input: process.stdin });
rl.on("line", (line) => {
  if (line.trim() === "")
    return;
  const command = JSON.parse(line);
  const socket = sockets.get(command.id);

  switch (command.cmd) {
    case "connect":
      connect(command);
      break;
    case "emit": {
      const args = "payload" in command ? [command.payload] : [];
      if (command.ack)
        socket.emit(command.name, ...args, (reply) => print({ event: "ack", id: command.id, name: command.name, payload: reply ?? null }));
      else
        socket.emit(command.name, ...args);
      break;
    }
    case "disconnect":
      socket.disconnect();
      break;
    default:
      print({ event: "error", message: `unknown command ${command.cmd}` });
  }
});
rl.on("close", () => process.exit(0));

print({ ready: true });
