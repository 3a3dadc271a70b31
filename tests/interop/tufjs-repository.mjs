// A TUF repository signed by implementations independent of Rampart: canonical JSON from
// @tufjs/canonical-json, keys and signatures from Node's crypto (Ed25519, RSASSA-PSS-SHA256, ECDSA
// P-256), a root rotation, delegations (a terminating path pattern with a role name that needs URL
// escaping, and a hash prefix) and a target listed with SHA-256 and SHA-512. Written to OUT_DIR in the
// standard layout with consistent snapshots; then tuf-js itself, over loopback HTTP, must accept it,
// so a client that refuses it is wrong rather than the repository. Prints one JSON object for the test.
// Usage: node tufjs-repository.mjs OUT_DIR
import { constants, createHash, generateKeyPairSync, sign } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { canonicalize } from '@tufjs/canonical-json';
import { Updater } from 'tuf-js';

const out = process.argv[2];
const expires = new Date(Date.now() + 7 * 86400e3).toISOString().replace(/\.\d{3}Z$/, 'Z');
const sha256 = (data) => createHash('sha256').update(data).digest('hex');
const sha512 = (data) => createHash('sha512').update(data).digest('hex');

function newKey(type) {
  let meta, signer;
  if (type === 'ed25519') {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    meta = { keytype: 'ed25519', scheme: 'ed25519', keyval: { public: publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex') } };
    signer = (data) => sign(null, data, privateKey);
  } else if (type === 'rsa') {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    meta = { keytype: 'rsa', scheme: 'rsassa-pss-sha256', keyval: { public: publicKey.export({ format: 'pem', type: 'spki' }) } };
    signer = (data) => sign('sha256', data, { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
  } else {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    meta = { keytype: 'ecdsa', scheme: 'ecdsa-sha2-nistp256', keyval: { public: publicKey.export({ format: 'pem', type: 'spki' }) } };
    signer = (data) => sign('sha256', data, privateKey);
  }
  return { id: sha256(canonicalize(meta)), meta, sign: signer };
}

function envelope(signed, keys) {
  const bytes = Buffer.from(canonicalize(signed));
  return JSON.stringify({ signatures: keys.map((k) => ({ keyid: k.id, sig: k.sign(bytes).toString('hex') })), signed });
}

function write(path, data) {
  mkdirSync(dirname(join(out, path)), { recursive: true });
  writeFileSync(join(out, path), data);
}

const common = (type, version) => ({ _type: type, spec_version: '1.0.31', version, expires });
const [rootKey, targetsKey, snapshotKey, timestamp1, timestamp2, vendorKey, otherKey] =
  ['ed25519', 'rsa', 'ecdsa', 'ed25519', 'ecdsa', 'ecdsa', 'ed25519'].map(newKey);
const role = (...keys) => ({ keyids: keys.map((k) => k.id), threshold: 1 });
const keysOf = (...keys) => Object.fromEntries(keys.map((k) => [k.id, k.meta]));
const root = (version, timestamp) => ({
  ...common('root', version), consistent_snapshot: true,
  keys: keysOf(rootKey, targetsKey, snapshotKey, timestamp),
  roles: { root: role(rootKey), targets: role(targetsKey), snapshot: role(snapshotKey), timestamp: role(timestamp) },
});
write('metadata/1.root.json', envelope(root(1, timestamp1), [rootKey]));
write('metadata/2.root.json', envelope(root(2, timestamp2), [rootKey]));

function targetsMeta(entries) {
  const targets = {};
  for (const [path, content, both] of entries) {
    const hashes = both ? { sha256: sha256(content), sha512: sha512(content) } : { sha256: sha256(content) };
    targets[path] = { length: content.length, hashes, custom: { by: 'tuf-js test repository' } };
    const slash = path.lastIndexOf('/');
    for (const hash of Object.values(hashes)) {
      write(`targets/${path.slice(0, slash + 1)}${hash}.${path.slice(slash + 1)}`, content);
    }
  }
  return targets;
}

const meter = Buffer.from('meter firmware 2.0 from the vendor');
const other = Buffer.from('another image');
const readme = Buffer.from('top-level target');
const vendorBytes = envelope({ ...common('targets', 1), targets: targetsMeta([['fw/meter-2.0.bin', meter, true]]) }, [vendorKey]);
const otherBytes = envelope({ ...common('targets', 1), targets: targetsMeta([['fw/other.bin', other, false]]) }, [otherKey]);
const targetsBytes = envelope({
  ...common('targets', 1),
  targets: targetsMeta([['readme.txt', readme, false]]),
  delegations: {
    keys: keysOf(vendorKey, otherKey),
    roles: [
      { name: 'vendor/meter', ...role(vendorKey), terminating: true, paths: ['fw/meter-*'] },
      { name: 'other', ...role(otherKey), terminating: false, path_hash_prefixes: [sha256('fw/other.bin').slice(0, 3)] },
    ],
  },
}, [targetsKey]);
write('metadata/1.vendor%2Fmeter.json', vendorBytes);
write('metadata/1.other.json', otherBytes);
write('metadata/1.targets.json', targetsBytes);
const snapshotBytes = envelope({
  ...common('snapshot', 1),
  meta: {
    'targets.json': { version: 1 },
    'vendor/meter.json': { version: 1, length: Buffer.byteLength(vendorBytes), hashes: { sha256: sha256(vendorBytes) } },
    'other.json': { version: 1 },
  },
}, [snapshotKey]);
write('metadata/1.snapshot.json', snapshotBytes);
write('metadata/timestamp.json', envelope({
  ...common('timestamp', 1),
  meta: { 'snapshot.json': { version: 1, length: Buffer.byteLength(snapshotBytes), hashes: { sha256: sha256(snapshotBytes) } } },
}, [timestamp2]));

// tuf-js must accept what was written: served as is (no URL decoding, so escaped role names stay escaped).
const server = createServer((request, response) => {
  try {
    response.end(readFileSync(join(out, new URL(request.url, 'http://x').pathname.slice(1))));
  } catch {
    response.statusCode = 404;
    response.end();
  }
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}`;
const work = join(out, '..', 'tufjs-client');
mkdirSync(join(work, 'metadata'), { recursive: true });
mkdirSync(join(work, 'targets'), { recursive: true });
writeFileSync(join(work, 'metadata', 'root.json'), readFileSync(join(out, 'metadata', '1.root.json')));
try {
  const updater = new Updater({ metadataDir: join(work, 'metadata'), targetDir: join(work, 'targets'), metadataBaseUrl: `${base}/metadata`, targetBaseUrl: `${base}/targets` });
  await updater.refresh();
  const accepted = [];
  for (const path of ['readme.txt', 'fw/meter-2.0.bin', 'fw/other.bin']) {
    const info = await updater.getTargetInfo(path);
    if (!info) throw new Error(`tuf-js did not find ${path}`);
    await updater.downloadTarget(info);
    accepted.push(path);
  }
  console.log(JSON.stringify({ ok: true, accepted, meter: sha256(meter) }));
} catch (error) {
  console.log(JSON.stringify({ error: String(error?.message ?? error) }));
} finally {
  server.close();
}
