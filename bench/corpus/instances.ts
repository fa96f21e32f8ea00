/**
 * The corpus: small, popular libraries pinned by version and sha256 (four per ecosystem, then pnpm,
 * yarn and the assembled workspaces), each with one injected bug that its own test suite catches. Only coordinates live here; the source is
 * downloaded at run time (bench/corpus/fetch.ts) and never committed.
 */
import { crate, goModule, npm, pypi } from './sources.js';
import type { CorpusInstance } from './types.js';
import { REAL_FIX_CORPUS } from './real-fix-instances.js';
import { WORKSPACE_CORPUS } from './workspace-instances.js';

export const CORPUS: CorpusInstance[] = [
  // Python: setup.py with a test at the root; flit with requirements/; tox.ini deps; optional test extras.
  {
    name: 'six',
    ecosystem: 'python',
    source: pypi(
      'six',
      '1.16.0',
      '71/39/171f1c67cd00715f190ba0b100d606d440a28c93c7714febeca8b79af85e',
      '1e61c37477a1626458e36f7b1d82aa5c9b094fa4802892072e49de9c60c4c926',
    ),
    traits: ['setup.py', 'single module'],
    bug: { file: 'six.py', search: 'return s.encode("latin-1")', replace: 'return s.encode("utf-8")' },
    task: {
      title: 'six.b() returns two bytes for one character',
      description:
        'On Python 3, six.b("\\xff") returns b"\\xc3\\xbf" (two bytes); it must return the single byte 0xff.',
    },
    riskTier: 'low',
  },
  {
    name: 'more-itertools',
    ecosystem: 'python',
    source: pypi(
      'more-itertools',
      '10.2.0',
      'df/ad/7905a7fd46ffb61d976133a4f47799388209e73cbc8c1253593335da88b4',
      '8fccb480c43d3e99a00087634c06dd02b0d50fbf088b380de5a41a015ec239e1',
    ),
    traits: ['flit_core build backend', 'tox.ini'],
    bug: {
      file: 'more_itertools/more.py',
      search: '    deque(zip(iterable, counter), maxlen=0)\n    return next(counter)\n',
      replace: '    deque(zip(iterable, counter), maxlen=0)\n    return next(counter) + 1\n',
    },
    task: {
      title: 'ilen() counts one item too many',
      description:
        'more_itertools.ilen([]) returns 1 and ilen(range(10)) returns 11; they must return 0 and 10.',
    },
    riskTier: 'low',
  },
  {
    name: 'cachetools',
    ecosystem: 'python',
    source: pypi(
      'cachetools',
      '5.3.3',
      'b3/4d/27a3e6dd09011649ad5210bdf963765bc8fa81a0827a4fc01bafd2705c5b',
      'ba29e2dfa0b8b556606f097407ed1aa62080ee108ab0dc5ec9d6a723a007d105',
    ),
    traits: ['src layout', 'test deps from tox.ini'],
    bug: {
      file: 'src/cachetools/__init__.py',
      search:
        '            self.__order.move_to_end(key)\n        except KeyError:\n            self.__order[key] = None\n\n\nclass MRUCache',
      replace:
        '            self.__order.move_to_end(key, last=False)\n        except KeyError:\n            self.__order[key] = None\n\n\nclass MRUCache',
    },
    task: {
      title: 'LRUCache evicts the entry that was just used',
      description:
        'With LRUCache(maxsize=2), after c[1]=1; c[2]=2; c[1]; c[3]=3 the key 1 is gone and 2 is kept: the least recently used entry (2) must be evicted instead.',
    },
    riskTier: 'low',
  },
  {
    name: 'humanize',
    ecosystem: 'python',
    source: pypi(
      'humanize',
      '4.9.0',
      '76/21/7a0b24fae849562397efd79da58e62437243ae0fd0f6c09c6bc26225b75c',
      '582a265c931c683a7e9b8ed9559089dea7edcf6cc95be39a3cbc2c5d5ac2bcfa',
    ),
    traits: ['hatchling + hatch-vcs', '[project.optional-dependencies] tests (freezegun)'],
    bug: {
      file: 'src/humanize/number.py',
      search: 'P_("1 (male)", "st"),',
      replace: 'P_("1 (male)", "th"),',
    },
    task: {
      title: 'ordinal(1) says "1th"',
      description: 'humanize.ordinal(1) returns "1th" and ordinal(21) "21th"; they must be "1st" and "21st".',
    },
    riskTier: 'low',
  },
  // Rust: no dependencies; a doc-tested crate with a dev-dependency (serde_json); a build script; tests/.
  {
    name: 'fnv',
    ecosystem: 'rust',
    source: crate('fnv', '1.0.7', '3f9eec918d3f24069decb9af1554cad7c880e2da24a9afd88aca000531ab82c1'),
    traits: ['lib.rs at the root', 'no dependencies'],
    bug: {
      file: 'lib.rs',
      search: 'hash = hash.wrapping_mul(0x100000001b3);',
      replace: 'hash = hash.wrapping_mul(0x100000001b5);',
    },
    task: {
      title: 'FnvHasher gives the wrong hashes',
      description:
        'The 64-bit FNV-1a hash of "a" must be 0xaf63dc4c8601ec8c, as the FNV reference says; FnvHasher returns something else.',
    },
    riskTier: 'low',
  },
  {
    name: 'either',
    ecosystem: 'rust',
    source: crate('either', '1.13.0', '60b1af1c220855b6ceac025d3f6ecdd2b7c4894bfe9cd9bda4fbb4bc7c0d4cf0'),
    traits: ['dev-dependency serde_json', 'doc tests'],
    bug: {
      file: 'src/lib.rs',
      search: '    pub fn is_left(&self) -> bool {\n        match *self {\n            Left(_) => true,',
      replace: '    pub fn is_left(&self) -> bool {\n        match *self {\n            Left(_) => false,',
    },
    task: {
      title: 'Either::is_left() is false for a Left value',
      description: 'Left::<i32, ()>(1).is_left() returns false; it must return true for every Left.',
    },
    riskTier: 'low',
  },
  {
    name: 'itoa',
    ecosystem: 'rust',
    source: crate('itoa', '1.0.11', '49f1f14873335454500d59611f1cf4a4b0f786f9ac11f4312a78e4cf2566695b'),
    traits: ['tests/ folder', 'benches'],
    bug: {
      file: 'src/lib.rs',
      search:
        "                let mut n = if is_nonnegative {\n                    self as $conv_fn\n                } else {\n                    // Convert negative number to positive by summing 1 to its two's complement.\n                    (!(self as $conv_fn)).wrapping_add(1)",
      replace:
        "                let mut n = if is_nonnegative {\n                    self as $conv_fn\n                } else {\n                    // Convert negative number to positive by summing 1 to its two's complement.\n                    (!(self as $conv_fn)).wrapping_add(2)",
    },
    task: {
      title: 'Negative integers are formatted one off',
      description:
        'itoa::Buffer::new().format(-1i32) returns "-2"; every negative number is one too large in magnitude.',
    },
    riskTier: 'low',
  },
  {
    name: 'semver',
    ecosystem: 'rust',
    source: crate('semver', '1.0.23', '61697e0a1c7e512e84a621326239844a24d8207b4669b41bc18b32ea5cbf988b'),
    traits: ['build.rs', 'tests/ with a shared util module'],
    // The prerelease ordering (the earlier bug, in build metadata, passed semver's own suite).
    bug: {
      file: 'src/impls.rs',
      search:
        '            // A real release compares greater than prerelease.\n            true => return Ordering::Greater,',
      replace:
        '            // A real release compares greater than prerelease.\n            true => return Ordering::Less,',
    },
    task: {
      title: 'A release sorts before its own prereleases',
      description:
        'Version "1.2.3" compares less than "1.2.3-alpha2"; a release must sort after every prerelease of the same version.',
    },
    riskTier: 'low',
  },
  // Go: no dependencies; a test-only dependency (gopkg.in/check.v1) and no go.sum; dependencies with go.sum.
  {
    name: 'google-uuid',
    ecosystem: 'go',
    source: goModule(
      'github.com/google/uuid',
      'v1.6.0',
      'd0f02f377217f42702e259684e06441edbf5140dddcc34ba9bea56038b38a6ed',
    ),
    traits: ['no dependencies'],
    bug: { file: 'uuid.go', search: 'return Version(uuid[6] >> 4)', replace: 'return Version(uuid[6] >> 3)' },
    task: {
      title: 'UUID.Version() is wrong',
      description:
        'uuid.New().Version() returns 8 or 9 instead of 4: the version must be read from the high nibble of byte 6.',
    },
    riskTier: 'low',
  },
  {
    name: 'xxhash',
    ecosystem: 'go',
    source: goModule(
      'github.com/cespare/xxhash/v2',
      'v2.3.0',
      '145a26cdc7c49db566017b807c4989ee7f7ddeb569423e9cb99f995fac3621d3',
    ),
    traits: ['/v2 module path', 'assembly', 'several packages'],
    bug: {
      file: 'xxhash.go',
      search: 'prime1 uint64 = 11400714785074694791',
      replace: 'prime1 uint64 = 11400714785074694793',
    },
    task: {
      title: 'xxhash.Sum64 does not match the reference',
      description:
        'xxhash.Sum64String("") must be 0xef46db3751d8e999 (the XXH64 reference value); it returns another number.',
    },
    riskTier: 'low',
  },
  {
    name: 'yaml-v3',
    ecosystem: 'go',
    source: goModule(
      'gopkg.in/yaml.v3',
      'v3.0.1',
      'aab8fbc4e6300ea08e6afe1caea18a21c90c79f489f52c53e2f20431f1a9a015',
    ),
    traits: [
      'test-only dependency gopkg.in/check.v1',
      'publishes no go.sum: pinned by the corpus, as a checkout has one',
      'old go.mod syntax',
    ],
    pinGoSum: true,
    bug: {
      file: 'resolve.go',
      search: '{nil, nullTag, []string{"", "~", "null", "Null", "NULL"}},',
      replace: '{nil, nullTag, []string{"", "null", "Null", "NULL"}},',
    },
    task: {
      title: 'A "~" value is decoded as a string',
      description:
        'yaml.Unmarshal([]byte("a: ~"), &m) gives m["a"] == "~"; YAML says ~ is null, so it must be nil.',
    },
    riskTier: 'low',
  },
  {
    name: 'kr-pretty',
    ecosystem: 'go',
    source: goModule(
      'github.com/kr/pretty',
      'v0.3.1',
      'ecf5a4af24826c3ad758ce06410ca08e2d58e4d95053be3b9dde2e14852c0cdc',
    ),
    traits: ['dependencies with go.sum (kr/text, go-internal)'],
    bug: { file: 'diff.go', search: 'w.printf("%v != %v", at, bt)', replace: 'w.printf("%v == %v", at, bt)' },
    task: {
      title: 'pretty.Diff reports different types as equal',
      description:
        'pretty.Diff(1, "a") says "int == string"; a difference of types must read "int != string".',
    },
    riskTier: 'low',
  },
  // JavaScript: tape suites that need their devDependencies installed; one with a runtime dependency.
  {
    name: 'xtend',
    ecosystem: 'node',
    source: npm('xtend', '4.0.2', 'bd22a01d43c799be7bb53dfa9e775b132045e39525e51efb977528a00041ba48'),
    traits: ['devDependency tape', '`node test` script'],
    bug: {
      file: 'immutable.js',
      search: '                target[key] = source[key]',
      replace: '                target[key] = key in target ? target[key] : source[key]',
    },
    task: {
      title: 'extend() keeps the first value of a key',
      description:
        'extend({a: 1}, {a: 2}).a is 1; later objects must override earlier ones, so it must be 2.',
    },
    riskTier: 'low',
  },
  {
    name: 'deep-is',
    ecosystem: 'node',
    source: npm('deep-is', '0.1.4', '0c03aa83c6bf68e7c2cc2c5b5a2d732c1879e7711b08011b0bc48df10d10bf3c'),
    traits: ['devDependency tape', 'test/*.js glob'],
    bug: {
      file: 'index.js',
      search: '  } else if (isNumberNaN(actual)) {\n    return isNumberNaN(expected);',
      replace: '  } else if (isNumberNaN(actual)) {\n    return false;',
    },
    task: {
      title: 'deepIs(NaN, NaN) is false',
      description:
        'deep-is must treat NaN as equal to NaN (deepIs(NaN, NaN) and deepIs([NaN], [NaN]) are true); both return false.',
    },
    riskTier: 'low',
  },
  {
    name: 'json-stable-stringify',
    ecosystem: 'node',
    source: npm(
      'json-stable-stringify',
      '1.0.1',
      '70e228b750bf40ab69dda437f284992f1ea4c4bf9e788dc7fc586a6956256150',
    ),
    traits: ['runtime dependency jsonify', 'devDependency tape'],
    bug: {
      file: 'index.js',
      search: "var colonSeparator = space ? ': ' : ':';",
      replace: "var colonSeparator = ': ';",
    },
    task: {
      title: 'Compact output has a space after each colon',
      description:
        'stringify({a: 1}) returns \'{"a": 1}\'; without the space option the output must be compact: \'{"a":1}\'.',
    },
    riskTier: 'low',
  },
  {
    name: 'defined',
    ecosystem: 'node',
    source: npm('defined', '1.0.0', '68e2e0b92eb061adafced7aa79dee36d75fa4a0f0cc0ffec2ef7f629147f278e'),
    traits: ['devDependency tape'],
    bug: {
      file: 'index.js',
      search: 'if (arguments[i] !== undefined) return arguments[i];',
      replace: 'if (arguments[i]) return arguments[i];',
    },
    task: {
      title: 'defined() skips false and 0',
      description:
        'defined(undefined, false, true) returns true and defined(0, 1) returns 1; the first argument that is not undefined must be returned (false and 0).',
    },
    riskTier: 'low',
  },
  // JavaScript with the package manager a pinned lockfile names: pnpm, and yarn 2+ (Plug'n'Play).
  {
    name: 'concat-map-pnpm',
    ecosystem: 'node',
    source: npm('concat-map', '0.0.1', '35902dd620cf0058c49ea614120f18a889d984269a90381b7622e79c2cfe4261'),
    traits: ['pnpm-lock.yaml pinned by the corpus', 'devDependency tape', 'pnpm store in the repo caches'],
    lockfile: 'pnpm',
    bug: {
      file: 'index.js',
      search: 'if (isArray(x)) res.push.apply(res, x);',
      replace: 'if (isArray(x)) res.push(x);',
    },
    task: {
      title: 'concatMap nests the arrays the callback returns',
      description:
        'concatMap([1, 2], x => [x, x]) returns [[1, 1], [2, 2]]; the arrays the callback returns must be concatenated: [1, 1, 2, 2].',
    },
    riskTier: 'low',
  },
  {
    name: 'deep-equal-yarn',
    ecosystem: 'node',
    source: npm('deep-equal', '1.0.1', '679226cbc8173a807e1985410f71a06092f25bea729da142d9fda15a8e085ed0'),
    traits: [
      'yarn.lock (yarn 4, packageManager) pinned by the corpus',
      "Plug'n'Play: no node_modules",
      'devDependency tape',
    ],
    lockfile: 'yarn-berry',
    bug: {
      file: 'index.js',
      search: 'return actual.getTime() === expected.getTime();',
      replace: 'return actual === expected;',
    },
    task: {
      title: 'Two dates with the same time are not deep-equal',
      description:
        'deepEqual(new Date(0), new Date(0)) is false; two Date objects that hold the same time must be equal.',
    },
    riskTier: 'low',
  },
  // Workspaces and monorepos, assembled from several real archives.
  ...WORKSPACE_CORPUS,
  // Real bug fixes from patch releases, fetched by the ecosystems' own clients.
  ...REAL_FIX_CORPUS,
];
