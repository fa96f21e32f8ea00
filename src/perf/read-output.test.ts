import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAutodevToml } from '../languages/autodev-toml.js';
import { readBenchOutput } from './read-output.js';

describe('[bench] in .autodev.toml and the results file it names', () => {
  const dirs: string[] = [];
  const tree = async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'autodev-bench-out-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });

  it('reads command, format and output; a string command runs through sh -c', () => {
    const toml = parseAutodevToml(
      '[bench]\ncommand = "make bench"\nformat = "hyperfine"\noutput = "out/b.json"\n',
    );
    expect(toml.bench).toEqual({
      argv: ['sh', '-c', 'make bench'],
      format: 'hyperfine',
      output: 'out/b.json',
    });
  });

  it.each([
    ['[bench]\ncommand = "x"\nformat = "jmh"\n', 'bench.format'],
    ['[bench]\nformat = "go"\n', 'bench.command'],
    ['[bench]\ncommand = "x"\nformat = "go"\noutput = "../../etc/passwd"\n', 'bench.output'],
    ['[bench]\ncommand = "x"\nformat = "go"\noutput = "/etc/passwd"\n', 'bench.output'],
    ['[bench]\ncommand = "x"\nformat = "go"\nrounds = 3\n', 'bench.rounds'],
  ])('%j is refused naming %s', (text, key) => {
    expect(() => parseAutodevToml(text)).toThrow(`.autodev.toml: ${key}:`);
  });

  it('reads the file the command wrote inside the tree', async () => {
    const dir = await tree();
    await writeFile(path.join(dir, 'b.json'), '{"results": []}');
    await expect(readBenchOutput(dir, 'b.json')).resolves.toBe('{"results": []}');
  });

  it('a results file that is a link out of the tree (to /etc/passwd) is refused, never read', async () => {
    const dir = await tree();
    await symlink('/etc/passwd', path.join(dir, 'b.json'));
    await expect(readBenchOutput(dir, 'b.json')).rejects.toMatchObject({ code: 'BENCH_OUTPUT_INVALID' });
  });

  it('a run that wrote no results file is BENCH_OUTPUT_INVALID naming it', async () => {
    const dir = await tree();
    await expect(readBenchOutput(dir, 'b.json')).rejects.toMatchObject({
      code: 'BENCH_OUTPUT_INVALID',
      message: expect.stringContaining('"b.json" does not exist'),
    });
  });
});
