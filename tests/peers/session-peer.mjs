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
// SPDX-License-Identifier: GPL-3.0-or-later

import { createServer } from "node:http";
import readline from "node:readline";
import { Server } from "socket.io";

const http = createServer();
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

http.listen(0, "127.0.0.1", () => print({ port: http.address().port }));

readline.createInterface({ input: process.stdin }).on("line", (line) => {
  const command = JSON.parse(line);
  if (command.cmd === "emit" && current !== null) {
    current.emit(command.name, command.payload);
  }
});
