/** Refuses an `@azure/functions` the local host was not tested with (see supportedVersions.ts). */
import fs from 'node:fs';

import { TESTED_FUNCTIONS_LIBRARY_VERSIONS } from './supportedVersions';

/** Undefined when the app's installed library is a tested version; else what is wrong and what to do. */
export function checkFunctionsLibrary(appRoot: string): string | undefined {
  let manifest: string;
  try {
    // The copy the app's own files will load: resolved from the app, as their require() resolves it.
    manifest = require.resolve('@azure/functions/package.json', { paths: [appRoot] });
  } catch {
    return `@azure/functions is not installed for the app in ${appRoot}: run npm ci.`;
  }
  const { version } = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version?: string };
  if (version !== undefined && TESTED_FUNCTIONS_LIBRARY_VERSIONS.includes(version)) return undefined;
  return [
    `The local host does not start with @azure/functions ${version ?? '(no version)'} (${manifest}):`,
    `it was tested with ${TESTED_FUNCTIONS_LIBRARY_VERSIONS.join(', ')}. It stands in for the Functions worker, which`,
    'the library calls into, so an untested version can break it without an error.',
    `To go back: npm ci (package-lock.json pins a tested version). To move on: compare the library's use of`,
    '@azure/functions-core with local-host/src/coreTypes.ts, run npm test, then add the version to',
    'TESTED_FUNCTIONS_LIBRARY_VERSIONS in local-host/src/supportedVersions.ts.',
  ].join('\n');
}
