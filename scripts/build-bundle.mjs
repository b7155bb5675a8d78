// Packs berthd as one versioned, self-contained artefact that installs on any Linux with Node >= 20:
// out/bundle/berthd-<version>-linux-<arch>.tar.gz and a .sha256 beside it. Contents: VERSION,
// bin/berthd (launcher), dist/*.mjs (the bundled daemon and its workers), native/build/* (the static
// shims), install.sh and the systemd unit template (resources/berthd/). x64 always; arm64 when
// Debian's cross compiler (gcc-aarch64-linux-gnu) can build the shims.
//
//   node scripts/build-bundle.mjs [--version V] [--out DIR] [--arch x64|arm64|all]
// --version builds berthd anew with that version (an upgrade test's second bundle); by default the
// bundle carries package.json's version and the berthd already built in helper/dist.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { version: { type: 'string' }, out: { type: 'string' }, arch: { type: 'string' } } });
const pkgVersion = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
const version = values.version ?? pkgVersion;
if (!/^[0-9A-Za-z.+-]+$/.test(version)) throw new Error(`bad version ${version}`);
const outDir = values.out ?? join(root, 'out/bundle');
const work = mkdtempSync(join(tmpdir(), 'berth-bundle-'));

function haveCommand(cmd) {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function copyDir(src, dest, filter = () => true) {
  mkdirSync(dest, { recursive: true });
  for (const name of readdirSync(src)) {
    if (!filter(name)) continue;
    copyFileSync(join(src, name), join(dest, name));
    chmodSync(join(dest, name), statSync(join(src, name)).mode & 0o7777);
  }
}

try {
  let dist = join(root, 'helper/dist');
  if (version !== pkgVersion) {
    dist = join(work, 'dist');
    execFileSync(process.execPath, [join(root, 'scripts/build-helper.mjs')], { stdio: 'inherit', env: { ...process.env, BERTH_DIST_DIR: dist, BERTH_BUILD_VERSION: version } });
  } else {
    execFileSync(process.execPath, [join(root, 'scripts/build-helper.mjs'), '--if-stale'], { stdio: 'inherit' });
  }
  const arches = values.arch === 'all' || values.arch === undefined ? ['x64', 'arm64'] : [values.arch];
  mkdirSync(outDir, { recursive: true });
  // The provisioner runs the installer's `check` before it picks and uploads a bundle.
  copyFileSync(join(root, 'resources/berthd/install.sh'), join(outDir, 'install.sh'));
  for (const arch of arches) {
    let native = join(root, 'helper/native/build');
    if (arch === 'arm64') {
      if (!haveCommand('aarch64-linux-gnu-gcc')) {
        if (values.arch === 'arm64') throw new Error('arm64 needs Debian\'s gcc-aarch64-linux-gnu');
        console.warn('berth: no aarch64-linux-gnu-gcc; skipping the arm64 bundle');
        continue;
      }
      native = join(work, 'native-arm64');
      try {
        execFileSync(process.execPath, [join(root, 'scripts/build-native.mjs')], { stdio: 'inherit', env: { ...process.env, CC: 'aarch64-linux-gnu-gcc', BERTH_NATIVE_OUT: native } });
      } catch (err) {
        if (values.arch === 'arm64') throw err;
        console.warn(`berth: the shims do not cross-build for arm64 here (${err.message.split('\n')[0]}); skipping the arm64 bundle`);
        continue;
      }
    } else {
      execFileSync(process.execPath, [join(root, 'scripts/build-native.mjs'), '--if-stale'], { stdio: 'inherit' });
    }
    const name = `berthd-${version}-linux-${arch}`;
    const stage = join(work, name);
    mkdirSync(join(stage, 'bin'), { recursive: true });
    writeFileSync(join(stage, 'VERSION'), `${version}\n`);
    copyFileSync(join(root, 'resources/berthd/berthd'), join(stage, 'bin/berthd'));
    chmodSync(join(stage, 'bin/berthd'), 0o755);
    copyFileSync(join(root, 'resources/berthd/install.sh'), join(stage, 'install.sh'));
    chmodSync(join(stage, 'install.sh'), 0o755);
    copyFileSync(join(root, 'resources/berthd/berthd.service.in'), join(stage, 'berthd.service.in'));
    copyDir(dist, join(stage, 'dist'), (n) => n.endsWith('.mjs'));
    copyDir(native, join(stage, 'native/build'));
    const tarball = join(outDir, `${name}.tar.gz`);
    const tmp = `${tarball}.tmp-${process.pid}`;
    execFileSync('tar', ['-C', work, '--owner=0', '--group=0', '--numeric-owner', '--sort=name', '-czf', tmp, name]);
    const sum = createHash('sha256').update(readFileSync(tmp)).digest('hex');
    writeFileSync(`${tarball}.sha256`, `${sum}  ${name}.tar.gz\n`);
    renameSync(tmp, tarball);
    console.log(`berth: bundle ${tarball} (${(statSync(tarball).size / 1e6).toFixed(1)} MB, sha256 ${sum.slice(0, 12)}…)`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
if (!existsSync(outDir)) process.exit(1);
