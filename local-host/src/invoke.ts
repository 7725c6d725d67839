/** Runs one invocation the way the Node worker does: through the library's ProgrammingModel. */
import { randomUUID } from 'node:crypto';

import type { CoreInvocationContext, LogLevel, RpcTypedData } from './coreTypes';
import { programmingModel, type RegisteredFunction } from './functionsCore';

export interface InvocationOutcome {
  invocationId: string;
  ok: boolean;
  error?: Error;
  returnValue?: RpcTypedData | null;
  /** Whether the handler returned a value (with HTTP streaming, the response travels outside returnValue). */
  returned: boolean;
  durationMs: number;
}

export type HostLog = (line: string) => void;

const LEVEL_TAGS: Partial<Record<LogLevel, string>> = { warning: 'warn', error: 'error', critical: 'error' };

export async function invokeFunction(
  fn: RegisteredFunction,
  triggerData: RpcTypedData,
  triggerMetadata: Record<string, RpcTypedData>,
  log: HostLog,
  invocationId: string = randomUUID(),
): Promise<InvocationOutcome> {
  const name = fn.metadata.name;
  const triggerBinding = Object.entries(fn.metadata.bindings).find(
    ([, b]) => b.direction === 'in' && b.type.endsWith('Trigger'),
  );
  if (!triggerBinding) throw new Error(`Function "${name}" has no trigger binding`);
  const coreCtx: CoreInvocationContext = {
    invocationId,
    metadata: fn.metadata,
    request: { inputData: [{ name: triggerBinding[0], data: triggerData }], triggerMetadata },
    log: (level, category, message) => {
      if (category === 'system' && level !== 'warning' && level !== 'error') return;
      const tag = LEVEL_TAGS[level] ?? 'info';
      log(`[${name}] ${tag === 'info' ? '' : `${tag}: `}${message}`);
    },
  };
  const started = performance.now();
  log(`Executing '${name}' (id ${invocationId})`);
  try {
    const model = programmingModel().getInvocationModel(coreCtx);
    const { context, inputs } = await model.getArguments();
    const result = await model.invokeFunction(context, inputs, fn.handler);
    const response = await model.getResponse(context, result);
    const durationMs = performance.now() - started;
    log(`Executed '${name}' (Succeeded, id ${invocationId}, ${Math.round(durationMs)} ms)`);
    return {
      invocationId,
      ok: true,
      returnValue: response.returnValue,
      returned: result !== undefined && result !== null,
      durationMs,
    };
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    const durationMs = performance.now() - started;
    log(`Executed '${name}' (Failed, id ${invocationId}, ${Math.round(durationMs)} ms): ${error.message}`);
    return { invocationId, ok: false, error, returned: false, durationMs };
  }
}
