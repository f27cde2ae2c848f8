import { test } from 'node:test';
import assert from 'node:assert/strict';
import { quantizeWeight } from '../../../src/runtime/int8/quantize-weight.js';

test('quantizeWeight: per-column scales, 7-bit reduce_range, and 0 exactly representable', () => {
  // 2 rows x 3 columns; column 1 is all positive, column 2 all zero.
  const w = new Float32Array([-1, 0.5, 0, 0.25, 2, 0]);
  const perTensor = quantizeWeight(w, { type: 'int8' });
  assert.deepEqual(Array.from(perTensor.scales), [Math.fround(2 / 127)]);
  const perColumn = quantizeWeight(w, { type: 'int8', reduceRange: true, perColumnOf: 3 });
  assert.deepEqual(Array.from(perColumn.scales), [1 / 64, 2 / 64, 1]);
  assert.deepEqual(Array.from(perColumn.zeroPoints), [0, 0, 0]);
  assert.deepEqual(Array.from(perColumn.data), [-64, 16, 0, 16, 64, 0]);
  for (const options of [{ type: 'uint8' as const }, { type: 'uint8' as const, reduceRange: true, perColumnOf: 3 }]) {
    const q = quantizeWeight(w, options);
    const cols = q.scales.length;
    const qmax = options.reduceRange ? 127 : 255;
    w.forEach((x, i) => {
      const c = i % cols;
      assert.ok(q.data[i]! <= qmax, `${q.data[i]} above ${qmax}`);
      assert.ok(Math.abs((q.data[i]! - q.zeroPoints[c]!) * q.scales[c]! - x) <= q.scales[c]! / 2 + 1e-7, `value ${x}`);
      if (x === 0) assert.equal(q.data[i], q.zeroPoints[c], '0 maps to the zero point exactly');
    });
  }
});
