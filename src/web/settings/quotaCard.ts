import { bytesLeft, filesLeft, type DistrictSpace } from '../../quota/quota.js';
import { formatBytes } from '../../shared/bytes.js';
import { html, type Html } from '../html.js';
import { headRow, row } from '../views/table.js';

const QUOTA_HINT =
  'What the drop box (idphotos and data together) may hold. An upload that would not fit is refused, saying how much is left; ' +
  'SFTP clients that show free space (FileZilla, WinSCP, df in sftp) show this. To make room, delete files you no longer need; for a larger quota, call Lanyard support.';

const count = (n: number) => n.toLocaleString('en-US');

/** The Settings card that shows the district's quota beside what its drop box holds. */
export function quotaCard(s: DistrictSpace): Html {
  return html`<div class="card" id="quota"><h2>Storage quota</h2>
  <p class="muted">${QUOTA_HINT}</p>
  <table>${headRow('', 'Used', 'Quota', 'Left')}
  ${row('Space', formatBytes(s.usedBytes), formatBytes(s.quotaBytes), formatBytes(bytesLeft(s)))}
  ${row('Files', count(s.usedFiles), count(s.quotaFiles), count(filesLeft(s)))}
  </table></div>`;
}
