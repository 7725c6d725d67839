/**
 * Table Storage's limits on what an entity may hold, and its documented way of counting an entity's size
 * ("Understanding the Table service data model"): 4 bytes, the keys in UTF-16, and per property 8 bytes, its name
 * in UTF-16 and its value (a string: 4 bytes plus UTF-16).
 */

/** A string property holds at most 64 KiB of UTF-16: 32K code units. */
export const MAX_STRING_CHARS = 32 * 1024;
/** An entity, keys and every property included. */
export const MAX_ENTITY_BYTES = 1024 * 1024;

export function entityBytes(entity: Record<string, unknown>): number {
  let bytes = 4;
  for (const [name, value] of Object.entries(entity)) {
    if (value === undefined) continue;
    if ((name === 'partitionKey' || name === 'rowKey') && typeof value === 'string') {
      bytes += value.length * 2;
      continue;
    }
    bytes += 8 + name.length * 2 + valueBytes(value);
  }
  return bytes;
}

function valueBytes(value: unknown): number {
  if (typeof value === 'string') return 4 + value.length * 2;
  if (typeof value === 'boolean') return 1;
  if (value instanceof Date || typeof value === 'number' || typeof value === 'bigint') return 8;
  return 4 + JSON.stringify(value).length * 2;
}
