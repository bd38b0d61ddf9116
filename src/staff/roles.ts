/** What each kind of district staff may do in the web app. */
export type StaffRole = 'admin' | 'technician' | 'viewer';
export const STAFF_ROLES: readonly StaffRole[] = ['admin', 'technician', 'viewer'];

export type Permission =
  | 'people:read'
  | 'devices:write'
  | 'checkouts:write'
  | 'incidents:write'
  | 'photos:manage'
  | 'rosters:manage'
  | 'settings:manage'
  | 'staff:manage'
  /** Erasing a person's photos and files for good (retention/erase.ts). */
  | 'people:erase';

const GRANTS: Record<StaffRole, readonly Permission[]> = {
  admin: ['people:read', 'devices:write', 'checkouts:write', 'incidents:write', 'photos:manage', 'rosters:manage', 'settings:manage', 'staff:manage', 'people:erase'],
  technician: ['people:read', 'devices:write', 'checkouts:write', 'incidents:write'],
  viewer: ['people:read'],
};

export const can = (role: StaffRole, p: Permission): boolean => GRANTS[role].includes(p);
export const isStaffRole = (s: string): s is StaffRole => (STAFF_ROLES as readonly string[]).includes(s);
