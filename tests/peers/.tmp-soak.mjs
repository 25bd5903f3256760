import { io } from "socket.io-client";
const ws = process.argv[2] === "ws";
for (let round = 0; round < 5; round++) {
  const sockets = [];
  await new Promise((resolve) => {
    let n = 0;
    for (let i = 0; i < 200; i++) {
      const transports = ws ? ["websocket"] : ["polling", "websocket"];
      const s = io(`http://127.0.0.1:3000/`, { transports, forceNew: true, reconnection: false });
      sockets.push(s);
      s.on("message-back", () => { if (++n === 200) resolve(); });
      s.on("connect", () => s.emit("message", "x"));
    }
    setTimeout(resolve, 15000);
  });
  sockets.forEach((s) => s.close());
}
await new Promise((r) => setTimeout(r, 500));
process.exit(0);
