import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { groupKeyHash, presentNotification, truncateInBytes, truncateInRunes } from './data.ts';
import { goJsonEncode, goTimeJson, sortedRecord } from './go-json.ts';
import { resolvedAlert, testAlert, testContext, testNow } from './test-helpers.ts';

describe('notification data', () => {
  it('hides the end of firing alerts, computes the group status and the common labels and annotations', () => {
    const firing = testAlert({ instance: 'a', job: 'api' }, { annotations: { summary: 's', runbook: 'r1' }, endsAt: testNow + 60_000 });
    const resolved = resolvedAlert(testAlert({ instance: 'b', job: 'api' }, { annotations: { summary: 's', runbook: 'r2' } }));
    const data = presentNotification(testContext(), [firing, resolved]);
    assert.equal(data.status, 'firing');
    assert.deepEqual(data.alerts.map((alert) => [alert.status, alert.endsAt]), [['firing', 0], ['resolved', testNow - 60_000]]);
    assert.deepEqual(data.commonLabels, { alertname: 'HighErrorRate', job: 'api' });
    assert.deepEqual(data.commonAnnotations, { summary: 's' });
    assert.equal(presentNotification(testContext(), [resolved]).status, 'resolved');
    assert.deepEqual(presentNotification(testContext(), []).commonLabels, {});
  });

  it('group key hash is the SHA-256 hex of the key', () => {
    assert.match(groupKeyHash('{}:{alertname="A"}'), /^[0-9a-f]{64}$/);
    assert.match(groupKeyHash(''), /^e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855$/);
  });

  it('truncation by runes and bytes with …', () => {
    assert.deepEqual(truncateInRunes('abcdef', 6), { text: 'abcdef', truncated: false });
    assert.deepEqual(truncateInRunes('abcdef', 4), { text: 'abc…', truncated: true });
    assert.deepEqual(truncateInRunes('abcdef', 3), { text: 'abc', truncated: true });
    assert.deepEqual(truncateInRunes('😀😀😀😀😀', 4), { text: '😀😀😀…', truncated: true });
    assert.deepEqual(truncateInBytes('abcdef', 5), { text: 'ab…', truncated: true });
    assert.deepEqual(truncateInBytes('ééé', 5), { text: 'é…', truncated: true });
    assert.deepEqual(truncateInBytes('ééé', 6), { text: 'ééé', truncated: false });
    assert.deepEqual(truncateInBytes('abcdef', 3), { text: '…', truncated: true });
    assert.deepEqual(truncateInBytes('abcdef', 2), { text: '..', truncated: true });
  });

  it("Go's JSON: HTML-safe escaping, sorted maps, RFC 3339 times without trailing zeros", () => {
    assert.equal(goJsonEncode({ b: '<a href="x">&</a>\u2028', a: [1, 'é'] }), '{"b":"\\u003ca href=\\"x\\"\\u003e\\u0026\\u003c/a\\u003e\\u2028","a":[1,"é"]}\n');
    assert.deepEqual(Object.keys(sortedRecord({ b: 1, B: 2, a: 3, é: 4, z: 5 })), ['B', 'a', 'b', 'z', 'é']);
    assert.equal(goTimeJson(0), '0001-01-01T00:00:00Z');
    assert.equal(goTimeJson(Date.parse('2026-01-15T11:00:00Z')), '2026-01-15T11:00:00Z');
    assert.equal(goTimeJson(Date.parse('2026-01-15T11:00:00.120Z')), '2026-01-15T11:00:00.12Z');
  });
});
