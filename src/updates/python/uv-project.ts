import { AutodevError } from '../../errors.js';
import { parsePyproject } from './pyproject.js';

type Doc = Record<string, unknown>;

const table = (value: unknown): Doc =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Doc) : {};

function refuse(reason: string, key: string): AutodevError {
  return new AutodevError(
    'UPDATE_UNSUPPORTED',
    `python: uv would build this repository's own code to lock it (${reason}); the lock step has network, so it runs no repository code: not updated`,
    { details: { ecosystem: 'python', file: 'pyproject.toml', key, tool: 'uv' } },
  );
}

/**
 * UPDATE_UNSUPPORTED when `uv lock` would run the repository's build backend (its setup.py, a
 * dynamic-metadata plugin) to learn the project's metadata: the lock step has network, and nothing
 * the repository ships may run with it. uv reads static `[project]` metadata without building; it
 * builds a project whose `dynamic` lists anything, and reads local packages (workspace members,
 * `path` / `workspace` sources) that may need the same.
 */
export function refuseUvBuilds(pyproject: string): void {
  const doc = parsePyproject(pyproject);
  const dynamic = table(doc['project'])['dynamic'];
  if (Array.isArray(dynamic) && dynamic.length > 0) {
    throw refuse(`[project] dynamic = ${JSON.stringify(dynamic)}`, 'project.dynamic');
  }
  const uv = table(table(doc['tool'])['uv']);
  if (Array.isArray(table(uv['workspace'])['members'])) {
    throw refuse('a uv workspace: [tool.uv.workspace] members', 'tool.uv.workspace.members');
  }
  for (const [name, source] of Object.entries(table(uv['sources']))) {
    const entries = Array.isArray(source) ? source : [source];
    if (entries.some((entry) => 'path' in table(entry) || 'workspace' in table(entry))) {
      throw refuse(`[tool.uv.sources] ${name} is a local package`, `tool.uv.sources.${name}`);
    }
  }
}
