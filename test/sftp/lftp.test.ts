import path from 'node:path';
import { lftp, pinnedKnownHosts } from '../helpers/clients.js';
import { describeClientMatrix } from '../helpers/clientMatrix.js';

describeClientMatrix('lftp', async ({ server, hostKeys, tmp }) => lftp(await pinnedKnownHosts(server.sftpPort, hostKeys, path.join(tmp, 'known_hosts'))));
