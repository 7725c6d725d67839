import { alertQueueBindingName } from '../../shared/config';
import { keepPoisonedCopy } from './keepPoisonedCopy';

export const handler = keepPoisonedCopy({
  poisonQueueName: `${alertQueueBindingName(process.env)}-poison`,
  partition: 'alerts',
  what: 'Alert message',
  failedFunction: 'deliverAlert',
});
