import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { languageForPath } from './languages.js';
import { createTagCache, createTagParser } from './tag-parser.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '__fixtures__', 'langs');
const parser = createTagParser({ parseTimeoutMs: 5_000 });

async function tagsOf(name: string) {
  const text = await readFile(path.join(FIXTURES, `${name}.txt`), 'utf8');
  const language = languageForPath(name);
  if (!language) throw new Error(`no language for ${name}`);
  const tags = await parser.tags(name, language, text);
  if (!tags) throw new Error(`parse of ${name} timed out`);
  return tags;
}

const summary = (tags: Awaited<ReturnType<typeof tagsOf>>) =>
  tags.definitions.map((d) => `${d.kind} ${d.name} @${d.line}`);

describe('createTagParser', () => {
  it('reads Python classes, methods (decorated too) and functions with their lines and calls', async () => {
    const tags = await tagsOf('shapes.py');
    expect(summary(tags)).toEqual([
      'class Shape @1',
      'method area @2',
      'method name @6',
      'function total_area @10',
    ]);
    expect(tags.definitions.at(-1)?.signature).toBe('def total_area(shapes: list[Shape]) -> float:');
    expect(tags.references).toEqual(expect.arrayContaining(['sum', 'area']));
  });

  it('reads Rust structs, traits, trait and impl methods and functions', async () => {
    const tags = await tagsOf('shapes.rs');
    expect(summary(tags)).toEqual([
      'struct Circle @1',
      'trait Area @5',
      'method area @6',
      'method area @10',
      'function total_area @15',
    ]);
    expect(tags.definitions[0]?.signature).toBe('pub struct Circle');
    // The struct's own name is its definition, not a use: the impl and total_area's parameter are.
    expect(tags.references.filter((name) => name === 'Circle')).toHaveLength(2);
  });

  it('reads Go structs, interfaces (with their methods), methods and functions', async () => {
    const tags = await tagsOf('shapes.go');
    expect(summary(tags)).toEqual([
      'struct Circle @3',
      'interface Area @7',
      'method Area @8',
      'method Area @11',
      'function TotalArea @15',
    ]);
    expect(tags.references).toEqual(expect.arrayContaining(['Area']));
  });

  it('reads TypeScript interfaces, type aliases, classes, methods and functions', async () => {
    const tags = await tagsOf('shapes.ts');
    expect(summary(tags)).toEqual([
      'interface Area @1',
      'method area @2',
      'type Unit @5',
      'class Circle @7',
      'method constructor @8',
      'method area @10',
      'function totalArea @15',
    ]);
    expect(tags.definitions.at(-1)?.signature).toBe('export function totalArea(shapes: Area[]): number');
  });

  it('reads JavaScript classes, methods, functions and CommonJS exports assigned a function', async () => {
    const tags = await tagsOf('shapes.js');
    expect(summary(tags)).toEqual([
      'class Circle @1',
      'method constructor @2',
      'method area @6',
      'function totalArea @11',
      'function describe @15',
    ]);
    expect(tags.references).toEqual(expect.arrayContaining(['reduce', 'area']));
  });

  it('gives up on a parse that runs past its time limit instead of blocking', async () => {
    const slow = createTagParser({ parseTimeoutMs: 1 });
    const huge = 'def f():\n    return g(1)\n'.repeat(200_000);
    expect(await slow.tags('huge.py', 'python', huge)).toBeUndefined();
  });
});

describe('the tag cache', () => {
  const oneDef = (name: string) => `def ${name}():\n    return helper()\n`;

  it('answers the same contents under another path with that path, and parses changed contents anew', async () => {
    const cached = createTagParser({ parseTimeoutMs: 5_000, cache: createTagCache() });
    const first = await cached.tags('a/one.py', 'python', oneDef('alpha'));
    const moved = await cached.tags('b/two.py', 'python', oneDef('alpha'));
    expect(moved).toEqual({ ...first, path: 'b/two.py' });
    // Same path, new contents: keyed by content, so never the old file's tags.
    const edited = await cached.tags('a/one.py', 'python', oneDef('beta'));
    expect(edited?.definitions.map((d) => d.name)).toEqual(['beta']);
  });

  it('holds what it is sized for and drops the least recently used first', () => {
    const tags = (name: string) => ({
      definitions: [{ name, kind: 'function' as const, line: 1, signature: `def ${name}()` }],
      references: [],
    });
    // Each entry weighs 2 (itself and one definition): room for two.
    const cache = createTagCache(4);
    cache.set('a', tags('a'));
    cache.set('b', tags('b'));
    expect(cache.get('a')).toBeDefined(); // a is now the most recently used
    cache.set('c', tags('c'));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')?.definitions[0]?.name).toBe('a');
    expect(cache.get('c')?.definitions[0]?.name).toBe('c');
  });
});
