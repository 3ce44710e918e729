import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { queryCommand, resultJson, resultText } from './query.ts';
import { UsageError } from './flags.ts';

// Expected texts are what Debian's promtool 2.42 printed for the same API answers.
test('prints results as promtool query does', () => {
  const vector = {
    resultType: 'vector' as const,
    result: [
      { metric: { __name__: 'up', job: 'prometheus', instance: '127.0.0.1:19391' }, value: [1796115429.779, '1'] },
      { metric: { a: 'x"y\n\u0001' }, value: [1796115438.86, '+Inf'] },
      { metric: {}, value: [1796115438.8, '1e+21'] },
      { metric: { a: 'e' }, value: [1796115438.831, '-1.234e-06'] },
    ],
  };
  assert.equal(
    resultText(vector),
    [
      'up{instance="127.0.0.1:19391", job="prometheus"} => 1 @[1796115429.779]',
      '{a="x\\"y\\n\\x01"} => +Inf @[1796115438.86]',
      '{} => 1000000000000000000000 @[1796115438.8]',
      '{a="e"} => -0.000001234 @[1796115438.831]',
      '',
    ].join('\n'),
  );
  assert.equal(resultText({ resultType: 'vector', result: [] }), '\n');
  assert.equal(resultText({ resultType: 'scalar', result: [1796115429.86, '1e-07'] }), 'scalar: 0.0000001 @[1796115429.86]\n');
  const matrix = {
    resultType: 'matrix' as const,
    result: [{ metric: { __name__: 'up', instance: '127.0.0.1:19391', job: 'prometheus' }, values: [[1796115429.887, '1'], [1796115430.887, 'NaN']] }],
  };
  assert.equal(resultText(matrix), 'up{instance="127.0.0.1:19391", job="prometheus"} =>\n1 @[1796115429.887]\nNaN @[1796115430.887]\n');
  assert.equal(resultText({ resultType: 'matrix', result: [] }), '\n');
});

test('prints JSON as promtool query -o json does', () => {
  assert.equal(
    resultJson({ resultType: 'vector', result: [{ metric: { job: 'prometheus', __name__: 'up', a: 'é\u0001<' }, value: [1796115430.089, '1'] }] }),
    '[{"metric":{"__name__":"up","a":"é\\u0001\\u003c","job":"prometheus"},"value":[1796115430.089,"1"]}]\n',
  );
  assert.equal(resultJson({ resultType: 'matrix', result: [{ metric: { __name__: 'up' }, values: [[1796115430, '1']] }] }), '[{"metric":{"__name__":"up"},"values":[[1796115430,"1"]]}]\n');
  assert.equal(resultJson({ resultType: 'scalar', result: [1796115438.661, '1.5'] }), '[1796115438.661,"1.5"]\n');
  assert.equal(resultJson({ resultType: 'vector', result: [] }), '[]\n');
});

/** Runs `vigil query …` in-process, capturing what it writes. */
async function vigil(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  assert.equal(args[0], 'query');
  let stdout = '';
  let stderr = '';
  const code = await queryCommand(args.slice(1), { out: (text) => (stdout += text), err: (text) => (stderr += text) });
  return { code, stdout, stderr };
}

test('vigil query instant|range talk to the API and report errors as promtool does', async () => {
  const requests: { path: string; body: URLSearchParams }[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const params = new URLSearchParams(body);
      requests.push({ path: request.url ?? '', body: params });
      response.setHeader('content-type', 'application/json');
      if (params.get('query') === 'bad(') {
        response.statusCode = 400;
        response.end('{"status":"error","errorType":"bad_data","error":"invalid parameter \\"query\\": 1:5: parse error: unexpected end of input"}');
      } else if (request.url === '/api/v1/query') {
        response.end('{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"up","job":"a"},"value":[10,"1"]}]}}');
      } else {
        response.end('{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"up","job":"a"},"values":[[10,"1"],[20,"0"]]}]}}');
      }
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    assert.deepEqual(await vigil(['query', 'instant', '--server', url, 'up', '--time', '10']), { code: 0, stdout: 'up{job="a"} => 1 @[10]\n', stderr: '' });
    assert.equal(requests[0].path, '/api/v1/query');
    assert.equal(requests[0].body.get('time'), '10');
    // promtool's argument order works too.
    assert.equal((await vigil(['query', 'instant', url, 'up', '--format', 'json'])).stdout, '[{"metric":{"__name__":"up","job":"a"},"value":[10,"1"]}]\n');
    const range = await vigil(['query', 'range', url, 'up', '--start', '0', '--end', '2500', '--step', '10s']);
    assert.deepEqual(range, { code: 0, stdout: 'up{job="a"} =>\n1 @[10]\n0 @[20]\n', stderr: '' });
    assert.deepEqual([requests[2].body.get('start'), requests[2].body.get('end'), requests[2].body.get('step')], ['0', '2500', '10']);
    // Without a step: whole seconds giving about 250 points.
    await vigil(['query', 'range', url, 'up', '--start', '0', '--end', '2500']);
    assert.equal(requests[3].body.get('step'), '10');
    assert.deepEqual(await vigil(['query', 'instant', url, 'bad(']), {
      code: 1,
      stdout: '',
      stderr: 'query error: bad_data: invalid parameter "query": 1:5: parse error: unexpected end of input\n',
    });
    assert.deepEqual(await vigil(['query', 'range', url, 'up', '--start', '5', '--end', '5']), { code: 1, stdout: '', stderr: 'start time is not before end time\n' });
    assert.deepEqual(await vigil(['query', 'instant', url, 'up', '--time', 'soon']), { code: 1, stdout: '', stderr: 'error parsing evaluation time: cannot parse "soon" to a valid timestamp\n' });
    // A port nobody listens on any more.
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((done) => closed.close(() => done()));
    const refused = await vigil(['query', 'instant', `http://127.0.0.1:${closedPort}`, 'up']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, new RegExp(`^query error: Post "http://127\\.0\\.0\\.1:${closedPort}/api/v1/query": .*ECONNREFUSED`));
    await assert.rejects(vigil(['query', 'instant']), UsageError);
    await assert.rejects(vigil(['query', 'sideways', 'up']), UsageError);
    assert.equal((await vigil(['query'])).code, 2);
    const help = await vigil(['query', 'range', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--step=VALUE/);
  } finally {
    server.close();
  }
});
