/**
 * What the Functions host checks in each function's bindings before it starts it, with the host's messages. A
 * binding the host cannot use disables that one function ("failed indexing and will be disabled") and the host
 * runs the rest: it sets AllowPartialHostStartup (azure-functions-host ScriptHostBuilderExtensions).
 */
import { Cron } from 'croner';

import { readStorageConnection, type StorageConnection } from '../../shared/storage/connection';
import type { BindingMetadata } from './coreTypes';

export type Indexed<T> = { ok: true; value: T } | { ok: false; error: string };

/** `%SETTING%` resolved from the app settings, as the host's name resolver does. */
export function resolveBindingExpression(text: string, env: NodeJS.ProcessEnv): Indexed<string> {
  let unresolved: string | undefined;
  const value = text.replace(/%([^%]+)%/g, (whole, name: string) => {
    const setting = env[name];
    if (setting === undefined || setting === '') unresolved ??= whole;
    return setting ?? '';
  });
  return unresolved === undefined
    ? { ok: true, value }
    : { ok: false, error: `'${unresolved}' does not resolve to a value.` };
}

/** The Storage extension lower-cases a trigger's queue name ("to be nice"), then validates it. */
export function queueTriggerName(binding: BindingMetadata, env: NodeJS.ProcessEnv): Indexed<string> {
  const resolved = resolveBindingExpression(binding.queueName ?? '', env);
  if (!resolved.ok) return resolved;
  const name = resolved.value.toLowerCase();
  if (name.length < 3 || name.length > 63)
    return { ok: false, error: 'Invalid queue name length. The queue name must be between 3 and 63 characters long.' };
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(name))
    return { ok: false, error: 'Invalid queue name. Check MSDN for more information about valid queue naming.' };
  return { ok: true, value: name };
}

/**
 * The storage a queue trigger's `connection` names: a connection string in that setting (or `AzureWebJobs<name>`),
 * or an identity-based connection in its `<name>__*` settings (service URIs or account name, credential, client
 * id), read by the same code as the app's own clients.
 */
export function queueConnection(binding: BindingMetadata, env: NodeJS.ProcessEnv): Indexed<StorageConnection> {
  const setting = binding.connection ?? 'AzureWebJobsStorage';
  const present = (name: string): boolean =>
    Object.entries(env).some(([key, value]) => (key === name || key.startsWith(`${name}__`)) && value?.trim());
  const name = [setting, `AzureWebJobs${setting}`].find(present);
  if (name === undefined) {
    return {
      ok: false,
      error: `Storage account connection string '${setting}' does not exist. Make sure that it is a defined App Setting.`,
    };
  }
  const read = readStorageConnection(env, name);
  return read.ok
    ? { ok: true, value: read.connection }
    : {
        ok: false,
        error: `Storage connection '${name}' is not usable: ${read.problems.map((p) => p.message).join('; ')}`,
      };
}

/** Six-field NCRONTAB, as the local timer runs it (the real host also takes a TimeSpan such as 00:05:00). */
export function timerSchedule(binding: BindingMetadata, env: NodeJS.ProcessEnv): Indexed<string> {
  const resolved = resolveBindingExpression(binding.schedule ?? '', env);
  if (!resolved.ok) return resolved;
  try {
    new Cron(resolved.value, { paused: true, mode: '6-part' });
    return resolved;
  } catch {
    return {
      ok: false,
      error: `The schedule expression '${resolved.value}' was not recognized as a valid cron expression or timespan string.`,
    };
  }
}

/** The two lines the host logs for a function it disables. */
export function indexingFailure(functionName: string, error: string): string[] {
  return [
    `Function 'Functions.${functionName}' failed indexing and will be disabled.`,
    `The '${functionName}' function is in error: Microsoft.Azure.WebJobs.Host: Error indexing method 'Functions.${functionName}'. ${error}`,
  ];
}
