import { describe, expect, it } from 'vitest';
import { createApiSurface, type ApiDiff } from './index.js';

const surface = createApiSurface({ env: { PATH: '/usr/local/bin:/usr/bin:/bin' } });

/** The diff of one file between two versions (undefined: the file does not exist on that side). */
function diffOne(file: string, before: string | undefined, after: string | undefined): Promise<ApiDiff> {
  return surface.diff([file], (side) => Promise.resolve(side === 'base' ? before : after));
}

const names = (d: ApiDiff) => d.changes.map((c) => `${c.change} ${c.name}`).sort();

describe('public API diff: TypeScript (compiler API)', () => {
  const base = `
/** Adds. */
export function add(a: number, b: number): number { return a + b; }
function internal(x: string) { return x; }
export { internal as exposed };
export interface Options { timeout: number }
export class Client {
  private secret = 1;
  constructor(public host: string) {}
  connect(retries: number): Promise<void> { return Promise.resolve(); }
}
export const handler = (req: Request): Response => new Response();
export type Id = string;
`;

  it('a change to bodies, comments, formatting and private members is no API change', async () => {
    const after = base
      .replace('return a + b;', 'const s = a + b;\n    return s;')
      .replace('/** Adds. */', '// adds two numbers')
      .replace('private secret = 1;', 'private secret = 2; private other = 3;')
      .replace(
        'export interface Options { timeout: number }',
        'export interface Options {\n  timeout: number;\n}',
      )
      .concat('\nexport function added(): void {}\n');
    expect(await diffOne('src/lib.ts', base, after)).toEqual({ changes: [], unreadable: [] });
  });

  it('reports changed parameters, return types, members and removed exports, with before and after', async () => {
    const after = base
      .replace('add(a: number, b: number): number', 'add(a: number, b: number, c = 0): number')
      .replace('connect(retries: number): Promise<void>', 'connect(retries: string): Promise<void>')
      .replace(
        'export interface Options { timeout: number }',
        'export interface Options { timeout?: number }',
      )
      .replace('function internal(x: string)', 'function internal(x: string, y: string)')
      .replace('export type Id = string;', '');
    const diff = await diffOne('src/lib.ts', base, after);
    expect(names(diff)).toEqual([
      'changed Client.connect',
      'changed Options',
      'changed add',
      'changed exposed',
      'removed Id',
    ]);
    expect(diff.changes.find((c) => c.name === 'add')).toMatchObject({
      kind: 'function',
      before: 'function add(a: number, b: number): number;',
      after: 'function add(a: number, b: number, c = 0): number;',
    });
  });

  it('a deleted file removes all its exports; a new file removes none', async () => {
    expect(names(await diffOne('src/lib.ts', base, undefined))).toContain('removed Client.connect');
    expect(await diffOne('src/new.ts', undefined, base)).toEqual({ changes: [], unreadable: [] });
  });

  it('test files are not public API', async () => {
    expect(surface.covers('src/lib.test.ts')).toBe(false);
    expect(surface.covers('test/helpers/x.ts')).toBe(false);
    expect(surface.covers('src/lib.ts')).toBe(true);
  });
});

describe('public API diff: Rust (pub items through a lexer)', () => {
  const base = `
//! pub fn in_a_comment() {}
pub struct Config { pub name: String, pub map: HashMap<String, Vec<u8>>, secret: u32 }
pub enum Mode { Fast, Slow { ms: u64 } }
pub trait Greeter { fn greet(&self) -> String; }
impl Config {
    pub fn new(name: &str) -> Self { let s = "pub fn fake(x: u8) {"; todo!() }
    pub(crate) fn internal(&self) {}
    fn private(&self, x: u8) {}
}
pub const MAX: usize = 10;
pub use crate::inner::{Thing, Other};
fn helper() {}
`;

  it('bodies, private items, pub(crate) items, strings and comments do not count', async () => {
    const after = base
      .replace('todo!()', 'Self { name: name.into(), map: HashMap::new(), secret: 0 }')
      .replace('fn private(&self, x: u8)', 'fn private(&self, x: u16)')
      .replace('pub(crate) fn internal(&self)', 'pub(crate) fn internal(&self, y: u8)')
      .replace('pub fn fake(x: u8)', 'pub fn fake(x: u64)')
      .replace('pub const MAX: usize = 10;', 'pub const MAX: usize = 20;')
      .replace('secret: u32', 'secret: u64');
    expect(await diffOne('src/lib.rs', base, after)).toEqual({ changes: [], unreadable: [] });
  });

  it('reports changed fn signatures, fields, variants, trait methods and removed items', async () => {
    const after = base
      .replace('pub fn new(name: &str) -> Self', 'pub fn new(name: String) -> Self')
      .replace('pub map: HashMap<String, Vec<u8>>', 'pub map: BTreeMap<String, Vec<u8>>')
      .replace('Slow { ms: u64 }', 'Slow { ms: u32 }')
      .replace('fn greet(&self) -> String;', 'fn greet(&self, loud: bool) -> String;')
      .replace('pub use crate::inner::{Thing, Other};', 'pub use crate::inner::Thing;')
      .replace('pub const MAX: usize = 10;', '');
    expect(names(await diffOne('src/lib.rs', base, after))).toEqual([
      'changed Config.map',
      'changed Config::new',
      'changed Greeter',
      'changed Mode',
      'removed MAX',
      'removed crate::inner::{ Thing, Other }',
    ]);
  });

  it('an unterminated string makes the file unreadable, not silently unchanged', async () => {
    const diff = await diffOne('src/lib.rs', base, `${base}\npub fn broken() { let s = "never closed; }`);
    expect(diff.unreadable).toHaveLength(1);
    expect(diff.unreadable[0]?.reason).toMatch(/unterminated/);
  });
});

describe('public API diff: Go (exported identifiers)', () => {
  const base = `package x

// func Fake() {} in a comment
const Max = 10
const (
	A Mode = iota
	b
)
var Registry map[string]int

type Client struct {
	Name string
	secret string
}

type Doer interface {
	Do(ctx context.Context) (int, error)
	hidden()
}

func New(name string, opts ...Option) *Client {
	s := "func Fake() {"
	return &Client{Name: name}
}

func (c *Client) Connect(addr string) (net.Conn, error) { return nil, nil }
func (c *Client) close() {}
func private() {}
`;

  it('bodies, unexported names, receiver names and constant values do not count', async () => {
    const after = base
      .replace('return &Client{Name: name}', 'c := &Client{Name: name}\n\treturn c')
      .replace('secret string', 'secret []byte\n\tcount int')
      .replace('hidden()', 'hidden(x int)')
      .replace('func (c *Client) Connect', 'func (cl *Client) Connect')
      .replace('const Max = 10', 'const Max = 11')
      .replace('func private() {}', 'func private(x int) {}');
    expect(await diffOne('pkg/x.go', base, after)).toEqual({ changes: [], unreadable: [] });
  });

  it('reports changed funcs, methods, struct fields, interface methods and removed names', async () => {
    const after = base
      .replace('func New(name string, opts ...Option) *Client', 'func New(name string) *Client')
      .replace(
        'Connect(addr string) (net.Conn, error)',
        'Connect(addr string, timeout time.Duration) (net.Conn, error)',
      )
      .replace('Name string', 'Name []byte')
      .replace('Do(ctx context.Context) (int, error)', 'Do(ctx context.Context) error')
      .replace('var Registry map[string]int', '');
    expect(names(await diffOne('pkg/x.go', base, after))).toEqual([
      'changed Client',
      'changed Client.Connect',
      'changed Doer',
      'changed New',
      'removed Registry',
    ]);
  });

  it('_test.go files are not public API', () => {
    expect(surface.covers('pkg/x_test.go')).toBe(false);
  });
});

describe('public API diff: Python (ast, run isolated)', () => {
  const base = `
import os
def connect(host: str, port: int = 80) -> "Client":
    return Client(host)

def _helper(x):
    return x

class Client:
    name: str
    def __init__(self, host):
        self.host = host
    def fetch(self, url: str) -> bytes:
        return b""
    def _private(self):
        pass

VERSION = "1.0"
`;

  it('bodies, private names and values do not count', async () => {
    const after = base
      .replace('return Client(host)', 'c = Client(host)\n    return c')
      .replace('def _helper(x):', 'def _helper(x, y):')
      .replace('def _private(self):', 'def _private(self, z):')
      .replace('VERSION = "1.0"', 'VERSION = "2.0"');
    expect(await diffOne('pkg/client.py', base, after)).toEqual({ changes: [], unreadable: [] });
  });

  it('reports changed signatures and removed names, and __all__ decides what is public', async () => {
    const after = base
      .replace('def connect(host: str, port: int = 80)', 'def connect(host: str, *, port: int = 80)')
      .replace('def fetch(self, url: str) -> bytes:', 'def fetch(self, url: bytes) -> bytes:')
      .replace('VERSION = "1.0"', '');
    expect(names(await diffOne('pkg/client.py', base, after))).toEqual([
      'changed Client.fetch',
      'changed connect',
      'removed VERSION',
    ]);
    // Under __all__, only the listed names are API: connect may change, Client may not.
    const listed = `__all__ = ["Client"]\n${base}`;
    const changedConnect = listed.replace('port: int = 80', 'port: str = "80"');
    expect(await diffOne('pkg/client.py', listed, changedConnect)).toEqual({ changes: [], unreadable: [] });
  });

  it('parses without running the module: code at import time never executes', async () => {
    const marker = `/tmp/autodev-api-surface-ran-${process.pid}`;
    const hostile = `import os\nos.system("touch ${marker}")\nopen("${marker}", "w").write("ran")\ndef f(): pass\n`;
    await diffOne('pkg/evil.py', hostile, hostile.replace('def f()', 'def f(x)'));
    const { existsSync } = await import('node:fs');
    expect(existsSync(marker)).toBe(false);
  });

  it('a hostile file nested past the parser recursion limit is unreadable, not a failed task', async () => {
    const deep = `x = 1${' + 1'.repeat(100_000)}\n`;
    const diff = await diffOne('pkg/deep.py', 'def f(): pass\n', deep);
    expect(diff.unreadable.map((u) => u.file)).toEqual(['pkg/deep.py']);
  });

  it('invalid Python after the change is reported unreadable, naming the file', async () => {
    const diff = await diffOne('pkg/client.py', base, 'def broken(:\n');
    expect(diff.unreadable).toEqual([
      {
        file: 'pkg/client.py',
        reason: expect.stringMatching(/pkg\/client\.py is not valid Python: SyntaxError/),
      },
    ]);
  });
});
