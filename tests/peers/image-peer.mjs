// An HTTPS image host for the thumbnail tests: answers for any host name
// (the client points every name at it) with a self-signed certificate for
// i.imgur.com and evil.example, which the client trusts only in the test.
// Out of the test's process so that the test's own process has no TLS server.
//
// node image-peer.mjs DIR → writes DIR/cert.pem, serves DIR/big.png and
// DIR/small.png, prints {"port":P}; a line "hits" on stdin prints
// {"event":"hits","hits":{"host/path":count}}; stays up until stdin closes.
//
// SPDX-License-Identifier: GPL-3.0-or-later

import { execFileSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { createServer } from "node:https";
import { join } from "node:path";
import readline from "node:readline";

const dir = process.argv[2];
const keyPath = join(dir, "key.pem");
execFileSync("openssl", [
  "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
  "-subj", "/CN=i.imgur.com", "-addext", "subjectAltName=DNS:i.imgur.com,DNS:evil.example,IP:127.0.0.1",
  "-keyout", keyPath, "-out", join(dir, "cert.pem"),
], { stdio: "ignore" });
const key = readFileSync(keyPath);
rmSync(keyPath);

const redirects = {
  "/to-evil.png": "https://evil.example/evil.png",
  "/to-http.png": "http://i.imgur.com/small.png",
  "/to-small.png": "/small-redirected.png",
  "/loop.png": "https://i.imgur.com/loop.png",
};
const hits = {};

const server = createServer({ key, cert: readFileSync(join(dir, "cert.pem")) }, (req, res) => {
  const path = req.url.split("?")[0];
  const where = `${(req.headers.host || "").replace(/:\d+$/, "")}${path}`;
  hits[where] = (hits[where] || 0) + 1;

  if (path === "/big.png" || path.startsWith("/small")) {
    res.writeHead(200, { "Content-Type": "image/png" });
    res.end(readFileSync(join(dir, path === "/big.png" ? "big.png" : "small.png")));
  } else if (path === "/empty.png") {
    res.writeHead(200, { "Content-Type": "image/png" });
    res.end();
  } else if (path === "/garbage.png") {
    res.writeHead(200, { "Content-Type": "image/png" });
    res.end("not a png at all");
  } else if (redirects[path]) {
    res.writeHead(302, { Location: redirects[path] });
    res.end();
  } else {
    res.writeHead(404);
    res.end();
  }
});

server.listen(0, "127.0.0.1", () => process.stdout.write(JSON.stringify({ port: server.address().port }) + "\n"));
readline.createInterface({ input: process.stdin }).on("line", (line) => {
  if (line.trim() === "hits")
    process.stdout.write(JSON.stringify({ event: "hits", hits }) + "\n");
});
process.stdin.on("end", () => process.exit(0));
