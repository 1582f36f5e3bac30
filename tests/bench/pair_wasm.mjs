// Pairs the wasm run of a benchmark (core., sync.) with the native run of the
// same build: each wasm result is written as <area>.wasm.<name> with the native
// figure as its peer, and <area>.wasm_ratio.<name> = wasm / native (the core
// issue's target is 2). Usage: node pair_wasm.mjs RESULTS.jsonl WASM.jsonl
// (core_pair.mjs uses pairedLines for the core benchmarks it runs turn by turn).
import { readFileSync, appendFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

// The wasm results as paired lines, given the native results of the same run.
export function pairedLines(nativeResults, wasmResults) {
  const native = new Map(nativeResults.map((r) => [r.bench, r]));
  const lines = [];
  for (const w of wasmResults) {
    const [, area, name] = w.bench.match(/^([a-z]+)\.(.*)$/);
    const peer = native.get(w.bench);
    lines.push({ ...w, bench: `${area}.wasm.${name}`, peer: peer ? peer.value : null, peer_name: peer ? 'native, same run' : undefined });
    if (peer && peer.value > 0) {
      // A first call is a diagnostic of the engine's cold compile, not of the code: the 2x target is for steady work.
      const target = area === 'core' && !name.includes('first_call') ? 2 : null;
      lines.push({ bench: `${area}.wasm_ratio.${name}`, value: w.value / peer.value, unit: 'x', target,
                   better: 'lower', peer: null });
    }
  }
  return lines;
}

export function printLines(lines) {
  for (const l of lines) {
    console.log(`${l.bench.padEnd(56)} ${l.value.toFixed(3).padStart(10)} ${l.unit.padEnd(3)} target ${l.target ?? '-'}` +
                (l.peer != null ? `  peer ${l.peer.toFixed(3)}` : ''));
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [resultsPath, wasmPath] = process.argv.slice(2);
  if (!resultsPath || !wasmPath) {
    console.error('usage: node pair_wasm.mjs RESULTS.jsonl WASM.jsonl');
    process.exit(2);
  }
  const read = (path) => readFileSync(path, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
  const lines = pairedLines(read(resultsPath), read(wasmPath));
  appendFileSync(resultsPath, lines.map((l) => JSON.stringify(l)).join('\n') + (lines.length ? '\n' : ''));
  printLines(lines);
}
