import type { IntakeHandler } from '../intake/worker.js';
import type { PhotoDecoder } from '../photos/decoder.js';
import { photoIntakeHandler } from '../photos/intake.js';
import { linkWaitingPhotos } from '../photos/waiting.js';
import { createRosterHandler } from '../roster/index.js';
import type { Services } from './services.js';

/**
 * The folders' intakes, wired to the services they need. The worker knows
 * nothing about photos or rosters; each handler knows nothing about queues.
 */
export function intakeHandlers(services: Services, decoder?: PhotoDecoder): IntakeHandler[] {
  const photos = photoIntakeHandler({ db: services.db, blobs: services.blobs, decoder });
  const rosters = createRosterHandler({
    db: services.db,
    blobs: services.blobs,
    log: services.log,
    findDataFile: (districtId, name) => services.dropbox.find(districtId, 'data', name),
    settleSeconds: services.config.rosterSettleSeconds,
    // Photos that were waiting for people an import created or reactivated are linked now.
    onPeopleChanged: async (districtId) => {
      await linkWaitingPhotos(services, districtId);
    },
  });
  return [photos, rosters];
}
