// Usage: node validate.mjs FILE.glb — prints the validator's issue counts and messages as JSON;
// exits 1 when the report has errors.
import { readFileSync } from 'node:fs';
import validator from 'gltf-validator';

const file = process.argv[2];
const report = await validator.validateBytes(new Uint8Array(readFileSync(file)), { maxIssues: 50 });
const issues = report.issues;
console.log(JSON.stringify({
  errors: issues.numErrors, warnings: issues.numWarnings, infos: issues.numInfos,
  messages: issues.messages.map(m => `${m.severity} ${m.code} ${m.pointer ?? ''}: ${m.message}`),
}));
process.exit(issues.numErrors > 0 ? 1 : 0);
