/**
 * App-wide setup, loaded with the function files (package.json "main": "dist/{index.js,functions/*.js}", the layout
 * `func init` generates). Setup must run before the worker asks for the app's capabilities, which it does once
 * every file named by "main" has loaded.
 */
import { app } from '@azure/functions';

// Bodies stream instead of being buffered whole: the CSV export is written a storage page at a time however many
// leads there are, and of a lead POST over the size limit no more than the limit is kept in memory.
app.setup({ enableHttpStream: true });
