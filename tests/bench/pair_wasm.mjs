// Pairs the wasm run of the core benchmarks with the native run of the same
// build: each wasm result is written as core.wasm.<name> with the native figure
// as its peer, and core.wasm_ratio.<name> = wasm / native with the issue's
// target of 2. Usage: node pair_wasm.mjs RESULTS.jsonl WASM.jsonl
import { readFileSync, appendFileSync } from 'node:fs';

const [resultsPath, wasmPath] = process.argv.slice(2);
if (!resultsPath || !wasmPath) {
  console.error('usage: node pair_wasm.mjs RESULTS.jsonl WASM.jsonl');
  process.exit(2);
}
const read = (path) => readFileSync(path, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
const native = new Map(read(resultsPath).map((r) => [r.bench, r]));
const lines = [];
for (const w of read(wasmPath)) {
  const name = w.bench.replace(/^core\./, '');
  const peer = native.get(w.bench);
  lines.push({ ...w, bench: `core.wasm.${name}`, peer: peer ? peer.value : null, peer_name: peer ? 'native, same run' : undefined });
  if (peer && peer.value > 0) {
    lines.push({ bench: `core.wasm_ratio.${name}`, value: w.value / peer.value, unit: 'x', target: 2, better: 'lower',
                 peer: null });
  }
}
appendFileSync(resultsPath, lines.map((l) => JSON.stringify(l)).join('\n') + (lines.length ? '\n' : ''));
for (const l of lines) {
  console.log(`${l.bench.padEnd(52)} ${l.value.toFixed(3).padStart(10)} ${l.unit.padEnd(3)} target ${l.target ?? '-'}` +
              (l.peer != null ? `  native ${l.peer.toFixed(3)}` : ''));
}
