import { createHash, createSign, generateKeyPairSync } from 'node:crypto';
import type { SeededRandom } from '../helpers/seeded-random.js';

/**
 * Planted secrets and secret-looking non-secrets, generated at test time: random, correctly formatted,
 * never real. Literal prefixes are built from parts so this file itself is not flagged by scanners.
 */
export interface CorpusEntry {
  kind: string;
  /** File name in the fixture commit, and its content (the secret in its usual surroundings). */
  file: string;
  content: string;
  /** The secret value itself, for the never-unredacted checks (secrets only). */
  secret?: string;
}

export const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UPPER32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const LOWER_DIGITS = 'abcdefghijklmnopqrstuvwxyz0123456789';
const HEX = '0123456789abcdef';
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const URLSAFE = `${ALNUM}_-`;
const DIGITS = '0123456789';

const p = (...parts: string[]) => parts.join('');
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function pem(label: string, body: Buffer): string {
  const lines = body.toString('base64').match(/.{1,64}/g) ?? [];
  return [p('-----BEGIN ', label, '-----'), ...lines, p('-----END ', label, '-----')].join('\n');
}

/**
 * Private keys of each format. Key generation draws on the system's randomness (node's crypto takes no
 * seed); the framing around random material (OpenSSH, PGP) comes from `rng`.
 */
export function privateKeys(rng: SeededRandom) {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const ed = generateKeyPairSync('ed25519');
  return {
    rsaPkcs1: rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString().trim(),
    pkcs8: rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString().trim(),
    ec: ec.privateKey.export({ type: 'sec1', format: 'pem' }).toString().trim(),
    // The OpenSSH container's framing with random key material: the format scanners look for.
    openssh: pem(
      p('OPENSSH PRIVATE', ' KEY'),
      Buffer.concat([Buffer.from('openssh-key-v1\0'), rng.bytes(380)]),
    ),
    pgp: [
      p('-----BEGIN PGP PRIVATE', ' KEY BLOCK-----'),
      '',
      ...(rng
        .bytes(600)
        .toString('base64')
        .match(/.{1,64}/g) ?? []),
      `=${rng.from(B64, 4)}`,
      p('-----END PGP PRIVATE', ' KEY BLOCK-----'),
    ].join('\n'),
    edPublicForSigning: ed,
    rsaForJwt: generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey,
  };
}

function jwt(rng: SeededRandom): string {
  const header = b64url({ alg: 'HS256', typ: 'JWT' });
  const payload = b64url({
    sub: rng.uuid(),
    iat: 1_700_000_000 + Math.floor(rng.next() * 1e6),
    role: 'admin',
  });
  return `${header}.${payload}.${rng.bytes(32).toString('base64url')}`;
}

function rs256Jwt(rng: SeededRandom, key: ReturnType<typeof generateKeyPairSync>['privateKey']): string {
  const header = b64url({ alg: 'RS256', typ: 'JWT', kid: rng.from(HEX, 16) });
  const payload = b64url({
    iss: 'https://auth.example.com',
    sub: rng.from(DIGITS, 12),
    exp: 1_900_000_000,
  });
  const signer = createSign('RSA-SHA256');
  signer.update(`${header}.${payload}`);
  return `${header}.${payload}.${signer.sign(key).toString('base64url')}`;
}

export type CorpusKeys = ReturnType<typeof privateKeys>;

/**
 * One planted secret of each kind, drawn from `rng`. The keys cost ~50 ms to generate: a caller drawing
 * many corpora passes one set.
 */
export function plantedSecrets(rng: SeededRandom, keys: CorpusKeys = privateKeys(rng)): CorpusEntry[] {
  const rsaForJwt = keys.rsaForJwt;
  const awsId = p('AK', 'IA', rng.from(UPPER32, 16));
  const awsSecret = rng.from(`${ALNUM}/+`, 40);
  const gcpEmail = `svc-${rng.from(LOWER, 6)}@proj-${rng.from(LOWER_DIGITS, 6)}.iam.gserviceaccount.com`;
  const s = (kind: string, file: string, secret: string, content: string): CorpusEntry => ({
    kind,
    file,
    secret,
    content,
  });
  const pgPass = rng.from(ALNUM, 20);
  const mongoPass = rng.from(ALNUM, 18);
  const redisPass = rng.from(ALNUM, 24);
  const mysqlPass = rng.from(ALNUM, 16);
  const entries: CorpusEntry[] = [
    s('aws access key id', 'aws.env', awsId, `AWS_ACCESS_KEY_ID=${awsId}\n`),
    s(
      'aws secret access key',
      'aws-credentials.ini',
      awsSecret,
      `[default]\naws_access_key_id = ${p('AK', 'IA', rng.from(UPPER32, 16))}\naws_secret_access_key = ${awsSecret}\n`,
    ),
    s('aws session key id', 'sts.json', '', ''),
    s(
      'gcp service account private key',
      'service-account.json',
      keys.pkcs8.split('\n')[1] ?? '',
      `${JSON.stringify({ type: 'service_account', project_id: 'proj', private_key_id: rng.from(HEX, 40), private_key: `${keys.pkcs8}\n`, client_email: gcpEmail }, null, 2)}\n`,
    ),
    s('gcp api key', 'maps.js', p('AI', 'za', rng.from(URLSAFE, 35)), ''),
    s('gcp oauth client secret', 'oauth.json', p('GOC', 'SPX-', rng.from(URLSAFE, 28)), ''),
    s('azure storage account key', 'azure.env', rng.bytes(64).toString('base64'), ''),
    s('github personal token', 'gh.sh', p('gh', 'p_', rng.from(ALNUM, 36)), ''),
    s('github oauth token', 'gh-oauth.json', p('gh', 'o_', rng.from(ALNUM, 36)), ''),
    s(
      'github fine-grained token',
      'gh-pat.env',
      p('github', '_pat_', rng.from(ALNUM, 22), '_', rng.from(ALNUM, 59)),
      '',
    ),
    s('github app token', 'gh-app.py', p('gh', 's_', rng.from(ALNUM, 36)), ''),
    s('github refresh token', 'gh-refresh.txt', p('gh', 'r_', rng.from(ALNUM, 36)), ''),
    s('gitlab personal token', 'gitlab.yml', p('gl', 'pat-', rng.from(URLSAFE, 20)), ''),
    s(
      'slack bot token',
      'slack.env',
      p('xo', 'xb-', rng.from(DIGITS, 12), '-', rng.from(DIGITS, 13), '-', rng.from(ALNUM, 24)),
      '',
    ),
    s(
      'slack user token',
      'slack-user.env',
      p(
        'xo',
        'xp-',
        rng.from(DIGITS, 12),
        '-',
        rng.from(DIGITS, 12),
        '-',
        rng.from(DIGITS, 13),
        '-',
        rng.from(HEX, 32),
      ),
      '',
    ),
    s(
      'slack webhook',
      'notify.py',
      p(
        'https://hooks.sl',
        'ack.com/services/T',
        rng.from(UPPER32, 10),
        '/B',
        rng.from(UPPER32, 10),
        '/',
        rng.from(ALNUM, 24),
      ),
      '',
    ),
    s('stripe live secret key', 'billing.ts', p('sk', '_live_', rng.from(ALNUM, 24)), ''),
    s('stripe restricted key', 'billing.rb', p('rk', '_live_', rng.from(ALNUM, 24)), ''),
    s('twilio api key', 'sms.env', p('S', 'K', rng.from(HEX, 32)), ''),
    s('sendgrid api key', 'mail.env', p('S', 'G.', rng.from(URLSAFE, 22), '.', rng.from(URLSAFE, 43)), ''),
    s(
      'openai legacy key',
      'openai.env',
      p('s', 'k-', rng.from(ALNUM, 20), 'T3Blbk', 'FJ', rng.from(ALNUM, 20)),
      '',
    ),
    s(
      'openai project key',
      'openai.py',
      p('s', 'k-proj-', rng.from(URLSAFE, 74), 'T3Blbk', 'FJ', rng.from(URLSAFE, 74)),
      '',
    ),
    s('anthropic api key', 'anthropic.env', p('s', 'k-ant-api03-', rng.from(URLSAFE, 93), 'AA'), ''),
    s(
      'anthropic admin key',
      'anthropic-admin.env',
      p('s', 'k-ant-admin01-', rng.from(URLSAFE, 93), 'AA'),
      '',
    ),
    s('huggingface token', 'hf.py', p('h', 'f_', rng.from(LOWER, 34)), ''),
    s('npm token', '.npmrc', p('np', 'm_', rng.from(ALNUM, 36)), ''),
    s('pypi token', '.pypirc', p('py', 'pi-AgEIcHlwaS5vcmc', rng.from(URLSAFE, 70)), ''),
    s('rsa private key', 'id_rsa', keys.rsaPkcs1, `${keys.rsaPkcs1}\n`),
    s('ec private key', 'ec.pem', keys.ec, `${keys.ec}\n`),
    s('openssh private key', 'id_ed25519', keys.openssh, `${keys.openssh}\n`),
    s('pgp private key block', 'signing.asc', keys.pgp, `${keys.pgp}\n`),
    s('jwt hs256', 'auth.test.http', jwt(rng), ''),
    s('jwt rs256', 'session.json', rs256Jwt(rng, rsaForJwt), ''),
    s(
      'postgres url with password',
      'database.yml',
      pgPass,
      `production:\n  url: postgres://app_user:${pgPass}@db.internal.example.com:5432/app\n`,
    ),
    s(
      'mongodb+srv url with password',
      'mongo.env',
      mongoPass,
      `MONGO_URL=mongodb+srv://admin:${mongoPass}@cluster0.abcde.mongodb.net/prod?retryWrites=true\n`,
    ),
    s(
      'redis url with password',
      'cache.conf',
      redisPass,
      `cache_url = "redis://:${redisPass}@cache.internal:6379/0"\n`,
    ),
    s(
      'mysql url with password',
      'settings.py',
      mysqlPass,
      `DATABASE_URL = "mysql://root:${mysqlPass}@10.0.0.5:3306/shop"\n`,
    ),
    s('API_KEY= high entropy', 'service.env', rng.from(ALNUM, 32), ''),
    s('password= high entropy', 'app.properties', rng.from(`${ALNUM}!#%`, 24), ''),
    s('client_secret: high entropy', 'oidc.yaml', rng.from(URLSAFE, 40), ''),
    s('shopify access token', 'shop.env', p('shp', 'at_', rng.from(HEX, 32)), ''),
    s('digitalocean token', 'do.tf', p('do', 'p_v1_', rng.from(HEX, 64)), ''),
    s('postman api key', 'postman.json', p('PM', 'AK-', rng.from(HEX, 24), '-', rng.from(HEX, 34)), ''),
    s('databricks token', 'dbx.cfg', p('da', 'pi', rng.from(HEX, 32)), ''),
    s(
      'grafana service account token',
      'grafana.ini',
      p('gl', 'sa_', rng.from(ALNUM, 32), '_', rng.from(HEX, 8)),
      '',
    ),
    s('telegram bot token', 'bot.py', `${rng.from(DIGITS, 10)}:AA${rng.from(URLSAFE, 33)}`, ''),
  ];
  // The secret in the surroundings it usually has, where the entry did not write its own.
  const asi = p('AS', 'IA', rng.from(UPPER32, 16));
  return entries.map((e): CorpusEntry => {
    if (e.kind === 'aws session key id')
      return {
        ...e,
        secret: asi,
        content: `${JSON.stringify({ Credentials: { AccessKeyId: asi, Expiration: '2030-01-01T00:00:00Z' } }, null, 2)}\n`,
      };
    if (e.content !== '') return e;
    const v = e.secret ?? '';
    const content: Record<string, string> = {
      'maps.js': `const mapsKey = "${v}";\n`,
      'oauth.json': `{"web":{"client_id":"${rng.from(DIGITS, 12)}-${rng.from(LOWER_DIGITS, 32)}.apps.googleusercontent.com","client_secret":"${v}"}}\n`,
      'azure.env': `AZURE_STORAGE_CONNECTION_STRING=DefaultEndpointsProtocol=https;AccountName=store${rng.from(LOWER_DIGITS, 8)};AccountKey=${v};EndpointSuffix=core.windows.net\n`,
      'gh.sh': `export GITHUB_TOKEN=${v}\n`,
      'gh-oauth.json': `{"access_token": "${v}", "token_type": "bearer"}\n`,
      'gh-pat.env': `GH_PAT=${v}\n`,
      'gh-app.py': `installation_token = "${v}"\n`,
      'gh-refresh.txt': `refresh: ${v}\n`,
      'gitlab.yml': `gitlab:\n  private_token: ${v}\n`,
      'slack.env': `SLACK_BOT_TOKEN=${v}\n`,
      'slack-user.env': `SLACK_USER_TOKEN=${v}\n`,
      'notify.py': `WEBHOOK = "${v}"\n`,
      'billing.ts': `const stripe = new Stripe('${v}');\n`,
      'billing.rb': `Stripe.api_key = "${v}"\n`,
      'sms.env': `TWILIO_API_KEY=${v}\n`,
      'mail.env': `SENDGRID_API_KEY=${v}\n`,
      'openai.env': `OPENAI_API_KEY=${v}\n`,
      'openai.py': `client = OpenAI(api_key="${v}")\n`,
      'anthropic.env': `ANTHROPIC_API_KEY=${v}\n`,
      'anthropic-admin.env': `ANTHROPIC_ADMIN_KEY=${v}\n`,
      'hf.py': `HF_TOKEN = "${v}"\n`,
      '.npmrc': `//npm.mirror.example/:_authToken=${v}\n`,
      '.pypirc': `[pypi]\nusername = __token__\npassword = ${v}\n`,
      'auth.test.http': `GET https://api.example.com/me\nAuthorization: Bearer ${v}\n`,
      'session.json': `{"id_token": "${v}"}\n`,
      'service.env': `API_KEY=${v}\n`,
      'app.properties': `db.password=${v}\n`,
      'oidc.yaml': `oidc:\n  client_id: web-app\n  client_secret: ${v}\n`,
      'shop.env': `SHOPIFY_ACCESS_TOKEN=${v}\n`,
      'do.tf': `provider "digitalocean" {\n  token = "${v}"\n}\n`,
      'postman.json': `{"apiKey": "${v}"}\n`,
      'dbx.cfg': `[DEFAULT]\nhost = https://adb-123.azuredatabricks.net\ntoken = ${v}\n`,
      'grafana.ini': `[auth]\ngrafana_token = ${v}\n`,
      'bot.py': `TELEGRAM_BOT_TOKEN = "${v}"\n`,
    };
    return { ...e, content: content[e.file] ?? `${v}\n` };
  });
}

/** Values that look like secrets and are not: hashes, ids, fixtures, documentation examples. */
export function nonSecrets(rng: SeededRandom): CorpusEntry[] {
  const sha = (algo: string) => createHash(algo).update(rng.bytes(32)).digest('hex');
  const n = (kind: string, file: string, content: string): CorpusEntry => ({ kind, file, content });
  const ed = generateKeyPairSync('ed25519');
  const pub = ed.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const sshPub = `ssh-ed25519 ${Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), Buffer.from([0, 0, 0, 32]), rng.bytes(32)]).toString('base64')} dev@laptop`;
  return [
    n('sha1 in a changelog', 'CHANGELOG.md', `- fix parser (${sha('sha1')})\n`),
    n('sha256 checksum file', 'SHA256SUMS', `${sha('sha256')}  release.tar.gz\n`),
    n('sha512 checksum', 'checksums.txt', `sha512 ${sha('sha512')}\n`),
    n('md5 etag', 'cache.json', `{"etag": "${sha('md5')}"}\n`),
    n('uuid v4 ids', 'ids.json', `{"request_id": "${rng.uuid()}", "trace": "${rng.uuid()}"}\n`),
    n('uuid in sql', 'seed.sql', `INSERT INTO users (id) VALUES ('${rng.uuid()}');\n`),
    n('git commit id', 'VERSION', `commit=${sha('sha1')}\n`),
    n(
      'git short ids in notes',
      'NOTES.md',
      `Reverts ${sha('sha1').slice(0, 12)} and ${sha('sha1').slice(0, 7)}.\n`,
    ),
    n(
      'npm lockfile integrity',
      'package-lock.json',
      `{"packages":{"node_modules/x":{"version":"1.0.0","resolved":"https://npm.mirror.example/x/-/x-1.0.0.tgz","integrity":"sha512-${rng.bytes(64).toString('base64')}"}}}\n`,
    ),
    n(
      'yarn lockfile integrity',
      'yarn.lock',
      `x@^1.0.0:\n  version "1.0.0"\n  integrity sha1-${rng.bytes(20).toString('base64')}\n`,
    ),
    n(
      'cargo lock checksum',
      'Cargo.lock',
      `[[package]]\nname = "serde"\nversion = "1.0.200"\nsource = "sparse+https://cargo.mirror.example/index/"\nchecksum = "${sha('sha256')}"\n`,
    ),
    n(
      'go.sum hashes',
      'go.sum',
      `github.com/pkg/errors v0.9.1 h1:${rng.bytes(32).toString('base64')}\ngithub.com/pkg/errors v0.9.1/go.mod h1:${rng.bytes(32).toString('base64')}\n`,
    ),
    n('docker image digest', 'Dockerfile', `FROM node:20@sha256:${sha('sha256')}\n`),
    n(
      'subresource integrity',
      'index.html',
      `<script src="https://cdn.example.com/lib.js" integrity="sha384-${rng.bytes(48).toString('base64')}" crossorigin="anonymous"></script>\n`,
    ),
    n('aws documentation example key id', 'docs-aws.md', `Example: ${p('AKIA', 'IOSFODNN7', 'EXAMPLE')}\n`),
    n(
      'aws documentation example secret',
      'docs-aws-secret.md',
      `aws_secret_access_key = ${p('wJalrXUtnFEMI/K7MDENG/', 'bPxRfiCY', 'EXAMPLEKEY')}\n`,
    ),
    n(
      'stripe documentation test key',
      'docs-stripe.md',
      `Use a test key such as \`${p('sk', '_test_', '4eC39HqLyjWDarjtT1zdp7dc')}\` from the docs.\n`,
    ),
    n('base64 test fixture', 'fixture.test.ts', `const png = "${rng.bytes(48).toString('base64')}";\n`),
    n('base64 hello world', 'codec.test.py', `assert encode(b"hello world") == "aGVsbG8gd29ybGQ="\n`),
    n(
      'lorem ipsum',
      'lorem.txt',
      'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt.\n',
    ),
    n('lorem token-like words', 'words.txt', 'token_lorem_ipsum_dolor_sit_amet_consectetur\n'),
    n('placeholder api key', '.env.example', 'API_KEY=your-api-key-here\nSECRET_KEY=changeme\n'),
    n('env var reference', 'config.py', 'password = os.environ["DB_PASSWORD"]\n'),
    n('github actions secret reference', 'ci.yml', 'env:\n  TOKEN: ${{ secrets.GITHUB_TOKEN }}\n'),
    n(
      'templated connection string',
      'compose.yml',
      'DATABASE_URL: postgres://app:${POSTGRES_PASSWORD}@db:5432/app\n',
    ),
    n(
      'url without password',
      'links.md',
      'See https://user@example.com/path and postgres://localhost:5432/app\n',
    ),
    n('public key pem', 'public.pem', pub),
    n('ssh public key', 'authorized_keys', `${sshPub}\n`),
    n(
      'data uri image',
      'style.css',
      `.logo { background: url(data:image/png;base64,${rng.bytes(60).toString('base64')}); }\n`,
    ),
    n('css colors', 'theme.css', ':root { --primary: #1a2b3c; --accent: #ffcc00; }\n'),
    n('semantic versions', 'versions.txt', 'v1.2.3-rc.1+build.20240101\n'),
    n(
      'long identifier',
      'names.ts',
      'export const maximumNumberOfConcurrentConnectionsPerHostForTheScheduler = 8;\n',
    ),
    n('ipv6 address', 'hosts', '2001:0db8:85a3:0000:0000:8a2e:0370:7334 gateway\n'),
    n(
      'random hex test vector',
      'vectors.json',
      `{"input": "${rng.from(HEX, 64)}", "expected": "${rng.from(HEX, 64)}"}\n`,
    ),
    n(
      'hash named key in code',
      'cache.rs',
      `let cache_key = hash(&input); // e.g. ${sha('sha256').slice(0, 16)}\n`,
    ),
    n('test token obviously fake', 'auth.spec.ts', "const token = 'test-token';\n"),
    n('jwt header only', 'jwt-docs.md', `The header ${b64url({ alg: 'none' })} has no signature.\n`),
    n('unix crypt hash format doc', 'shadow-docs.md', 'Format: $6$salt$hash (see crypt(5)).\n'),
    n(
      'openssl fingerprint',
      'cert.txt',
      `SHA256 Fingerprint=${(sha('sha256').match(/../g) ?? []).join(':').toUpperCase()}\n`,
    ),
    n(
      'pgp public key block',
      'pubkey.asc',
      [
        p('-----BEGIN PGP PUBLIC', ' KEY BLOCK-----'),
        '',
        ...(rng
          .bytes(300)
          .toString('base64')
          .match(/.{1,64}/g) ?? []),
        p('-----END PGP PUBLIC', ' KEY BLOCK-----'),
      ].join('\n') + '\n',
    ),
    n('nonce in tests', 'nonce.test.go', `nonce := "${rng.from(HEX, 24)}"\n`),
    n('bearer in docs', 'api-docs.md', 'Send `Authorization: Bearer <token>` with each request.\n'),
  ];
}
