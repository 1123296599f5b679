/** Writes a file atomically: a temporary file beside it, then a rename, so a crash never leaves half a manifest. */
import { chmod, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

export async function writeAtomically(file: string, text: string): Promise<void> {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.rampart-fix-${process.pid}-${Date.now()}`);
  const { mode } = await stat(file);
  try {
    await writeFile(temporary, text, { encoding: 'utf8', flag: 'wx' });
    await chmod(temporary, mode & 0o7777);
    await rename(temporary, file);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}
