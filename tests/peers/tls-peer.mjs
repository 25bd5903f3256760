// The official socket.io server over HTTPS with a self-signed certificate that
// nobody trusts, for checking that SioClient verifies TLS.
//
// node tls-peer.mjs → prints {"port":P}; stays up until stdin closes.
//
// SPDX-License-Identifier: GPL-3.0-or-later

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Server } from "socket.io";

const dir = mkdtempSync(join(tmpdir(), "livedesk-tls-"));
execFileSync("openssl", [
  "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
  "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
  "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"),
], { stdio: "ignore" });
const https = createServer({ key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) });
rmSync(dir, { recursive: true });

const io = new Server(https, { path: "/socket" });
io.on("connection", (socket) => process.stdout.write(JSON.stringify({ event: "connection" }) + "\n"));

https.listen(0, "127.0.0.1", () => process.stdout.write(JSON.stringify({ port: https.address().port }) + "\n"));
process.stdin.resume();
process.stdin.on("end", () => process.exit(0));
