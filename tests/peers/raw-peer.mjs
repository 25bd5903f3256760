// raw-peer.mjs: a bare WebSocket (the `ws` package) that sends what no
// socket.io-client would: a text frame that is not UTF-8.
//
//   node raw-peer.mjs URL
//
// Prints {"ready":true}, opens URL, waits for the Engine.IO open packet,
// connects the main namespace ("40"), waits for its answer, then sends a text
// frame whose bytes are not UTF-8 and prints {"event":"close","code":N} when
// the server closes the connection.
//
// SPDX-License-Identifier: GPL-3.0-or-later

import WebSocket from "ws";

const socket = new WebSocket(process.argv[2]);

function print(object) {
  process.stdout.write(JSON.stringify(object) + "\n");
}

print({ ready: true });

socket.on("message", (data) => {
  const text = data.toString("latin1");
  if (text.startsWith("0{")) {
    socket.send("40");
  } else if (text.startsWith("40{")) {
    const bad = Buffer.concat([
      Buffer.from('42["sendMessage",{"roomId":"room_1","message":"'),
      Buffer.from([0xff, 0xfe, 0xc3, 0x28]),
      Buffer.from('"}]'),
    ]);
    socket.send(bad, { binary: false });
    print({ event: "sent" });
  }
});
socket.on("close", (code) => print({ event: "close", code }));
socket.on("error", (error) => print({ event: "socket-error", message: error.message }));
