import sharp from 'sharp';

/** A small, fictional district for `lanyard demo`: made up here, so the package ships no personal data. */
export interface DemoPerson {
  localId: string;
  firstName: string;
  lastName: string;
  grade: string;
  building: string;
  role: 'student' | 'staff';
}

const FIRST = ['Maya', 'Noah', 'Amara', 'Leo', 'Priya', 'Mateo', 'Hana', 'Elijah', 'Zainab', 'Oliver', 'Sofia', 'Kai', 'Imani', 'Lucas', 'Mei', 'Ethan', 'Aaliyah', 'Diego', 'Nora', 'Samir', 'Freya', 'Tomás', 'Yuki', 'Jonah'];
const LAST = ['Okafor', 'Lindqvist', 'Haddad', 'Nguyen', 'García', 'Kowalski', 'Mensah', 'Patel', "O'Brien", 'Tanaka', 'Schmidt', 'Rossi'];
const BUILDINGS = ['101', '201', '301'];

export function demoPeople(): DemoPerson[] {
  const students: DemoPerson[] = FIRST.map((firstName, i) => ({
    localId: String(4400 + i * 7).padStart(6, '0'),
    firstName,
    lastName: LAST[i % LAST.length]!,
    grade: String(1 + (i % 8)),
    building: BUILDINGS[i % BUILDINGS.length]!,
    role: 'student',
  }));
  const staff: DemoPerson[] = [
    { localId: 'T100', firstName: 'Grace', lastName: 'Adeyemi', grade: '', building: '101', role: 'staff' },
    { localId: 'T101', firstName: 'Henrik', lastName: 'Berg', grade: '', building: '201', role: 'staff' },
    { localId: 'T102', firstName: 'Lucía', lastName: 'Fernández', grade: '', building: '301', role: 'staff' },
  ];
  return [...students, ...staff];
}

const csvCell = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
const email = (p: DemoPerson) => `${p.firstName}.${p.lastName}`.normalize('NFD').replace(/[^A-Za-z.]/g, '').toLowerCase() + '@demo.lanyard.test';

/** The two roster files, in Lanyard's own column names. */
export function demoRosters(people: DemoPerson[]): Array<{ name: string; text: string }> {
  const students = people.filter((p) => p.role === 'student');
  const staff = people.filter((p) => p.role === 'staff');
  return [
    {
      name: 'students.csv',
      text: ['Local ID,First Name,Last Name,Grade,Building Code,Email', ...students.map((p) => [p.localId, p.firstName, p.lastName, p.grade, p.building, email(p)].map(csvCell).join(','))].join('\n') + '\n',
    },
    {
      name: 'staff.csv',
      text: ['Staff ID,First Name,Last Name,Email,Building Code,Position', ...staff.map((p) => [p.localId, p.firstName, p.lastName, email(p), p.building, 'Teacher'].map(csvCell).join(','))].join('\n') + '\n',
    },
  ];
}

/** A drawn portrait (head and shoulders on a background of its own colour, initials on the shirt) as a JPEG. */
export async function demoPortrait(p: DemoPerson, index: number): Promise<Buffer> {
  const hue = (index * 47) % 360;
  const skin = ['#f1c27d', '#e0ac69', '#c68642', '#8d5524', '#ffdbac'][index % 5];
  const initials = `${Array.from(p.firstName)[0] ?? ''}${Array.from(p.lastName)[0] ?? ''}`;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="480" height="600" viewBox="0 0 480 600">
  <rect width="480" height="600" fill="hsl(${hue},45%,78%)"/>
  <ellipse cx="240" cy="600" rx="200" ry="170" fill="hsl(${(hue + 180) % 360},40%,38%)"/>
  <rect x="205" y="330" width="70" height="130" fill="${skin}"/>
  <ellipse cx="240" cy="250" rx="105" ry="130" fill="${skin}"/>
  <path d="M135 230 Q150 100 240 110 Q330 100 345 230 Q320 160 240 160 Q160 160 135 230 Z" fill="hsl(${(hue * 3) % 360},30%,22%)"/>
  <circle cx="200" cy="255" r="9" fill="#222"/><circle cx="280" cy="255" r="9" fill="#222"/>
  <path d="M205 315 Q240 340 275 315" stroke="#7a3b2e" stroke-width="6" fill="none" stroke-linecap="round"/>
  <text x="240" y="560" font-family="DejaVu Sans, sans-serif" font-size="56" font-weight="bold" fill="#fff" text-anchor="middle">${initials.replace(/[<&>]/g, '')}</text>
</svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 85 }).toBuffer();
}
