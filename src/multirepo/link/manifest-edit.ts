/** One value set in a JSON manifest: the keys leading to it (objects made on the way) and the value. */
export interface ManifestEdit {
  keys: string[];
  value: string;
}

/**
 * Reads the manifest, sets each edit and writes it back (two-space JSON). The edits arrive as an
 * argument, never as code: a package name is data, whatever characters it holds.
 */
const EDIT_SCRIPT = [
  "const fs = require('node:fs');",
  'const [file, editsJson] = process.argv.slice(1);',
  'const manifest = JSON.parse(fs.readFileSync(file, "utf8"));',
  'for (const { keys, value } of JSON.parse(editsJson)) {',
  '  let node = manifest;',
  '  for (const key of keys.slice(0, -1)) {',
  '    if (typeof node[key] !== "object" || node[key] === null) node[key] = {};',
  '    node = node[key];',
  '  }',
  '  node[keys[keys.length - 1]] = value;',
  '}',
  'fs.writeFileSync(file, JSON.stringify(manifest, null, 2) + "\\n");',
].join('\n');

/**
 * The argv that applies `edits` to the JSON manifest `file` in the sandbox. A link command, run
 * after the consumer's own install: editing before it would make a frozen-lockfile install refuse.
 */
export function manifestEditCommand(file: string, edits: ManifestEdit[]): string[] {
  return ['node', '-e', EDIT_SCRIPT, file, JSON.stringify(edits)];
}
