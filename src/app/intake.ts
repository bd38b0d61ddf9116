import type { IntakeHandler } from '../intake/worker.js';
import type { Services } from './services.js';

/**
 * The folders' intakes, wired to the services they need. The worker knows
 * nothing about photos or rosters; each handler knows nothing about queues.
 */
export function intakeHandlers(services: Services): IntakeHandler[] {
  void services;
  return [];
}
