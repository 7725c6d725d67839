/**
 * Azurite's table transactions fail with a 500 when any value holds U+2028 or U+2029 (its batch parser reads the
 * changeset with patterns whose `.` stops at line terminators); Table Storage itself takes them. Every JSON text
 * this app writes is kept free of the two raw characters by writing them as JSON escapes, which read back as the
 * same value, so one escaping serves the emulator and changes nothing that is read in Azure.
 */
const JS_LINE_TERMINATORS = /[\u2028\u2029]/g;

/** `text` must be JSON: outside strings the two characters cannot occur, inside them the escape is the same value. */
export function escapeLineTerminators(json: string): string {
  return json.replace(JS_LINE_TERMINATORS, (c) => (c === '\u2028' ? '\\u2028' : '\\u2029'));
}

/** JSON.stringify for a value stored in a table property. */
export function tableJson(value: unknown): string {
  return escapeLineTerminators(JSON.stringify(value));
}
