import { psftp } from '../helpers/clients.js';
import { describeClientMatrix } from '../helpers/clientMatrix.js';

// PuTTY's psftp shares its SSH engine with FileZilla and WinSCP, what most schools use.
describeClientMatrix('PuTTY psftp', () => psftp);
