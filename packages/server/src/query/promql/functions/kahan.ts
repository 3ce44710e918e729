/**
 * Compensated (Kahan–Babuška–Neumaier) summation, as Prometheus uses for sum, avg and the
 * *_over_time functions, so results match it to the last bit on long, ill-conditioned sums.
 * State lives in a caller-owned pair to avoid an object per addition: `state[0]` is the running sum,
 * `state[1]` the compensation; the sum is `state[0] + state[1]`.
 */
export function kahanAdd(state: Float64Array, increment: number): void {
  const sum = state[0];
  const total = sum + increment;
  if (total === Infinity || total === -Infinity) {
    state[1] = 0;
  } else if (Math.abs(sum) >= Math.abs(increment)) {
    state[1] += sum - total + increment;
  } else {
    state[1] += increment - total + sum;
  }
  state[0] = total;
}
