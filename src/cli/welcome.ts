import type { District } from '../districts/districts.js';
import type { HostKey } from '../hostKeys/hostKeys.js';

export interface WelcomeSheet {
  district: District;
  host: string;
  port: number;
  password: string;
  hostKeys: HostKey[];
}

/** What a district's secretary needs to connect for the first time, in the order their client asks for it. */
export function renderWelcome(w: WelcomeSheet): string {
  const fp = w.hostKeys.flatMap((k) => [`    ${k.type.padEnd(12)} ${k.sha256}`, `    ${''.padEnd(12)} ${k.md5}`]);
  return [
    `Welcome to Lanyard, ${w.district.name}`,
    '',
    'Connect with FileZilla, WinSCP, Cyberduck or any SFTP client:',
    '',
    `    Protocol:  SFTP`,
    `    Host:      ${w.host}`,
    `    Port:      ${w.port}`,
    `    Username:  ${w.district.slug}`,
    `    Password:  ${w.password}`,
    '',
    'The first time you connect, your client shows the server\'s fingerprint.',
    'Accept it only if it matches one of these exactly:',
    '',
    ...fp,
    '',
    'If your client ever warns that this fingerprint has CHANGED, do not connect:',
    'treat it as an attack and call Lanyard support.',
    '',
    'You will see two folders:',
    '    idphotos   photos named by Local ID, e.g. 123456.jpg (JPEG, PNG or GIF),',
    '               or a photographer\'s .zip package. Same name again = new photo.',
    '    data       roster files from your student information system,',
    '               e.g. students.csv and staff.csv.',
    '',
    `OpenSSH users: sftp -P ${w.port} ${w.district.slug}@${w.host}`,
    '',
  ].join('\n');
}
