import { describe, expect, it } from 'vitest';
import { lintConfigChanges, type ReadSide } from './lint-config.js';

function sides(files: Record<string, [string | undefined, string | undefined]>): ReadSide {
  return (side, file) => Promise.resolve(files[file]?.[side === 'base' ? 0 : 1]);
}

describe('lintConfigChanges', () => {
  it("flags linter config files and linter sections, not a manifest's other parts", async () => {
    const read = sides({
      'pyproject.toml': ['[project]\nname = "a"\n', '[project]\nname = "b"\n'],
      'Cargo.toml': ['[package]\nname = "a"\n', '[package]\nname = "a"\n\n[lints.clippy]\nall = "allow"\n'],
      'web/package.json': ['{"name":"a"}', '{"name":"a","eslintConfig":{"rules":{}}}'],
    });
    const files = [
      'pyproject.toml',
      'Cargo.toml',
      'web/package.json',
      'ruff.toml',
      'crate/clippy.toml',
      'web/eslint.config.mjs',
      'web/tsconfig.json',
      'lib/.gitignore',
      'src/lib.rs',
    ];
    const found = await lintConfigChanges(files, read);
    expect(found.map((f) => f.file)).toEqual([
      'Cargo.toml',
      'web/package.json',
      'ruff.toml',
      'crate/clippy.toml',
      'web/eslint.config.mjs',
      'web/tsconfig.json',
      'lib/.gitignore',
    ]);
    expect(found.every((f) => f.rule === 'lint-config-changed')).toBe(true);
  });

  it('a pyproject that no longer parses is flagged rather than guessed at', async () => {
    const read = sides({ 'pyproject.toml': ['[tool.ruff]\n', '[tool.ruff\n'] });
    const [found] = await lintConfigChanges(['pyproject.toml'], read);
    expect(found?.message).toContain('unreadable');
  });
});
