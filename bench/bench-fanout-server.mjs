// bench-fanout-server.mjs: the reference server of bench-fanout, a minimal
// official socket.io 4.8.4 server doing the room broadcast the gateway does.
//
//   node bench/bench-fanout-server.mjs PEERS_DIR
//
// Listens on a free port of 127.0.0.1 with path "/socket", websocket only,
// and prints {"port":P,"pid":PID}. Events, as in PROTOCOL.md:
//   authenticate {token, userId}         → authSuccess {userId, username, role, expiresAt}
//   joinRoom {roomId, userId, username}  → joins the room, joinedRoom {success, data: {roomId, viewerCount,
//                                          viewers, recentMessages}}, userJoined {roomId, userId, username,
//                                          viewerCount, timestamp} to the others in the room
//   sendMessage {roomId, userId, username, message, timestamp}
//                                        → newMessage to the room (the sender too), messageSent to the sender
// It checks no token and no rate: it is the cost of socket.io itself that
// the gateway is compared with. The viewer list and userJoined are there
// because the gateway sends them too (PROTOCOL.md): every join costs both
// servers a message to everyone already in the room and a list of them all.
// Exits when stdin closes.
//
// SPDX-License-Identifier: GPL-3.0-or-later
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { join } from "node:path";

const [peersDir] = process.argv.slice(2);
if (!peersDir) {
  process.stderr.write("usage: bench-fanout-server.mjs PEERS_DIR\n");
  process.exit(2);
}
const require = createRequire(join(peersDir, "package.json"));
const { Server } = require("socket.io");

const http = createServer();
// maxHttpBufferSize as the gateway's: a client sends nothing near it here.
const io = new Server(http, { path: "/socket", transports: ["websocket"], maxHttpBufferSize: 1e6 });
let nextMessage = 0;
// roomId → Map of userId → {userId, username, role}, in joining order
const viewers = new Map();

io.on("connection", (socket) => {
  let user = null;

  socket.emit("connected", { socketId: socket.id, serverTime: new Date().toISOString() });

  socket.on("authenticate", (payload) => {
    const userId = String(payload?.userId ?? socket.id);
    user = { userId, username: userId, role: "viewer" };
    socket.emit("authSuccess", { ...user, expiresAt: new Date(Date.now() + 3600e3).toISOString() });
  });

  socket.on("joinRoom", (payload) => {
    const roomId = String(payload?.roomId ?? "");
    const userId = user?.userId ?? String(payload?.userId ?? socket.id);
    const username = user?.username ?? String(payload?.username ?? userId);
    let room = viewers.get(roomId);

    if (room === undefined) viewers.set(roomId, (room = new Map()));
    room.set(userId, { userId, username, role: "viewer" });
    socket.data.room = { roomId, userId };
    socket.join(roomId);
    socket.emit("joinedRoom", {
      success: true,
      message: "Joined the room",
      data: { roomId, viewerCount: room.size, viewers: [...room.values()], recentMessages: [] },
    });
    socket.to(roomId).emit("userJoined", {
      roomId,
      userId,
      username,
      viewerCount: room.size,
      timestamp: new Date().toISOString(),
    });
  });

  socket.on("disconnect", () => {
    const { roomId, userId } = socket.data.room ?? {};
    viewers.get(roomId)?.delete(userId);
  });

  socket.on("sendMessage", (payload) => {
    const roomId = String(payload?.roomId ?? "");
    const messageId = `m${(nextMessage++).toString(36)}`;
    const timestamp = new Date().toISOString();
    io.to(roomId).emit("newMessage", {
      messageId,
      roomId,
      userId: user?.userId ?? payload?.userId,
      username: user?.username ?? payload?.username,
      role: "viewer",
      message: String(payload?.message ?? ""),
      messageType: "text",
      imageUrl: null,
      timestamp,
    });
    socket.emit("messageSent", { success: true, message: "Message sent", data: { messageId, timestamp } });
  });
});

http.listen(0, "127.0.0.1", () => {
  process.stdout.write(JSON.stringify({ port: http.address().port, pid: process.pid }) + "\n");
});
process.stdin.resume();
process.stdin.on("end", () => process.exit(0));
process.on("SIGTERM", () => process.exit(0));
