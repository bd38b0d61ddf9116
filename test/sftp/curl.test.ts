import { curl } from '../helpers/clients.js';
import { describeClientMatrix } from '../helpers/clientMatrix.js';

// curl's sftp:// runs on libssh2, the library behind many scripted district exports.
describeClientMatrix("curl's sftp", () => curl);
