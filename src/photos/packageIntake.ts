import { insertDelivery } from '../deliveries/ticket.js';
import type { ClaimedEvent } from '../intake/queue.js';
import { finishEvent } from '../intake/queue.js';
import { insertEvent } from '../intake/events.js';
import { nowIso } from '../shared/time.js';
import type { Decision } from '../intake/worker.js';
import { applyDelivery, planDelivery, type Delivery, type DeliveryDeps, type DeliveryPlan } from './deliver.js';
import { openPackage, type PackageFormat, type PackageItem, type PackageLimits } from './packages/readPackage.js';
import { linkWaitingPhoto } from './waiting.js';

/**
 * A photographer's zip in idphotos: unpacked straight from the blob store,
 * every image planned like a single upload, and every image recorded as its
 * own intake event (source `package`) in the transaction that records the
 * zip's, so a package is applied whole or not at all and never twice.
 */

const FORMAT_LABEL: Readonly<Record<PackageFormat, string>> = {
  'pspa-master': 'PSPA package, MASTER.TXT',
  'pspa-index': 'PSPA package, INDEX.TXT',
  'destiny-idlink': 'Destiny idlink.txt',
  'powerschool-map': 'PowerSchool-style photo map',
  'file-names': 'photos named by Local ID',
};

/** Images planned at once: each holds its bytes until planned. */
const AHEAD = 4;

interface PlannedItem {
  delivery: Omit<Delivery, 'read'>;
  plan: DeliveryPlan;
  hasBlob: boolean;
}

type Settled = { ok: true; value: PlannedItem } | { ok: false; error: unknown };

export async function decidePackage(deps: DeliveryDeps, limits: PackageLimits, event: ClaimedEvent, original: Delivery['original']): Promise<Decision> {
  const reader = await deps.blobs.openReader(original.key);
  const planned: Array<Promise<Settled>> = [];
  let format: PackageFormat;
  let problems: string[];
  try {
    const opened = await openPackage(reader, limits);
    if (!opened.ok) return { outcome: 'rejected', message: opened.message };
    const pkg = opened.package;
    format = pkg.format;
    problems = pkg.problems.map((p) => p.message);
    const inFlight = new Set<Promise<Settled>>();
    for await (const item of pkg.items()) {
      const p = planItem(deps, event, item, pkg.indexFile).then(
        (value): Settled => ({ ok: true, value }),
        (error: unknown): Settled => ({ ok: false, error }),
      );
      planned.push(p);
      inFlight.add(p);
      void p.then(() => inFlight.delete(p));
      if (inFlight.size >= AHEAD) await Promise.race(inFlight);
    }
  } finally {
    await reader.close();
  }
  const items: PlannedItem[] = [];
  for (const s of await Promise.all(planned)) {
    if (!s.ok) throw s.error;
    items.push(s.value);
  }

  const count = (k: DeliveryPlan['kind']) => items.filter((i) => i.plan.kind === k).length;
  const notes = problems.length ? ` Notes: ${problems.slice(0, 3).join(' ')}${problems.length > 3 ? ` (and ${problems.length - 3} more)` : ''}` : '';
  const message = `Unpacked ${items.length} image${items.length === 1 ? '' : 's'} (${FORMAT_LABEL[format]}): ${count('linked')} linked, ${count('unmatched')} unmatched, ${count('rejected')} rejected. Each has its own entry below.${notes}`;
  const waiting: number[] = [];
  return {
    outcome: 'unpacked',
    message,
    apply: async (trx) => {
      // The package is a delivery of its own, begun and ended here: its images all have outcomes in this transaction.
      const deliveryId = await insertDelivery(
        trx,
        { districtId: event.district_id, source: 'package', by: event.file, address: null },
        event.delivery_id,
        nowIso(),
      );
      for (const item of items) {
        const d = item.delivery;
        const blob = item.hasBlob ? d.original : undefined;
        const eventId = await insertEvent(trx, { districtId: d.districtId, source: 'package', folder: 'idphotos', file: d.file, action: 'upload', blob, deliveryId });
        await finishEvent(trx, eventId, item.plan.outcome);
        const applied = await applyDelivery(trx, deps, { ...d, eventId }, item.plan);
        if (applied.waitingId !== undefined) waiting.push(applied.waitingId);
      }
    },
    afterCommit: async () => {
      for (const id of waiting) await linkWaitingPhoto(deps.db, id, { keepVersions: deps.keepVersions });
    },
  };
}

async function planItem(deps: DeliveryDeps, event: ClaimedEvent, item: PackageItem, indexFile: string | null): Promise<PlannedItem> {
  const file = `${event.file}/${item.entryName}`;
  const base = { districtId: event.district_id, file, eventId: null };
  if (item.kind === 'rejected') {
    return {
      delivery: { ...base, localId: item.localId ?? '', original: { key: '', sha256: '', size: 0 } },
      plan: { kind: 'rejected', outcome: { outcome: 'rejected', localId: null, message: item.message } },
      hasBlob: false,
    };
  }
  const original = await deps.blobs.putBuffer(item.bytes);
  const plan = await planDelivery(deps, { ...base, localId: item.localId, read: async () => item.bytes, original });
  if (plan.kind === 'linked' && indexFile) plan.rule = `${plan.rule}, as listed in ${indexFile}`;
  return { delivery: { ...base, localId: item.localId, original }, plan, hasBlob: true };
}
