import type { Connection } from 'ssh2';

type ServiceRequestHandler = (proto: unknown, service: string) => void;

interface ProtocolInternals {
  _handlers?: { SERVICE_REQUEST?: ServiceRequestHandler };
  serviceAccept?: (service: string) => void;
}

/**
 * paramiko (and so Fabric, Ansible and most districts' Python scripts) asks
 * for the "ssh-userauth" service again before every login method it tries.
 * ssh2 disconnects on the second request, so such a client can never go on
 * from a key to the password: key-and-password accounts cannot log in at all,
 * and a script holding any key not on file never reaches its password.
 * OpenSSH's sshd accepts the repeat until login succeeds; so do we, by
 * answering repeats ourselves. This reaches into ssh2's internals, so it
 * checks their shape and reports false (leaving ssh2's behaviour) if they changed.
 */
export function acceptRepeatedUserauthRequests(client: Connection): boolean {
  const proto = (client as unknown as { _protocol?: ProtocolInternals })._protocol;
  const handlers = proto?._handlers;
  const original = handlers?.SERVICE_REQUEST;
  if (!proto || !handlers || typeof original !== 'function' || typeof proto.serviceAccept !== 'function') return false;
  const accept = proto.serviceAccept.bind(proto);
  let asked = false;
  handlers.SERVICE_REQUEST = (p, service) => {
    if (asked && service === 'ssh-userauth' && !client.authenticated) return accept(service);
    // The first request, and anything else, gets ssh2's own checks.
    asked ||= service === 'ssh-userauth';
    original(p, service);
  };
  return true;
}

type ChannelOpenFail = (remote: number, reason: number, desc?: string) => void;

/** SSH's "resource shortage" reason for a refused channel. */
const RESOURCE_SHORTAGE = 4;
const refusals = new WeakMap<Connection, string>();

/**
 * ssh2 refuses a channel without a description. A refusal is the only thing
 * a client shows when a session is refused, so this lets the server say why
 * (OpenSSH prints "channel 0: open failed: resource shortage: <why>"). Reaches
 * into ssh2's internals like the above; false if they changed.
 */
export function describeChannelRefusals(client: Connection): boolean {
  const proto = (client as unknown as { _protocol?: { channelOpenFail?: ChannelOpenFail } })._protocol;
  if (!proto || typeof proto.channelOpenFail !== 'function') return false;
  const original = proto.channelOpenFail.bind(proto);
  proto.channelOpenFail = (remote, reason, desc) => {
    const why = refusals.get(client);
    refusals.delete(client);
    if (why === undefined) original(remote, reason, desc);
    else original(remote, RESOURCE_SHORTAGE, why);
  };
  return true;
}

/** The description the next channel refusal on this connection carries. */
export function refuseNextChannel(client: Connection, why: string): void {
  refusals.set(client, why);
}
