// A simulated livestream room on the official socket.io server, for `build-aux/livedesk run`
// until the app and its own gateway exist. Speaks PROTOCOL.md's events on path /socket.
// Prints {"port": N} once listening (port 0 = a free one).
import { Server } from "socket.io";

const port = Number(process.argv[2] ?? 0);
const io = new Server({ path: "/socket", transports: ["websocket"] });

const viewers = [
  { userId: "lan01", username: "Lan", role: "viewer" },
  { userId: "minh02", username: "Minh", role: "moderator" },
  { userId: "alex03", username: "Alex", role: "viewer" },
  { userId: "thu04", username: "Thư", role: "viewer" },
  { userId: "sam05", username: "Sam", role: "streamer" },
];
const lines = [
  "Xin chào mọi người! 👋",
  "Hello from Berlin",
  "Stream hôm nay hay quá",
  "gg wp",
  "Cho mình hỏi bài hát này tên gì vậy?",
  "That last play was insane",
  "Chúc mừng sinh nhật streamer 🎂",
];
const gifts = [
  ["rose", "Hoa hồng", "flower", 10, "hearts"],
  ["rocket", "Tên lửa", "vehicle", 500, "fireworks"],
  ["star", "Ngôi sao", "sticker", 50, "stars"],
  ["rainbow", "Cầu vồng", "special", 1000, "rainbow"],
];
const roomId = "demo_room";
let seq = 0;
const now = () => new Date().toISOString();
const pick = (a) => a[Math.floor(Math.random() * a.length)];

io.on("connection", (socket) => {
  socket.emit("connected", { socketId: socket.id, serverTime: now() });
  socket.on("authenticate", (p) =>
    socket.emit("authSuccess", { userId: p?.userId ?? "guest", username: "Guest", role: "viewer", expiresAt: now() }));
  socket.on("joinRoom", (p) => {
    socket.join(roomId);
    socket.emit("joinedRoom", {
      success: true, message: "Joined room",
      data: { roomId, viewerCount: viewers.length, viewers, recentMessages: [] },
    });
  });
});

setInterval(() => {
  const v = pick(viewers);
  io.to(roomId).emit("newMessage", {
    messageId: `m${++seq}`, roomId, userId: v.userId, username: v.username, role: v.role,
    message: pick(lines), messageType: "text", imageUrl: null, timestamp: now(),
  });
}, 700);

setInterval(() => {
  const v = pick(viewers);
  const [giftId, giftName, giftType, giftValue, animation] = pick(gifts);
  io.to(roomId).emit("newGift", {
    roomId, senderId: v.userId, senderName: v.username, receiverId: "sam05", receiverName: "Sam",
    giftId, giftName, giftType, giftValue, quantity: 1 + Math.floor(Math.random() * 3), message: "",
    animation, timestamp: now(), giftTxId: `g${++seq}`,
  });
}, 3100);

setInterval(() => {
  const v = pick(viewers);
  io.to(roomId).emit(pick(["userJoined", "userLeft"]), {
    roomId, userId: v.userId, username: v.username, viewerCount: viewers.length, timestamp: now(),
  });
}, 4300);

io.listen(port);
const server = io.httpServer;
server.on("listening", () => console.log(JSON.stringify({ port: server.address().port })));
