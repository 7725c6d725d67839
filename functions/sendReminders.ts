import { app } from '@azure/functions';

import { reminderBindingSchedule } from '../shared/config';
import { lazyHandler } from '../shared/lazyHandler';

// The validated setting, or the default while it is malformed: the function stays registered and each run fails
// naming REMINDER_SCHEDULE, rather than the host disabling it with one line in its start-up log (docs/reminders.md).
// Not '%REMINDER_SCHEDULE%': a binding expression has no default in Azure.
app.timer('sendReminders', {
  schedule: reminderBindingSchedule(process.env),
  handler: lazyHandler(() => import('./handlers/sendReminders')),
});
