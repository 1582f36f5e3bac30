// Runs the core benchmarks natively and in wasm under Node turn by turn, so that both sides of each
// wasm/native ratio are measured in the same minutes of a shared machine rather than several minutes
// apart. Both builds serve requests (crm-bench --serve); each benchmark is measured in rounds, in the
// order native, wasm, wasm, native, native, wasm… and its statistic (p95, or p50) is taken over all of
// a side's samples. A benchmark that changes its data (an insert, an import) is measured once per side.
// A call under 0.1 ms is timed in batches (each sample a batch's mean; the line says `batch`).
// Appends the native results, the wasm ones with the native figure as peer, and the ratios.
//   node core_pair.mjs RESULTS.jsonl NATIVE_BENCH WASM_BENCH_JS [only]
import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { pairedLines, printLines } from './pair_wasm.mjs';

const [resultsPath, nativeBin, wasmJs, only = ''] = process.argv.slice(2);
if (!resultsPath || !nativeBin || !wasmJs) {
  console.error('usage: node core_pair.mjs RESULTS.jsonl NATIVE_BENCH WASM_BENCH_JS [only]');
  process.exit(2);
}
const kRounds = 4;
const kSamples = 1000;  // per side, over all rounds
const kWarmupFirst = 30;
const kWarmupLater = 10;  // the other build ran in between: caches are cold again on both sides

// One build serving requests; ask() sends a line and resolves with its JSON answer.
function serve(command, args) {
  const child = spawn(command, [...args, '--serve'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const answers = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  let exited = null;
  child.on('exit', (code, signal) => { exited = `exited (${signal ?? code})`; });
  return {
    async ask(line) {
      if (exited) throw new Error(`${command}: ${exited}`);
      child.stdin.write(line + '\n');
      const { value, done } = await answers.next();
      if (done) throw new Error(`${command} ${args.join(' ')}: no answer to '${line}' (${exited ?? 'closed'})`);
      const answer = JSON.parse(value);
      if (answer.error) throw new Error(`${command}: ${answer.error}`);
      return answer;
    },
    close() { child.stdin.end(); },
  };
}

// As Percentile in bench_json.h.
function percentile(samples, p) {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(Math.round(p * (sorted.length - 1)), sorted.length - 1)];
}

const firstCallName = (name) => name.replace('_p95_ms', '_first_call_ms');

const native = serve(nativeBin, []);
const wasm = serve(process.execPath, ['--no-experimental-fetch', wasmJs]);
const sides = { native, wasm };
const nativeResults = [];
const wasmResults = [];
try {
  const { benchmarks } = await native.ask('list');
  const wasmNames = (await wasm.ask('list')).benchmarks.map((b) => b.name).join();
  if (wasmNames !== benchmarks.map((b) => b.name).join()) throw new Error('the two builds list different benchmarks');
  for (const b of benchmarks.filter((x) => x.name.includes(only))) {
    const pooled = { native: { samples: [], peer: [], first: null, batch: 1 }, wasm: { samples: [], peer: [], first: null, batch: 1 } };
    const rounds = b.repeatable ? kRounds : 1;
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? ['native', 'wasm'] : ['wasm', 'native'];
      for (const side of order) {
        const samples = b.repeatable ? Math.ceil(kSamples / kRounds) : 1;
        const warmup = round === 0 ? kWarmupFirst : kWarmupLater;
        const answer = await sides[side].ask(`run ${b.name} ${samples} ${warmup} ${round === 0 ? 1 : 0}`);
        pooled[side].samples.push(...answer.samples);
        pooled[side].peer.push(...answer.peer_samples);
        if (answer.first_ms != null) pooled[side].first = answer.first_ms;
        pooled[side].batch = answer.batch;
      }
    }
    for (const side of ['native', 'wasm']) {
      const { samples, peer, first, batch } = pooled[side];
      const out = side === 'native' ? nativeResults : wasmResults;
      // The median beside a p95, for reading: a p95 ratio far from the median's points at a tail, not the code.
      out.push({ bench: b.name, value: percentile(samples, b.percentile), unit: b.unit, target: b.target, better: 'lower',
                 peer: peer.length ? percentile(peer, b.percentile) : null,
                 ...(peer.length ? { peer_name: b.peer_name } : {}), samples: samples.length, rounds,
                 ...(batch > 1 ? { batch } : {}),
                 ...(b.percentile !== 0.5 && samples.length > 1 ? { p50: percentile(samples, 0.5) } : {}) });
      if (first != null) {
        out.push({ bench: firstCallName(b.name), value: first, unit: 'ms', target: null, better: 'lower', peer: null });
      }
    }
    const n = nativeResults.at(-1).bench === b.name ? nativeResults.at(-1) : nativeResults.at(-2);
    const w = wasmResults.at(-1).bench === b.name ? wasmResults.at(-1) : wasmResults.at(-2);
    const medians = n.p50 && w.p50 ? `  p50 ${n.p50.toFixed(3)} / ${w.p50.toFixed(3)} x${(w.p50 / n.p50).toFixed(2)}` : '';
    console.log(`${b.name.padEnd(48)} native ${n.value.toFixed(3).padStart(9)} ${b.unit.padEnd(2)}  wasm ` +
                `${w.value.toFixed(3).padStart(9)}  x${(w.value / n.value).toFixed(2)}  (${rounds} round${rounds > 1 ? 's' : ''})` +
                medians);
  }
} finally {
  native.close();
  wasm.close();
}
const lines = [...nativeResults, ...pairedLines(nativeResults, wasmResults)];
appendFileSync(resultsPath, lines.map((l) => JSON.stringify(l)).join('\n') + (lines.length ? '\n' : ''));
printLines(lines.filter((l) => l.bench.includes('wasm_ratio')));
