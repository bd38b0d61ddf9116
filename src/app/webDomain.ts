import type { ChangedBy } from '../audit/audit.js';
import type { BlobStore } from '../blobs/blobStore.js';
import { addDevicesFromCsv } from '../devices/bulkCsv.js';
import { caseTwinsOf, createDevice, devicesByIds, findDevice, findDeviceById, getDevice, listDevices, searchDevices, updateDevice } from '../devices/devices.js';
import {
  checkIn,
  checkOut,
  checkoutsOfDevice,
  checkoutsOfPerson,
  deviceHolder,
  editDevice,
  openCheckoutsForDevices,
  recentCheckouts,
} from '../checkouts/checkouts.js';
import type { Db } from '../db/db.js';
import { allDeliveryProblems, getDelivery, listDeliveries } from '../deliveries/deliveries.js';
import { deliveryTicket } from '../deliveries/ticket.js';
import { addSshKey, getDistrictById, listSshKeys, removeSshKey, setSftpAuthMode, setSftpPassword } from '../districts/districts.js';
import { createApiToken, districtForToken, listApiTokens, revokeApiToken } from '../districts/tokens.js';
import type { Dropbox } from '../dropbox/dropbox.js';
import { getIncident, incidentTimeline, listIncidents, openIncident, updateIncident, holderWhenOpened, openIncidentsOfDevice } from '../incidents/incidents.js';
import { findDeskAction, undoDeskAction, undoRefusal } from '../checkouts/undo.js';
import { listEvents, recentEvents } from '../intake/events.js';
import { lookUpPerson } from '../people/lookup.js';
import { findPerson, findPersonById, peopleByIds, peopleFacets, searchPeople } from '../people/people.js';
import { peopleWithoutPhoto, photoCoverage, photoFilter } from '../photos/coverage.js';
import { currentPhotos, photoSrc } from '../photos/current.js';
import { photoServer } from '../photos/serve.js';
import { assignPhoto, unmatchedPhotos, type PhotoFolder } from '../photos/unmatched.js';
import { retakeList, type RetakeQuery } from '../photos/retakes.js';
import { keptVersions, revertPhoto, showVersion } from '../photos/versions.js';
import { erasePerson, erasureOf } from '../retention/erase.js';
import { deviceHistoryForExport, devicesForExport, incidentsForExport, peopleForExport } from '../exports/exports.js';
import { checkoutReceipt, damageForm } from '../printouts/printouts.js';
import { getPolicy } from '../retention/policy.js';
import { lastReport } from '../retention/run.js';
import { changeRosterSettings, deactivateAnyway, findImport, getDailyImport, getRosterSettings, listImports, listSchools } from '../roster/index.js';
import { endSession, resolveSession, startSession } from '../staff/sessions.js';
import { changeOwnPassword, resetStaffPassword } from '../staff/passwordChanges.js';
import { openReveal, sealReveal } from '../staff/passwordReveal.js';
import { putFlash, takeFlash } from '../staff/flashes.js';
import { getWebhook, removeWebhook, setWebhook, webhookLog } from '../webhooks/webhooks.js';
import { findStaff, inviteStaff, listStaff, removeStaff, setStaffRole, verifyStaffLogin } from '../staff/staff.js';

/** A domain function over a Db, as written (the database first). */
type OverDb = (db: Db, ...args: never[]) => unknown;
/** The same function with the database already given. */
type Bound<F> = F extends (db: Db, ...args: infer A) => infer R ? (...args: A) => R : never;
type BoundAll<T extends Record<string, OverDb>> = { readonly [K in keyof T]: Bound<T[K]> };

function overDb<T extends Record<string, OverDb>>(db: Db, fns: T): BoundAll<T> {
  const bound: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(fns)) bound[name] = (...args: never[]) => fn(db, ...args);
  return bound as BoundAll<T>;
}

/**
 * The domain as the web app calls it: each module's functions, under their own
 * names, with the database, the blob store and the drop box already given. Web
 * handlers get this and nothing else, so no handler can query the database
 * itself: reads, rules and audit entries stay with the module that owns the
 * tables. Built once per server (the photo server keeps its short cache).
 */
export function createWebDomain(deps: { db: Db; blobs: BlobStore; dropbox: Dropbox }) {
  const { db, blobs, dropbox } = deps;
  const photoFolder: PhotoFolder = {
    find: (districtId, name) => dropbox.find(districtId, 'idphotos', name),
    rename: (districtId, from, to, by) =>
      dropbox.rename({ districtId, source: 'web', name: by.actor, address: by.address }, { folder: 'idphotos', name: from }, { folder: 'idphotos', name: to }),
  };
  return {
    districts: overDb(db, {
      getDistrictById,
      districtForToken,
      listSshKeys,
      setSftpPassword,
      setSftpAuthMode,
      addSshKey,
      removeSshKey,
      createApiToken,
      listApiTokens,
      revokeApiToken,
    }),
    flashes: overDb(db, { putFlash, takeFlash }),
    staff: overDb(db, {
      verifyStaffLogin,
      startSession,
      resolveSession,
      endSession,
      findStaff,
      listStaff,
      inviteStaff,
      setStaffRole,
      removeStaff,
      changeOwnPassword,
      resetStaffPassword,
      sealReveal,
      openReveal,
    }),
    people: overDb(db, { findPerson, findPersonById, searchPeople, peopleFacets, peopleByIds, lookUpPerson }),
    schools: overDb(db, { listSchools }),
    devices: overDb(db, { createDevice, findDevice, caseTwinsOf, getDevice, findDeviceById, listDevices, searchDevices, devicesByIds, updateDevice, addDevicesFromCsv }),
    checkouts: overDb(db, {
      checkOut,
      checkIn,
      deviceHolder,
      openCheckoutsForDevices,
      checkoutsOfDevice,
      checkoutsOfPerson,
      recentCheckouts,
      editDevice,
      findDeskAction,
      undoRefusal,
      undoDeskAction,
    }),
    incidents: overDb(db, { openIncident, getIncident, incidentTimeline, updateIncident, listIncidents, holderWhenOpened, openIncidentsOfDevice }),
    intake: overDb(db, { listEvents, recentEvents }),
    /** The lists' CSV downloads, streamed a page at a time (exports/exports.ts). */
    exports: overDb(db, { peopleForExport, devicesForExport, incidentsForExport, deviceHistoryForExport }),
    /** The printed check-out receipt and damage form (printouts/printouts.ts). */
    printouts: overDb(db, { checkoutReceipt, damageForm }),
    webhooks: overDb(db, { getWebhook, setWebhook, removeWebhook, webhookLog }),
    deliveries: {
      ...overDb(db, { listDeliveries, getDelivery, deliveryTicket }),
      allDeliveryProblems: (districtId: number, id: number) => allDeliveryProblems(db, districtId, id),
    },
    photos: {
      ...overDb(db, { currentPhotos, keptVersions, showVersion, revertPhoto, photoCoverage, peopleWithoutPhoto }),
      photoFilter,
      /** Everyone who needs a (new) photo, by school and name (photos/retakes.ts). */
      retakeList: (districtId: number, q: RetakeQuery) => retakeList(db, districtId, q),
      /** The current photo's URLs of each of these people who has one, keyed by person id: one query per page, never per row. */
      faces: async (districtId: number, personIds: readonly number[]) => {
        const refs = await currentPhotos(db, districtId, [...personIds]);
        return new Map([...refs].map(([id, ref]) => [id, { thumb: photoSrc(ref, 'thumb'), profile: photoSrc(ref, 'profile') }]));
      },
      unmatchedPhotos: (districtId: number) => unmatchedPhotos(db, photoFolder, districtId),
      assignPhoto: (districtId: number, input: { file: string; localId: string }, by: ChangedBy) =>
        assignPhoto(db, photoFolder, districtId, input, by),
      served: photoServer(db, blobs),
    },
    retention: {
      ...overDb(db, { getPolicy, lastReport, erasureOf }),
      /** Every photo and stored file of a Local ID, now (the same as `lanyard person erase`). */
      erasePerson: (districtId: number, localId: string, by: ChangedBy) => erasePerson(db, blobs, { districtId, localId, by }),
    },
    /** The drop box's quota and what it holds (the Settings page; statvfs answers the same). */
    quota: { space: (districtId: number) => dropbox.space(districtId) },
    rosters: {
      ...overDb(db, { listImports, findImport, getRosterSettings, getDailyImport, changeRosterSettings }),
      /** The guard's override: the same import again, with force (roster/deactivateAnyway.ts says when it may). */
      deactivateAnyway: (districtId: number, importId: number) =>
        deactivateAnyway(db, blobs, (d, name) => dropbox.find(d, 'data', name), districtId, importId),
    },
  };
}

export type WebDomain = ReturnType<typeof createWebDomain>;
