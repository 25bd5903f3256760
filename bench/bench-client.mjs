// bench-client.mjs: the two node halves of bench-client.
//
//   node bench/bench-client.mjs server PEERS_DIR
//     the official socket.io server on a free port with path "/socket"; prints
//     {"port":P}; when a client emits "start" {n}, it sends that client n chat
//     messages as fast as it can, then "done" {n}.
//   node bench/bench-client.mjs client PEERS_DIR URL N
//     the official socket.io-client, timed the same way as SioClient; prints
//     {"events":N,"seconds":S,"events_per_s":R,"max_rss_kb":K}.
//
// SPDX-License-Identifier: GPL-3.0-or-later
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { join } from "node:path";

const [mode, peersDir, ...rest] = process.argv.slice(2);
const require = createRequire(join(peersDir, "package.json"));

const names = ["Nguyễn Văn An", "Trần Thị Bích", "Lê Hoàng Cường", "Phạm Minh Đức", "streamer_pro", "Lucy"];
const texts = [
  "Xin chào cả nhà, hôm nay stream muộn một chút nhé 🎉",
  "quà đẹp quá trời ơi, cảm ơn bạn đã ủng hộ kênh ❤️",
  "GG! that last round was insane",
  "Giọng hát hay thật sự, hát thêm bài nữa đi nào 👏👏",
  "Hà Nội hôm nay mưa to quá, mọi người nhớ mang áo mưa",
  "lol 😂",
];

// A chat message shaped like the livestream's newMessage, with its variety of lengths.
function chatMessage(i) {
  return {
    messageId: `msg-${i.toString(36)}-${(i * 2654435761 >>> 0).toString(16)}`,
    roomId: "room-42",
    userId: `user-${i % 500}`,
    username: names[i % names.length],
    role: i % 50 === 0 ? "moderator" : "viewer",
    message: texts[i % texts.length].repeat(1 + (i % 3)),
    messageType: "text",
    imageUrl: null,
    timestamp: new Date(1700000000000 + i * 37).toISOString(),
  };
}

function runServer() {
  const { Server } = require("socket.io");
  const http = createServer();
  const io = new Server(http, { path: "/socket", transports: ["websocket"] });

  io.on("connection", (socket) => {
    socket.on("start", ({ n }) => {
      let i = 0;
      // in slices, so the server keeps writing while it produces
      const slice = () => {
        const end = Math.min(n, i + 2000);
        for (; i < end; i++) socket.emit("newMessage", chatMessage(i));
        if (i < n) setImmediate(slice);
        else socket.emit("done", { n });
      };
      slice();
    });
  });
  http.listen(0, "127.0.0.1", () => {
    process.stdout.write(JSON.stringify({ port: http.address().port }) + "\n");
  });
  process.stdin.resume();
  process.stdin.on("end", () => process.exit(0));
}

function runClient(url, n) {
  const { io } = require("socket.io-client");
  const socket = io(url, { path: "/socket", transports: ["websocket"], reconnection: false });
  let count = 0;
  let start = 0;

  socket.on("newMessage", () => count++);
  socket.on("connect", () => {
    start = performance.now();
    socket.emit("start", { n });
  });
  socket.on("done", () => {
    const seconds = (performance.now() - start) / 1000;
    process.stdout.write(JSON.stringify({
      events: count,
      seconds,
      events_per_s: count / seconds,
      max_rss_kb: process.resourceUsage().maxRSS,
    }) + "\n");
    socket.close();
    process.exit(0);
  });
  socket.on("connect_error", (error) => {
    process.stderr.write(`connect_error: ${error.message}\n`);
    process.exit(1);
  });
}

if (mode === "server") runServer();
else if (mode === "client") runClient(rest[0], Number(rest[1]));
else {
  process.stderr.write("usage: bench-client.mjs server|client PEERS_DIR …\n");
  process.exit(2);
}
