// bench-codec.mjs: the official socket.io-parser over the corpus bench-codec
// wrote, timed the same way as the C side.
//
//   node bench/bench-codec.mjs CORPUS PEERS_DIR MIN_SECONDS
//
// CORPUS has one "<kind>\t<packet>" line per Socket.IO packet. Prints one JSON
// line: the parser's version, a SHA-256 of its encodings (so the C side can
// check that both write the same bytes) and packets/s and MB/s per kind.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const [corpusPath, peersDir, minSecondsArg] = process.argv.slice(2);
const minSeconds = Number(minSecondsArg ?? "1");
const require = createRequire(join(peersDir, "package.json"));
// The CommonJS build, which is what the socket.io server itself loads.
const { Encoder, Decoder } = require("socket.io-parser");
const version = JSON.parse(
  readFileSync(join(peersDir, "node_modules/socket.io-parser/package.json"), "utf8"),
).version;

const entries = readFileSync(corpusPath, "utf8")
  .split("\n")
  .filter((line) => line.length > 0)
  .map((line) => {
    const tab = line.indexOf("\t");
    return { kind: line.slice(0, tab), wire: line.slice(tab + 1) };
  });

function decodeAll(wires) {
  const decoder = new Decoder();
  const packets = [];
  decoder.on("decoded", (packet) => packets.push(packet));
  for (const wire of wires) decoder.add(wire);
  return packets;
}

// Runs fn over the whole set until minSeconds have passed (at least 3 rounds,
// after one warm-up round for the JIT).
function measure(fn, count, bytes) {
  fn();
  let rounds = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (rounds < 3 || elapsed < minSeconds) {
    fn();
    rounds++;
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  }
  return {
    packets_per_s: (count * rounds) / elapsed,
    mb_per_s: (bytes * rounds) / elapsed / 1e6,
  };
}

const encoder = new Encoder();
const results = {};
const kinds = ["all", ...new Set(entries.map((e) => e.kind))];
let sink = 0;

for (const kind of kinds) {
  const wires = entries.filter((e) => kind === "all" || e.kind === kind).map((e) => e.wire);
  const bytes = wires.reduce((n, w) => n + Buffer.byteLength(w), 0);
  const packets = decodeAll(wires);
  if (packets.length !== wires.length) throw new Error(`decoded ${packets.length} of ${wires.length}`);

  const decode = measure(
    () => {
      const decoder = new Decoder();
      decoder.on("decoded", () => sink++);
      for (const wire of wires) decoder.add(wire);
    },
    wires.length,
    bytes,
  );
  const encode = measure(
    () => {
      for (const packet of packets) sink += encoder.encode(packet).length;
    },
    wires.length,
    bytes,
  );
  results[kind] = { decode, encode, packets: wires.length, bytes };
}

const hash = createHash("sha256");
for (const packet of decodeAll(entries.map((e) => e.wire))) hash.update(encoder.encode(packet)[0] + "\n");

console.log(JSON.stringify({ version, sha256: hash.digest("hex"), results, sink: sink > 0 }));
