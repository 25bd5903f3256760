// bench-client.mjs: the two node halves of bench-client.
//
//   node bench/bench-client.mjs server PEERS_DIR
//     the official socket.io server on a free port with path "/socket"; prints
//     {"port":P}; when a client emits "start" {n}, it sends that client n chat
//     messages as fast as it can, then "done" {n}.
//   node bench/bench-client.mjs fastserver PEERS_DIR
//     the same stream from a server that is not the bottleneck: it speaks
//     just enough Engine.IO 4 / Socket.IO 5 (OPEN, CONNECT, the "start"
//     event) over the ws library's server, and writes the chat messages as
//     WebSocket frames encoded once, before any client connects (ws's own
//     Sender.frame), a thousand to a socket write, as fast as the socket
//     takes them. Prints {"port":P}.
//   node bench/bench-client.mjs client PEERS_DIR URL N ROUNDS
//     the official socket.io-client, timed the same way as SioClient: a
//     warm-up burst of N/5, then ROUNDS bursts of N; prints per round
//     {"events":N,"seconds":S,"events_per_s":R,"cpu_us":C,"max_rss_kb":K},
//     C being this process's user+system CPU time over the burst.
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

const CHUNK = 1000;

function runFastServer() {
  const { WebSocketServer, Sender } = require("ws");
  const frame = (text) => Buffer.concat(Sender.frame(Buffer.from(text), {
    fin: true, rsv1: false, opcode: 1, mask: false, readOnly: false,
  }));
  const event = (name, data) => frame("42" + JSON.stringify([name, data]));
  // The messages of one chunk; a burst of n is n / CHUNK of these and the rest.
  const frames = [];
  for (let i = 0; i < CHUNK; i++) frames.push(event("newMessage", chatMessage(i)));
  const chunk = Buffer.concat(frames);
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, path: "/socket/", perMessageDeflate: false });

  wss.on("connection", (ws) => {
    const raw = ws._socket;
    ws.send("0" + JSON.stringify({
      sid: "bench", upgrades: [], pingInterval: 600000, pingTimeout: 600000, maxPayload: 1000000,
    }));
    ws.on("message", (data) => {
      const text = data.toString();
      if (text.startsWith("40")) {
        ws.send('40{"sid":"bench-socket"}');
      } else if (text.startsWith("42")) {
        const [name, arg] = JSON.parse(text.slice(2));
        if (name !== "start") return;
        const n = arg.n;
        let sent = 0;
        const pump = () => {
          while (sent < n) {
            const take = Math.min(CHUNK, n - sent);
            const buf = take === CHUNK ? chunk : Buffer.concat(frames.slice(0, take));
            sent += take;
            if (!raw.write(buf)) {
              raw.once("drain", pump);
              return;
            }
          }
          raw.write(event("done", { n }));
        };
        pump();
      }
    });
  });
  wss.on("listening", () => {
    process.stdout.write(JSON.stringify({ port: wss.address().port }) + "\n");
  });
  process.stdin.resume();
  process.stdin.on("end", () => process.exit(0));
}

function runClient(url, n, rounds) {
  const { io } = require("socket.io-client");
  const socket = io(url, { path: "/socket", transports: ["websocket"], reconnection: false });
  let count = 0;
  let start = 0;
  let cpu = null;
  let round = -1;  // the warm-up

  const burst = () => {
    count = 0;
    cpu = process.cpuUsage();
    start = performance.now();
    socket.emit("start", { n: round < 0 ? Math.max(Math.floor(n / 5), 1) : n });
  };
  socket.on("newMessage", (message) => {
    // touch the payload as an app would
    if (typeof message.message === "string") count++;
  });
  socket.on("connect", burst);
  socket.on("done", () => {
    const seconds = (performance.now() - start) / 1000;
    const used = process.cpuUsage(cpu);
    if (round >= 0) {
      process.stdout.write(JSON.stringify({
        events: count,
        seconds,
        events_per_s: count / seconds,
        cpu_us: used.user + used.system,
        max_rss_kb: process.resourceUsage().maxRSS,
      }) + "\n");
    }
    if (++round < rounds) {
      burst();
      return;
    }
    socket.close();
    process.exit(0);
  });
  socket.on("connect_error", (error) => {
    process.stderr.write(`connect_error: ${error.message}\n`);
    process.exit(1);
  });
}

if (mode === "server") runServer();
else if (mode === "fastserver") runFastServer();
else if (mode === "client") runClient(rest[0], Number(rest[1]), Number(rest[2] ?? 1));
else {
  process.stderr.write("usage: bench-client.mjs server|fastserver|client PEERS_DIR …\n");
  process.exit(2);
}
