/** Whether the Azure Functions Core Tools (`func`) are installed: looked up on PATH, never run. */
import fs from 'node:fs';
import path from 'node:path';

export function findCoreTools(env: NodeJS.ProcessEnv): string | undefined {
  const names = process.platform === 'win32' ? ['func.cmd', 'func.exe'] : ['func'];
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    for (const name of names) {
      const file = path.join(dir, name);
      try {
        fs.accessSync(file, fs.constants.X_OK);
        if (fs.statSync(file).isFile()) return file;
      } catch {
        // Not here: look in the next folder.
      }
    }
  }
  return undefined;
}
