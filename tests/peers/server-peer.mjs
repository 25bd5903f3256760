// server-peer.mjs: the official socket.io-client, driven over stdin, against
// the Livedesk Socket.IO server under test.
//
//   node server-peer.mjs PORT [PATH]
//
// Reads one JSON command a line; prints one JSON object a line. Binary values
// travel as {"$binary": "<base64>"} in both directions.
//
//   {"cmd":"connect","id":"a","nsp":"/","auth":{…},"transports":["polling","websocket"]}
//   {"cmd":"emit","id":"a","name":"ev","args":[…],"ack":true}
//   {"cmd":"disconnect","id":"a"}
//   {"cmd":"crowd","n":300,"transports":["websocket"]}   many clients at once, reported in
//       bulk: {"event":"crowd_connected","n":…}, then {"event":"crowd_received","name":…,"n":…}
//       once every one of them got that event
//
// Prints {"event":"connect"|"connect_error"|"disconnect"|"message"|"ack"|"upgrade", "id":…, …}.
// Every event the server sends with an ack is acked with its own arguments,
// unless its name starts with "noack".
//
// SPDX-License-Identifier: GPL-3.0-or-later

import { io } from "socket.io-client";
import readline from "node:readline";

const port = Number(process.argv[2]);
const path = process.argv[3] ?? "/socket.io/";
const sockets = new Map();

function print(object) {
  process.stdout.write(JSON.stringify(object) + "\n");
}

function toWire(value) {
  if (Buffer.isBuffer(value) || value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
    return { $binary: Buffer.from(value instanceof ArrayBuffer ? new Uint8Array(value) : value).toString("base64") };
  }
  if (Array.isArray(value)) return value.map(toWire);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toWire(v)]));
  }
  return value;
}

function fromWire(value) {
  if (Array.isArray(value)) return value.map(fromWire);
  if (value !== null && typeof value === "object") {
    if (typeof value.$binary === "string" && Object.keys(value).length === 1) {
      return Buffer.from(value.$binary, "base64");
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromWire(v)]));
  }
  return value;
}

function connect({ id, nsp = "/", auth, transports = ["polling", "websocket"] }) {
  const socket = io(`http://127.0.0.1:${port}${nsp}`, {
    path,
    auth,
    transports,
    forceNew: true,
    reconnection: false,
  });
  sockets.set(id, socket);

  socket.on("connect", () => {
    print({ event: "connect", id, sid: socket.id, transport: socket.io.engine.transport.name });
  });
  socket.on("connect_error", (err) => {
    print({ event: "connect_error", id, message: err.message, data: toWire(err.data ?? null) });
  });
  socket.on("disconnect", (reason) => {
    print({ event: "disconnect", id, reason });
  });
  socket.io.on("open", () => {
    socket.io.engine.on("upgrade", (transport) => {
      print({ event: "upgrade", id, transport: transport.name });
    });
  });
  socket.onAny((name, ...args) => {
    let ack = null;
    if (args.length > 0 && typeof args[args.length - 1] === "function") ack = args.pop();
    print({ event: "message", id, name, args: toWire(args), ack: ack !== null });
    if (ack !== null && !name.startsWith("noack")) ack(...args);
  });
}

function crowd({ n, transports = ["websocket"] }) {
  let connected = 0;
  const received = new Map();

  for (let i = 0; i < n; i++) {
    const socket = io(`http://127.0.0.1:${port}/`, { path, transports, forceNew: true, reconnection: false });
    socket.on("connect", () => {
      if (++connected === n) print({ event: "crowd_connected", n });
    });
    socket.on("connect_error", (err) => print({ event: "crowd_error", message: err.message }));
    socket.onAny((name) => {
      const count = (received.get(name) ?? 0) + 1;
      received.set(name, count);
      if (count === n) print({ event: "crowd_received", name, n });
    });
  }
}

const rl = readline.createInterface({ input: process.stdin });
rl.on("line", (line) => {
  const command = JSON.parse(line);
  const socket = sockets.get(command.id);

  switch (command.cmd) {
    case "connect":
      connect(command);
      break;
    case "emit": {
      const args = fromWire(command.args ?? []);
      if (command.ack) {
        socket.emit(command.name, ...args, (...reply) => {
          print({ event: "ack", id: command.id, name: command.name, args: toWire(reply) });
        });
      } else {
        socket.emit(command.name, ...args);
      }
      break;
    }
    case "disconnect":
      socket.disconnect();
      break;
    case "crowd":
      crowd(command);
      break;
    default:
      print({ event: "error", message: `unknown command ${command.cmd}` });
  }
});
rl.on("close", () => process.exit(0));

print({ ready: true });
