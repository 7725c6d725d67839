import { handOffQueueBindingName } from '../../shared/config';
import { keepPoisonedCopy } from './keepPoisonedCopy';

export const handler = keepPoisonedCopy({
  poisonQueueName: `${handOffQueueBindingName(process.env)}-poison`,
  partition: 'handOffs',
  what: 'Hand-off message',
  failedFunction: 'handOffLead',
});
