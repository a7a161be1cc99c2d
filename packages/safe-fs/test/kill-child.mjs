// A child process for kill.test.ts: writes a model-like folder or a file with safe-fs and can be killed
// anywhere. argv: <mode: dir|loop|file> <target> <version>. SLOW_FILL=1 pauses inside the fill.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const { replaceDir, atomicWriteFile } = await import(process.env.SAFE_FS_ENTRY);
const [mode, target, version] = process.argv.slice(2);
const payload = (v) => `${v}:${'x'.repeat(200_000)}`;
const isModelDir = (dir) => existsSync(join(dir, 'model.json'));

async function writeVersion(v) {
  await replaceDir(
    target,
    async (tmp) => {
      await atomicWriteFile(join(tmp, 'weights.bin'), payload(v));
      if (process.env.SLOW_FILL) {
        process.stderr.write('filling\n');
        await sleep(30_000);
      }
      await atomicWriteFile(join(tmp, 'model.json'), JSON.stringify({ version: v }));
    },
    { force: true, isReplaceable: isModelDir, what: 'model directory' },
  );
}

if (mode === 'dir') await writeVersion(version);
else if (mode === 'loop') for (let v = Number(version); ; v++) await writeVersion(String(v));
else if (mode === 'file') {
  if (process.env.SLOW_FILL) {
    process.stderr.write('filling\n');
    await sleep(30_000);
  }
  await atomicWriteFile(target, payload(version));
}
process.stderr.write('done\n');
