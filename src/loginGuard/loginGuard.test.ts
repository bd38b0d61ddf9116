import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { addressKey } from './loginGuard.js';

describe('the address a lockout counts by', () => {
  test('IPv4 as it is, also written IPv4-mapped', () => {
    assert.equal(addressKey('203.0.113.7'), '203.0.113.7');
    assert.equal(addressKey('::ffff:203.0.113.7'), '203.0.113.7');
    assert.equal(addressKey('::FFFF:127.0.0.2'), '127.0.0.2');
  });

  test('IPv6 by its /64, however it is written', () => {
    assert.equal(addressKey('2001:db8:1:2:3:4:5:6'), '2001:db8:1:2::/64');
    assert.equal(addressKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff'), '2001:db8:1:2::/64');
    assert.equal(addressKey('2001:db8:1:2::9'), '2001:db8:1:2::/64');
    assert.equal(addressKey('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(addressKey('::1'), '0:0:0:0::/64');
    assert.equal(addressKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
    assert.equal(addressKey('64:ff9b:1:2::192.0.2.1'), '64:ff9b:1:2::/64');
  });
});
