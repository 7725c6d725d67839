/**
 * App-wide setup, loaded with the function files (package.json "main": "dist/{index.js,functions/*.js}", the layout
 * `func init` generates). Setup must run before the worker asks for the app's capabilities, which it does once
 * every file named by "main" has loaded.
 */
import { app } from '@azure/functions';

import { appSettings, settingsReport } from './shared/config';

// Bodies stream instead of being buffered whole: the CSV export is written a storage page at a time however many
// leads there are, and of a lead POST over the size limit no more than the limit is kept in memory.
app.setup({ enableHttpStream: true });

// Every settings problem once, in one block, when the app loads. Nothing here throws: a file that throws at load
// stops every function in Azure (local-host/README.md), and each function checks its own settings when it runs.
const report = settingsReport(appSettings());
if (report !== undefined) console.warn(report);
