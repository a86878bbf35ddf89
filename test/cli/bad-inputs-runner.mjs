// Runs many CLI invocations in one process (the machine is shared: one node start instead of a hundred).
// Input: a JSON file of [{ cwd, args, env }]; the results ({ code, stdout, stderr } each) go as JSON to the file given second.
import { readFileSync, writeFileSync } from 'node:fs';

const [casesFile, outFile, cliMain] = process.argv.slice(2);
const { main } = await import(cliMain);
// what `tsplay schedule` re-runs for each job: the real binary, not this runner
process.argv[1] = new URL('../cli.js', new URL(`file://${cliMain}`)).pathname;
const cases = JSON.parse(readFileSync(casesFile, 'utf8'));
const results = [];
const realOut = process.stdout.write.bind(process.stdout);
const realErr = process.stderr.write.bind(process.stderr);
for (const c of cases) {
  let stdout = '';
  let stderr = '';
  const saved = {};
  for (const [k, v] of Object.entries(c.env ?? {})) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  process.chdir(c.cwd);
  process.stdout.write = (s) => ((stdout += String(s)), true);
  process.stderr.write = (s) => ((stderr += String(s)), true);
  let code;
  try {
    code = await main(['node', 'tsplay', ...c.args]);
  } catch (e) {
    stderr += `THROWN: ${e?.stack ?? e}\n`;
    code = -1;
  } finally {
    process.stdout.write = realOut;
    process.stderr.write = realErr;
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  results.push({ code, stdout, stderr });
}
writeFileSync(outFile, JSON.stringify(results));
process.exit(0);
