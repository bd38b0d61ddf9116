// ssh2 is CommonJS without named ESM exports: take its values from the default export once, here.
import ssh2 from 'ssh2';

export const { utils, Server } = ssh2;
