export interface Summary {
  n: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

export function summarize(values: number[]): Summary {
  if (!values.length) return { n: 0, p50: NaN, p99: NaN, max: NaN, mean: NaN };
  const v = Float64Array.from(values).sort();
  const at = (q: number) => v[Math.min(v.length - 1, Math.ceil(q * v.length) - 1)]!;
  let sum = 0;
  for (const x of v) sum += x;
  return { n: v.length, p50: at(0.5), p99: at(0.99), max: v[v.length - 1]!, mean: sum / v.length };
}
