import { test } from 'node:test';
import assert from 'node:assert/strict';
import { grafanaSlug, uuidV5 } from './slug.ts';
import { derivedUid, isValidUid } from './uid.ts';

test('slugs as Grafana makes them', () => {
  assert.equal(grafanaSlug('Metamask Integration Service'), 'metamask-integration-service');
  // Grafana keeps every dash: " - " gives three.
  assert.equal(grafanaSlug('Quant Analytics - Backend API'), 'quant-analytics---backend-api');
  assert.equal(grafanaSlug('Response Time (p95)'), 'response-time-p95');
  assert.equal(grafanaSlug('  Node & Disk @ prod '), 'node-and-disk-at-prod');
  assert.equal(grafanaSlug('Café Ünïcode'), 'cafe-uenicode');
  assert.equal(grafanaSlug('a/b:c'), 'a2fb3ac');
  assert.equal(grafanaSlug('日本'), 'e697a5e69cac');
});

test('an empty or overlong slug becomes the title’s name-based UUID', () => {
  const long = 'x'.repeat(51);
  assert.match(grafanaSlug(long), /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(grafanaSlug(long), grafanaSlug(long));
  assert.equal(grafanaSlug('...'), uuidV5('6ba7b812-9dad-11d1-80b4-00c04fd430c8', '...'));
  // RFC 4122 appendix value computed by Python's uuid.uuid5(NAMESPACE_DNS, 'python.org').
  assert.equal(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'python.org'), '886313e1-3b8a-5372-9b90-0c9aee199e5d');
});

test('derived uids are stable, readable, at most 40 allowed characters, and differ by source', () => {
  const uid = derivedUid('Metamask Integration Service', 'metamask-integration/dashboards/main.json');
  assert.equal(uid, derivedUid('Metamask Integration Service', 'metamask-integration/dashboards/main.json'));
  assert.match(uid, /^metamask-integration-service-[0-9a-f]{8}$/);
  assert.notEqual(uid, derivedUid('Metamask Integration Service', 'other.json'));
  const long = derivedUid('A very long dashboard title that goes on and on and on', 'x.json');
  assert.ok(long.length <= 40, long);
  assert.ok(isValidUid(long));
  assert.match(derivedUid('日本', 'x.json'), /^[0-9a-f]{8}$/);
  assert.ok(!isValidUid('a b'));
});
