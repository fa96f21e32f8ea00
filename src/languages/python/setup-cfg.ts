import { declareRequirements, DEV_GROUP } from './pep508.js';
import type { DeclaredDependency } from '../deps/types.js';

/**
 * setup.cfg is an INI file read by configparser: `[section]`, `key = value` or `key: value`, values
 * continued on indented lines, whole-line `#`/`;` comments.
 */
function iniSections(text: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let section: Map<string, string> | undefined;
  let key: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
    if (/^\s/.test(raw) && section && key !== undefined) {
      section.set(key, `${section.get(key) ?? ''}\n${trimmed}`);
      continue;
    }
    if (trimmed.startsWith('[') && trimmed.endsWith(']')) {
      section = new Map();
      sections.set(trimmed.slice(1, -1).trim(), section);
      key = undefined;
      continue;
    }
    const sep = trimmed.search(/[=:]/);
    if (!section || sep <= 0) throw new Error(`not an INI line: ${JSON.stringify(trimmed.slice(0, 80))}`);
    key = trimmed.slice(0, sep).trim().toLowerCase();
    section.set(key, trimmed.slice(sep + 1).trim());
  }
  return sections;
}

function cfgRequirements(value: string | undefined): string[] {
  return (value ?? '')
    .split(/[\n]/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

export function parseSetupCfg(text: string): Map<string, DeclaredDependency> {
  const sections = iniSections(text);
  const out = new Map<string, DeclaredDependency>();
  const options = sections.get('options');
  declareRequirements(out, cfgRequirements(options?.get('install_requires')), false);
  declareRequirements(out, cfgRequirements(options?.get('setup_requires')), false);
  declareRequirements(out, cfgRequirements(options?.get('tests_require')), true);
  for (const [extra, value] of sections.get('options.extras_require') ?? []) {
    declareRequirements(out, cfgRequirements(value), DEV_GROUP.test(extra));
  }
  return out;
}
