// Another engine's benchmark result takes Chromium's figure of the same run as its peer: the last line of that
// name in the results file (./crm bench runs Chromium first).
import fs from 'node:fs';

export function chromiumFigure(resultsFile, name) {
  if (!fs.existsSync(resultsFile)) return null;
  const lines = fs.readFileSync(resultsFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const line = lines.findLast((l) => l.bench === name);
  return line ? line.value : null;
}
