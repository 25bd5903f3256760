// session-peer.mjs: the official socket.io server at /socket/, for LdSession
// tests where the gateway's contract does not matter: what a client puts in
// its handshake, and how it answers server events.
//
//   node session-peer.mjs
//
// Prints {"port":N} first, then {"event":"connection","auth":…,"query":…,"url":…}
// per connection and {"event":"received","name":…,"payload":…} per event
// received. It answers authenticate with authSuccess for user "alice", and
// joinRoom, sendMessage, getRoomInfo and sendGift with the guide's events
// only, never through acks, as the guide's own server does.
// Reads {"cmd":"emit","name":…,"payload":…} lines: emits to the last socket.
//
// Faults, for the session's fault tests:
//   {"cmd":"outage"}  cuts every connection and stops listening (a network
//                     fault, not a server's goodbye) → {"event":"outage"}
//   {"cmd":"back"}    listens again on the same port → {"event":"back"}
//   {"cmd":"refresh-fail","count":N}  the next N refreshes lose their
//                     connection before an answer
//   {"cmd":"health","status":S,"body":{…}}  what the health check answers (then prints health-set)
// It also serves the REST API's POST /api/v1/auth/refresh-token (a new
// token pair for alice, printed as {"event":"refresh","ok":…}) and
// GET /api/v1/system/health.
//
// SPDX-License-Identifier: GPL-3.0-or-later

import { createServer } from "node:http";
import readline from "node:readline";
import { Server } from "socket.io";

let refreshFailures = 0;
let refreshes = 0;
let health = { status: 200, body: { status: "ok" } };
let port = 0;
const connections = new Set();

function base64url(object) {
  return Buffer.from(JSON.stringify(object)).toString("base64url");
}

function token() {
  const exp = Math.floor(Date.now() / 1000) + 3600;
  return `${base64url({ alg: "HS256" })}.${base64url({ sub: "alice", role: "viewer", exp, n: refreshes })}.c2ln`;
}

// Created before socket.io attaches, which passes on what is not its path.
const http = createServer((req, res) => {
  if (req.method === "POST" && req.url === "/api/v1/auth/refresh-token") {
    refreshes++;
    if (refreshFailures > 0) {
      refreshFailures--;
      print({ event: "refresh", ok: false });
      req.socket.destroy();
      return;
    }
    print({ event: "refresh", ok: true });
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ accessToken: token(), refreshToken: `rotated-${refreshes}`,
                             expiresAt: new Date(Date.now() + 3600000).toISOString() }));
  } else if (req.method === "GET" && req.url === "/api/v1/system/health") {
    print({ event: "health" });
    res.writeHead(health.status, { "content-type": "application/json" });
    res.end(JSON.stringify(health.body));
  } else {
    res.writeHead(404);
    res.end();
  }
});
http.on("connection", (connection) => {
  connections.add(connection);
  connection.on("close", () => connections.delete(connection));
});
const io = new Server(http, { path: "/socket/", transports: ["websocket"] });
let current = null;
let messages = 0;

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
    } else if (name === "joinRoom") {
      socket.join(payload.roomId);
      socket.emit("joinedRoom", {
        success: true,
        message: "Joined",
        data: { roomId: payload.roomId, viewerCount: 1, viewers: [{ userId: "alice", username: "Alice", role: "viewer" }], recentMessages: [] },
      });
    } else if (name === "sendMessage") {
      const messageId = `m${++messages}`;
      const timestamp = new Date().toISOString();
      io.to(payload.roomId).emit("newMessage", {
        messageId, roomId: payload.roomId, userId: payload.userId, username: payload.username,
        role: "viewer", message: payload.message, messageType: "text", imageUrl: null, timestamp,
      });
      socket.emit("messageSent", { success: true, message: "Sent", data: { messageId, timestamp } });
    } else if (name === "getRoomInfo") {
      socket.emit("roomInfo", {
        success: true, message: "Room", data: { roomId: payload.roomId, title: "Phòng", status: "live", viewerCount: 1, viewers: [] },
      });
    } else if (name === "sendGift") {
      socket.emit("sendGiftError", { success: false, message: "No", error: { code: "INVALID_GIFT", message: "Unknown gift" } });
    }
  });
});

http.listen(0, "127.0.0.1", () => {
  port = http.address().port;
  print({ port });
});

readline.createInterface({ input: process.stdin }).on("line", (line) => {
  const command = JSON.parse(line);
  if (command.cmd === "emit" && current !== null) {
    current.emit(command.name, command.payload);
  } else if (command.cmd === "outage") {
    http.close();
    for (const connection of connections) connection.destroy();
    print({ event: "outage" });
  } else if (command.cmd === "back") {
    http.listen(port, "127.0.0.1", () => print({ event: "back" }));
  } else if (command.cmd === "refresh-fail") {
    refreshFailures = command.count;
  } else if (command.cmd === "health") {
    health = { status: command.status, body: command.body };
    print({ event: "health-set" });
  }
});
