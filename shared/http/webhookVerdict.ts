/**
 * What a webhook's answer means for the delivery, as Standard Webhooks puts it: any 2xx is accepted (Workflows
 * answer 202); a 4xx other than 408 (timeout) and 429 (throttled) says the request itself is wrong and stays wrong
 * however often it is sent; anything else (3xx, 408, 429, 5xx) may pass later.
 */
export type WebhookVerdict = 'accepted' | 'retry' | 'permanent';

export function webhookVerdict(status: number): WebhookVerdict {
  if (status >= 200 && status <= 299) return 'accepted';
  if (status >= 400 && status <= 499 && status !== 408 && status !== 429) return 'permanent';
  return 'retry';
}
