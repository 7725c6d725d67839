/**
 * `node build/tests/support/listRegistrations.js <app folder>`: loads a function app as the Node worker does (the
 * files package.json "main" names, with the local host's @azure/functions-core stand-in) and prints, as JSON, what
 * each function registers: name and bindings (trigger type, route, methods, authLevel, queue name, connection,
 * schedule). Binding names are left out: @azure/functions makes them up. Modules the app requires resolve from the
 * app folder, so loading a staged package proves its node_modules suffice.
 */
import { loadEntryPoints } from '../../local-host/src/entryPoints';
import { installFunctionsCore, registeredFunctions } from '../../local-host/src/functionsCore';

export interface Registration {
  name: string;
  bindings: Array<Record<string, unknown>>;
}

function sortedKeys(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)));
}

export function listRegistrations(appRoot: string): Registration[] {
  installFunctionsCore();
  const loadError = loadEntryPoints(appRoot);
  if (loadError !== undefined) throw new Error(loadError);
  return registeredFunctions()
    .map(({ metadata }) => ({
      name: metadata.name,
      bindings: Object.values(metadata.bindings)
        .map(({ name: _generated, ...binding }) => sortedKeys({ ...binding }))
        .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

if (require.main === module) {
  const appRoot = process.argv[2];
  if (appRoot === undefined) {
    console.error('usage: listRegistrations <app folder>');
    process.exit(2);
  }
  try {
    process.stdout.write(JSON.stringify(listRegistrations(appRoot), null, 2) + '\n');
    // Some app modules start timers or sockets at load; the listing is all this process is for.
    process.exit(0);
  } catch (error) {
    console.error(error);
    process.exit(1);
  }
}
