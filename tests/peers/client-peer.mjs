// The official socket.io server for SioClient's interop tests.
//
// node client-peer.mjs ['{"port":0,"pingInterval":…,"pingTimeout":…,"recovery":true,"maxPayload":…}']
//
// Prints {"port":P} first, then one JSON object a line for what it sees:
// connection, received (events, with binary as {"$binary":"<base64>"}), ack,
// disconnect. Reads commands, one JSON object a line, on stdin (see onCommand).
//
// SPDX-License-Identifier: GPL-3.0-or-later

import { createServer } from "node:http";
import { createInterface } from "node:readline";
import { Server } from "socket.io";

const options = JSON.parse(process.argv[2] ?? "{}");

function print(object) {
  process.stdout.write(JSON.stringify(object) + "\n");
}

function encode(value) {
  if (Buffer.isBuffer(value) || value instanceof ArrayBuffer || ArrayBuffer.isView(value))
    return { $binary: Buffer.from(value.buffer ?? value, value.byteOffset ?? 0, value.byteLength).toString("base64") };
  if (Array.isArray(value))
    return value.map(encode);
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encode(v)]));
  return value;
}

function decode(value) {
  if (Array.isArray(value))
    return value.map(decode);
  if (value !== null && typeof value === "object") {
    if (typeof value.$binary === "string")
      return Buffer.from(value.$binary, "base64");
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decode(v)]));
  }
  return value;
}

// Anything outside the Engine.IO path gets a plain 404, like a web server would.
const http = createServer((req, res) => {
  res.writeHead(404, { "content-type": "text/plain" });
  res.end("not found");
});

// "plainWebSocket": a WebSocket server that is not Socket.IO, for the client's diagnosis
if (options.plainWebSocket) {
  const { WebSocketServer } = await import("ws");
  const wss = new WebSocketServer({ server: http, path: "/socket/" });
  wss.on("connection", (ws) => ws.send("hello, I am not Engine.IO"));
  http.listen(options.port ?? 0, "127.0.0.1", () => print({ port: http.address().port }));
  process.stdin.resume();
  process.stdin.on("end", () => process.exit(0));
} else {
  startSocketIo();
}

function startSocketIo() {
  const io = new Server(http, {
    path: "/socket",
    pingInterval: options.pingInterval ?? 25000,
    pingTimeout: options.pingTimeout ?? 20000,
    maxHttpBufferSize: options.maxPayload ?? 1e6,
    // "forbid" refuses every connection the way an Origin check would
    allowRequest: options.forbid
      ? (req, callback) => callback("Origin not allowed by the test", false)
      : undefined,
    connectionStateRecovery: options.recovery
      ? { maxDisconnectionDuration: 60000, skipMiddlewares: true }
      : undefined,
  });

  // Only a caller with the right token may enter /private; the refusal carries data.
  io.of("/private").use((socket, next) => {
    if (socket.handshake.auth?.token === "open-sesame")
      return next();
    const error = new Error("not authorized");
    error.data = { code: "FORBIDDEN", hint: "ask an admin" };
    next(error);
  });

  for (const name of ["/", "/admin", "/private"]) {
    io.of(name).on("connection", (socket) => {
      print({
        event: "connection",
        nsp: name,
        id: socket.id,
        auth: socket.handshake.auth,
        query: socket.handshake.query,
        headers: { "x-livedesk-test": socket.handshake.headers["x-livedesk-test"] ?? null },
        recovered: socket.recovered,
      });

      socket.onAny((event, ...args) => {
        const ack = typeof args[args.length - 1] === "function" ? args.pop() : null;
        print({ event: "received", nsp: name, name: event, args: encode(args), ack: ack !== null });
        // "no-ack" lets the client's ack timeout expire
        if (ack !== null && event !== "no-ack")
          ack({ ok: true, echo: args.length }, ...args);
      });

      socket.on("disconnect", (reason) => {
        print({ event: "disconnect", nsp: name, reason });
      });
    });
  }

  async function onCommand(command) {
    const nsp = io.of(command.nsp ?? "/");

    switch (command.cmd) {
      case "emit": {
        const args = decode(command.args ?? []);
        if (command.ack !== undefined) {
          const [socket] = await nsp.fetchSockets();
          try {
            const reply = await socket.timeout(command.timeout ?? 5000).emitWithAck(command.name, ...args);
            print({ event: "ack", id: command.ack, args: encode([reply]) });
          } catch (error) {
            print({ event: "ack", id: command.ack, error: String(error.message ?? error) });
          }
        } else {
          nsp.emit(command.name, ...args);
          print({ event: "emitted", name: command.name });
        }
        break;
      }
      case "disconnect":
        nsp.disconnectSockets(false);
        break;
      case "close-transport":
        for (const socket of nsp.sockets.values())
          socket.conn.close();
        break;
      case "count": {
        const sockets = await nsp.fetchSockets();
        print({ event: "count", nsp: command.nsp ?? "/", count: sockets.length });
        break;
      }
      default:
        print({ event: "error", message: `unknown command ${command.cmd}` });
    }
  }

  createInterface({ input: process.stdin }).on("line", (line) => {
    if (line.trim() === "")
      return;
    onCommand(JSON.parse(line)).catch((error) => print({ event: "error", message: String(error) }));
  }).on("close", () => process.exit(0));

  http.listen(options.port ?? 0, "127.0.0.1", () => {
    print({ port: http.address().port });
  });
}
