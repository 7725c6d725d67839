/** The Functions host's TimeSpan ("[d.]hh:mm:ss[.fff]", as host.json writes durations) in milliseconds. */
export function timeSpanMs(text: string): number | undefined {
  const m = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?$/.exec(text);
  if (!m) return undefined;
  const [, days, h, min, sec, ms] = m;
  return (
    ((Number(days ?? 0) * 24 + Number(h)) * 3600 + Number(min) * 60 + Number(sec)) * 1000 +
    Number((ms ?? '0').padEnd(3, '0'))
  );
}
