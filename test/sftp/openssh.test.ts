import { openssh } from '../helpers/clients.js';
import { describeClientMatrix } from '../helpers/clientMatrix.js';

// OpenSSH's sftp with a password; key logins are in auth.test.ts.
describeClientMatrix('OpenSSH sftp', () => openssh);
