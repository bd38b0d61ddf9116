import { paramiko } from '../helpers/clients.js';
import { describeClientMatrix } from '../helpers/clientMatrix.js';

// paramiko is what a district's Python export script would use.
describeClientMatrix('paramiko', () => paramiko);
