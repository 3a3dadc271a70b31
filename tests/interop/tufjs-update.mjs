// An unmodified TUF client (tuf-js) updating from a Rampart node: trusts only the root it is given,
// refreshes the metadata, downloads and verifies one target. Prints one JSON object for the test.
// Usage: NODE_EXTRA_CA_CERTS=ca-root.pem node tufjs-update.mjs BASE_URL TRUSTED_ROOT WORK_DIR TARGET
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { Updater } from 'tuf-js';

const [base, trustedRoot, work, target] = process.argv.slice(2);
const metadataDir = join(work, 'metadata');
const targetDir = join(work, 'targets');
mkdirSync(metadataDir, { recursive: true });
mkdirSync(targetDir, { recursive: true });
try { readFileSync(join(metadataDir, 'root.json')); } catch { copyFileSync(trustedRoot, join(metadataDir, 'root.json')); }

try {
  const updater = new Updater({ metadataDir, targetDir, metadataBaseUrl: `${base}/tuf/metadata`, targetBaseUrl: `${base}/tuf/targets` });
  await updater.refresh();
  const info = await updater.getTargetInfo(target);
  if (!info) { console.log(JSON.stringify({ error: 'unknown target' })); process.exit(0); }
  const path = await updater.downloadTarget(info);
  const sha256 = createHash('sha256').update(readFileSync(path)).digest('hex');
  console.log(JSON.stringify({ ok: true, sha256, custom: info.custom }));
} catch (error) {
  console.log(JSON.stringify({ error: String(error?.message ?? error), name: error?.name }));
}
