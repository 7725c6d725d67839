/** The object's own entries without those whose value is undefined: how two records are compared for change. */
export function withoutUndefined(value: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}
