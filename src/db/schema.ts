import type { ColumnType, Generated, Selectable } from 'kysely';

/**
 * The tables, as the one source of truth for queries. Times are ISO-8601 UTC
 * text in both databases: it sorts correctly, reads the same everywhere and
 * keeps one query layer for SQLite and PostgreSQL.
 */
export interface Database {
  districts: DistrictsTable;
  district_keys: DistrictKeysTable;
  api_tokens: ApiTokensTable;
  host_keys: HostKeysTable;
  dropbox_files: DropboxFilesTable;
  intake_events: IntakeEventsTable;
  deliveries: DeliveriesTable;
  webhooks: WebhooksTable;
  webhook_posts: WebhookPostsTable;
  district_contacts: DistrictContactsTable;
  delivery_emails: DeliveryEmailsTable;
  audit_log: AuditLogTable;
  login_throttle: LoginThrottleTable;
  staff: StaffTable;
  web_sessions: WebSessionsTable;
  password_reveals: PasswordRevealsTable;
  web_flashes: WebFlashesTable;
  devices: DevicesTable;
  people: PeopleTable;
  photo_versions: PhotoVersionsTable;
  person_photos: PersonPhotosTable;
  waiting_photos: WaitingPhotosTable;
  roster_imports: RosterImportsTable;
  roster_settings: RosterSettingsTable;
  schools: SchoolsTable;
  roster_schedules: RosterSchedulesTable;
  checkouts: CheckoutsTable;
  incidents: IncidentsTable;
  incident_notes: IncidentNotesTable;
  blob_guards: BlobGuardsTable;
  erasures: ErasuresTable;
  retention_policies: RetentionPoliciesTable;
  retention_reports: RetentionReportsTable;
  retention_lease: RetentionLeaseTable;
  district_quotas: DistrictQuotasTable;
  district_usage: DistrictUsageTable;
}

export type SftpAuthMode = 'password' | 'publickey' | 'both' | 'either';
export type DropboxFolder = 'idphotos' | 'data';
export type IntakeSource = 'sftp' | 'web' | 'package';
export type IntakeAction = 'upload' | 'delete';
/**
 * What became of an intake event (the API's `outcome`): `received` until a
 * worker decides. Photos end `linked`, `unmatched`, `rejected`, `removed`,
 * `ignored` (a client's temporary file or an operating system's) or
 * `unpacked` (a zip, whose images become events of their own); rosters end
 * `imported`, `rejected`, `removed` or `superseded` (a newer copy arrived
 * while it settled).
 */
export type IntakeOutcome = 'received' | 'linked' | 'unmatched' | 'rejected' | 'removed' | 'ignored' | 'unpacked' | 'imported' | 'superseded';

export interface DistrictsTable {
  id: Generated<number>;
  slug: string;
  name: string;
  sftp_password_hash: string;
  sftp_auth: SftpAuthMode;
  created_at: string;
  /** Goes up with every change of SFTP credentials; live sessions logged in under a lower one are ended. */
  sftp_credential_version: Generated<number>;
}

export interface DistrictKeysTable {
  id: Generated<number>;
  district_id: number;
  algorithm: string;
  /** The key in SSH wire format, base64: what a client presents. */
  public_key: string;
  fingerprint: string;
  comment: string;
  created_at: string;
}

export interface ApiTokensTable {
  id: Generated<number>;
  district_id: number;
  /** SHA-256 of the token: tokens are long and random, so a fast hash is enough. */
  token_hash: string;
  created_at: string;
  /** What uses it, as the district named it. */
  label: string | null;
  /** Null: until revoked. */
  expires_at: string | null;
  /** The token's first characters after its prefix, to tell tokens apart in a list (null for tokens made before). */
  token_start: string | null;
}

export interface HostKeysTable {
  key_type: string;
  /** OpenSSH-format private key. Lives in the database so every node presents the same key. */
  private_key: string;
  created_at: string;
}

export interface DropboxFilesTable {
  district_id: number;
  folder: DropboxFolder;
  name: string;
  blob_key: string;
  sha256: string;
  size: number;
  modified_at: string;
}

export interface IntakeEventsTable {
  id: Generated<number>;
  district_id: number;
  at: string;
  source: IntakeSource;
  folder: DropboxFolder;
  file: string;
  action: IntakeAction;
  blob_key: string | null;
  sha256: string | null;
  size: number | null;
  outcome: IntakeOutcome;
  local_id: string | null;
  message: string;
  /** While a worker holds the event; a lease that ran out means the worker died and anyone may retry. */
  claimed_until: string | null;
  attempts: Generated<number>;
  processed_at: string | null;
  /** The delivery (SFTP session, browser upload, package) it came in; null for events made another way. */
  delivery_id: number | null;
  /** Quality check codes of the photo it linked or kept waiting, comma-separated; empty when none. */
  warnings: ColumnType<string, string | undefined, string>;
}

/** One SFTP session, one browser upload or one photo package: the events it made are its report. */
export interface DeliveriesTable {
  id: Generated<number>;
  district_id: number;
  source: IntakeSource;
  /** The SFTP username, the staff member's email, or the zip's name. */
  by: string;
  address: string | null;
  /** A package's delivery: the delivery its zip came in. */
  parent_id: number | null;
  started_at: string;
  /** When the session or upload ended; null while open. */
  ended_at: string | null;
  /** While open: when its node last said so (deliveries/liveness.ts). */
  alive_at: string | null;
}

export type DeliveryRow = Selectable<DeliveriesTable>;

/** Where a district's finished deliveries are pushed. */
export interface WebhooksTable {
  district_id: number;
  /** https:// only. */
  url: string;
  /** Signs each push (HMAC-SHA256); shown to the district's admins. */
  secret: string;
  created_at: string;
}

export type WebhookPostStatus = 'pending' | 'sent' | 'failed';

/** The outbox: one push per finished delivery, with its attempts. */
export interface WebhookPostsTable {
  id: Generated<number>;
  district_id: number;
  delivery_id: number;
  status: WebhookPostStatus;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: string;
  /** What the last attempt got: `HTTP 500`, or why it could not connect. */
  last_result: string | null;
  created_at: string;
  sent_at: string | null;
}

/** Who in a district is told of finished deliveries by e-mail. */
export interface DistrictContactsTable {
  district_id: number;
  email: string;
  created_at: string;
}

/** The e-mail outbox: one message per finished delivery, with its attempts, as webhook_posts. */
export interface DeliveryEmailsTable {
  id: Generated<number>;
  district_id: number;
  delivery_id: number;
  status: WebhookPostStatus;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: string;
  /** What the last attempt got: the SMTP server's answer, or why it could not connect. */
  last_result: string | null;
  created_at: string;
  sent_at: string | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  district_id: number | null;
  at: string;
  action: string;
  actor: string;
  address: string | null;
  /** JSON object with what else is worth knowing. */
  detail: string;
}

export interface LoginThrottleTable {
  scope: 'address' | 'account';
  subject: string;
  failures: number;
  window_started_at: string;
  locked_until: string | null;
}

export type DistrictRow = Selectable<DistrictsTable>;
export type DropboxFileRow = Selectable<DropboxFilesTable>;
export type IntakeEventRow = Selectable<IntakeEventsTable>;

export interface StaffTable {
  id: Generated<number>;
  district_id: number;
  email: string;
  password_hash: string;
  role: 'admin' | 'technician' | 'viewer';
  created_at: string;
  /** 1 while the password is a one-time one (invite, reset) that must be replaced at sign-in (migration 0110). */
  must_change_password: Generated<number>;
  /** When a one-time password stops signing in; null for a person's own password. */
  one_time_expires_at: string | null;
}

/** A reset's new password, sealed with a key only the admin's browser holds, until shown once (staff/passwordReveal.ts). */
export interface PasswordRevealsTable {
  id_hash: string;
  viewer_staff_id: number;
  email: string;
  sealed: string;
  password_expires_at: string;
  expires_at: string;
}

export interface WebSessionsTable {
  id_hash: string;
  staff_id: number;
  csrf_token: string;
  created_at: string;
  expires_at: string;
}

/** A form's one-use message for the page after its redirect (staff/flashes.ts, migration 0111). */
export interface WebFlashesTable {
  id: string;
  session_hash: string;
  /** JSON of the flash; may hold a secret until the page that shows it is read. */
  payload: string;
  expires_at: string;
}

/** What staff set about a device; "checked out" is derived from the open check-out, never stored. */
export type DeviceState = 'available' | 'in-repair' | 'lost' | 'retired';

export interface DevicesTable {
  id: Generated<number>;
  district_id: number;
  asset_tag: string;
  /** assetTagKey(asset_tag); null on a device whose tag differs only in case from an older device's (migration 0090). */
  asset_tag_key: string | null;
  serial_number: string;
  model: string;
  state: DeviceState;
  created_at: string;
  updated_at: string;
}

export type DeviceRow = Selectable<DevicesTable>;

export type PersonRole = 'student' | 'staff';

export interface PeopleTable {
  id: Generated<number>;
  district_id: number;
  local_id: string;
  local_id_key: string;
  first_name: string;
  last_name: string;
  role: PersonRole;
  school: string | null;
  grade: string | null;
  email: string | null;
  state_id: string | null;
  /** 1 or 0: the same in SQLite and PostgreSQL. */
  active: number;
  /** 1 while the person has a current photo (person_photos), kept by triggers (migration 0061). */
  has_photo: Generated<number>;
  created_at: string;
  updated_at: string;
}

export type PersonRow = Selectable<PeopleTable>;

/** A device handed to a person; open while checked_in_at is null (one open per device: a partial unique index). */
export interface CheckoutsTable {
  id: Generated<number>;
  district_id: number;
  device_id: number;
  person_id: number;
  checked_out_at: string;
  /** Staff email, or "api" for a token. */
  checked_out_by: string;
  checked_in_at: string | null;
  checked_in_by: string | null;
  /** Set when the check-out was undone at the desk (migration 0112); checked_in_at is set with it, so the device is free. */
  undone_at: string | null;
  undone_by: string | null;
}

export type CheckoutRow = Selectable<CheckoutsTable>;

export type IncidentType = 'damage' | 'loss' | 'theft' | 'other';
export type IncidentStatus = 'open' | 'in-repair' | 'waiting-for-pickup' | 'lost' | 'closed';

export interface IncidentsTable {
  id: Generated<number>;
  district_id: number;
  device_id: number;
  person_id: number;
  type: IncidentType;
  status: IncidentStatus;
  description: string;
  opened_at: string;
  opened_by: string;
  updated_at: string;
}

export type IncidentRow = Selectable<IncidentsTable>;

/** The incident's timeline: notes, and status changes (status set) with an optional note. */
export interface IncidentNotesTable {
  id: Generated<number>;
  incident_id: number;
  at: string;
  author: string;
  status: IncidentStatus | null;
  body: string;
}

export type IncidentNoteRow = Selectable<IncidentNotesTable>;

/** One roster import: the report a district reads in its history, with the rows it must fix. */
export interface RosterImportsTable {
  id: Generated<number>;
  district_id: number;
  at: string;
  file: string;
  /** Where the file came from: the drop box (sftp/web), the CLI, or the daily schedule. */
  source: string;
  event_id: number | null;
  sha256: string | null;
  format: string | null;
  outcome: 'imported' | 'rejected';
  created: number;
  updated: number;
  unchanged: number;
  deactivated: number;
  reactivated: number;
  errors: number;
  message: string;
  /** JSON array of {line, localId, message}. */
  row_errors: string;
  /** People the deactivation guard kept active (0: it did not hold anyone back). */
  held: ColumnType<number, number | undefined, number>;
}

/** How a district's roster files are read and how careful deactivation is. */
export interface RosterSettingsTable {
  district_id: number;
  /** 1 or 0: people of this role missing from a full file are deactivated (opt-in). */
  deactivate_students: number;
  deactivate_staff: number;
  /** Above this share of a role's active people, nobody is deactivated without --force-deactivate. */
  deactivate_limit_percent: number;
  clever_students_id: string;
  clever_teachers_id: string;
  clever_staff_id: string;
  oneroster_id: string;
  /** JSON object: the district's grade spellings → canonical grade. */
  grade_overrides: string;
  updated_at: string;
}

export interface SchoolsTable {
  id: Generated<number>;
  district_id: number;
  /** What people's school column holds (building code, Clever School_id, OneRoster org identifier). */
  code: string;
  name: string | null;
  updated_at: string;
}

/** One photo of a person as delivered: the original bytes and the two sizes served, kept for revert. */
export interface PhotoVersionsTable {
  id: Generated<number>;
  district_id: number;
  person_id: number;
  /** Random: the photo URL's only handle, so it says nothing about the person and changes with the photo. */
  url_key: string;
  original_key: string;
  /** SHA-256 (hex) of the file as uploaded. */
  original_sha256: string;
  original_size: number;
  profile_key: string;
  thumb_key: string;
  /** The name it came under (`123456.jpg`, or `package.zip/folder/IMG_1.jpg`). */
  file: string;
  event_id: number | null;
  /** How the name found the person (MatchRule, or `linked-later` rules prefixed the same way). */
  match_rule: string;
  created_at: string;
  /** What the quality checks found (comma-separated codes; empty: nothing). */
  warnings: ColumnType<string, string | undefined, string>;
  /** 64-bit dHash (hex) and mean colour (0xRRGGBB): the same-as-another check's fingerprint; null before the checks existed. */
  dhash: string | null;
  colour: number | null;
  /** The hash's 16-bit quarters, each indexed (photos/samePicture.ts). */
  dhash_0: number | null;
  dhash_1: number | null;
  dhash_2: number | null;
  dhash_3: number | null;
}

/** The photo a person shows now; no row means no photo (never uploaded, or removed). */
export interface PersonPhotosTable {
  person_id: number;
  district_id: number;
  version_id: number;
  updated_at: string;
}

/** A photo whose Local ID nobody has yet: linked when a roster import brings the person. */
export interface WaitingPhotosTable {
  id: Generated<number>;
  district_id: number;
  file: string;
  local_id: string;
  local_id_key: string;
  original_key: string;
  original_sha256: string;
  original_size: number;
  profile_key: string;
  thumb_key: string;
  event_id: number | null;
  created_at: string;
  warnings: ColumnType<string, string | undefined, string>;
  dhash: string | null;
  colour: number | null;
}

export type PhotoVersionRow = Selectable<PhotoVersionsTable>;
export type WaitingPhotoRow = Selectable<WaitingPhotosTable>;

/** A district's daily roster import. */
export interface RosterSchedulesTable {
  district_id: number;
  /** HH:MM, UTC. */
  daily_at: string;
  /** YYYY-MM-DD (UTC) of the last run. */
  last_run_on: string | null;
}

/** A pin on a stored key while a commit is about to refer to it (src/retention/guards.ts). */
export interface BlobGuardsTable {
  blob_key: string;
  /** Whose pin: only its taker releases it. Empty while the sweep holds the key to delete it. */
  token: string;
  pinned_at: string;
}

/** A Local ID whose photos and files were erased on request; the profile says so if the person is (or comes back) in the roster. */
export interface ErasuresTable {
  district_id: number;
  /** The loose Local ID (localId.ts), as people.local_id_key. */
  local_id_key: string;
  /** As it was given to the erase. */
  local_id: string;
  erased_at: string;
  /** Who asked: a staff email or `cli:<user>`. */
  erased_by: string;
}

/** A district's retention policy: days per rule, null for the documented default (src/retention/policy.ts). */
export interface RetentionPoliciesTable {
  district_id: number;
  superseded_days: number | null;
  originals_days: number | null;
  unmatched_days: number | null;
  deactivated_days: number | null;
  uploads_days: number | null;
  updated_at: string;
}

/** What one rule of one retention run removed in one district (null: the store-wide sweep). */
export interface RetentionReportsTable {
  id: Generated<number>;
  run_at: string;
  district_id: number | null;
  rule: string;
  /** Rows that stopped pointing at bytes (versions, files, events, waiting photos). */
  items: number;
  /** Stored files deleted, and their bytes. */
  files: number;
  bytes: number;
}

/** Who runs the retention sweep now: one node at a time. */
export interface RetentionLeaseTable {
  name: string;
  holder: string;
  until: string;
}

/** A district's own quota; null keeps the server's default (--quota-bytes / --quota-files). */
export interface DistrictQuotasTable {
  district_id: number;
  bytes: number | null;
  files: number | null;
}

/** What a district's drop box holds, kept by triggers on dropbox_files (migration 0100): never written by code. */
export interface DistrictUsageTable {
  district_id: number;
  bytes: ColumnType<number, number | undefined, number>;
  files: ColumnType<number, number | undefined, number>;
}
