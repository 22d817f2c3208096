/**
 * Line alignment for the diff: common prefix/suffix, then patience anchors (lines unique on both
 * sides), then Myers' O(ND) algorithm inside the gaps, with an edit budget beyond which a gap is
 * written as a plain replacement. The result need not be minimal, only correct: it stays fast on
 * large or heavily rewritten files.
 */

/** Matched line pairs, ascending on both sides. */
export interface Alignment {
  a: number[];
  b: number[];
}

const MAX_EDITS = 2000;
const MAX_WORK = 20_000_000;
const MAX_DEPTH = 200;

/** Aligns two sequences of interned line ids. */
export function alignLines(a: Int32Array, b: Int32Array): Alignment {
  const out: Alignment = { a: [], b: [] };
  align(a, b, 0, a.length, 0, b.length, out, 0);
  return out;
}

function align(a: Int32Array, b: Int32Array, aLo: number, aHi: number, bLo: number, bHi: number, out: Alignment, depth: number): void {
  while (aLo < aHi && bLo < bHi && a[aLo] === b[bLo]) {
    out.a.push(aLo++);
    out.b.push(bLo++);
  }
  let aEnd = aHi;
  let bEnd = bHi;
  while (aEnd > aLo && bEnd > bLo && a[aEnd - 1] === b[bEnd - 1]) {
    aEnd--;
    bEnd--;
  }
  if (aLo < aEnd && bLo < bEnd) {
    const anchors = depth < MAX_DEPTH ? patienceAnchors(a, b, aLo, aEnd, bLo, bEnd) : undefined;
    if (anchors && anchors.length > 0) {
      let pa = aLo;
      let pb = bLo;
      for (const [ia, ib] of anchors) {
        align(a, b, pa, ia, pb, ib, out, depth + 1);
        out.a.push(ia);
        out.b.push(ib);
        pa = ia + 1;
        pb = ib + 1;
      }
      align(a, b, pa, aEnd, pb, bEnd, out, depth + 1);
    } else {
      myers(a, b, aLo, aEnd, bLo, bEnd, out);
    }
  }
  for (let i = 0; aEnd + i < aHi; i++) {
    out.a.push(aEnd + i);
    out.b.push(bEnd + i);
  }
}

/** Lines occurring exactly once on each side, longest increasing chain by position. */
function patienceAnchors(a: Int32Array, b: Int32Array, aLo: number, aHi: number, bLo: number, bHi: number): [number, number][] {
  const counts = new Map<number, { ca: number; cb: number; ia: number; ib: number }>();
  for (let i = aLo; i < aHi; i++) {
    const c = counts.get(a[i]);
    if (c) c.ca++;
    else counts.set(a[i], { ca: 1, cb: 0, ia: i, ib: -1 });
  }
  for (let i = bLo; i < bHi; i++) {
    const c = counts.get(b[i]);
    if (c) {
      c.cb++;
      c.ib = i;
    }
  }
  const pairs: [number, number][] = [];
  for (const c of counts.values()) if (c.ca === 1 && c.cb === 1) pairs.push([c.ia, c.ib]);
  if (pairs.length === 0) return pairs;
  pairs.sort((x, y) => x[0] - y[0]);
  // Longest increasing subsequence on the b positions (patience sorting).
  const tails: number[] = [];
  const prev = new Int32Array(pairs.length).fill(-1);
  for (let i = 0; i < pairs.length; i++) {
    const v = pairs[i][1];
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (pairs[tails[mid]][1] < v) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) prev[i] = tails[lo - 1];
    tails[lo] = i;
  }
  const chain: [number, number][] = [];
  for (let i = tails[tails.length - 1]; i >= 0; i = prev[i]) chain.push(pairs[i]);
  return chain.reverse();
}

/**
 * Myers' greedy algorithm on a gap. When the edit budget runs out before the end, the path that
 * got furthest is kept and the rest of the gap is aligned afresh: not minimal, but bounded work.
 */
function myers(a: Int32Array, b: Int32Array, aLo: number, aHi: number, bLo: number, bHi: number, out: Alignment): void {
  while (aLo < aHi && bLo < bHi) {
    const n = aHi - aLo;
    const m = bHi - bLo;
    const limit = Math.min(n + m, MAX_EDITS, Math.max(256, Math.floor(MAX_WORK / (n + m))));
    const trace: Int32Array[] = [];
    let endD = -1;
    let endK = 0;
    for (let d = 0; d <= limit && endD < 0; d++) {
      const v = new Int32Array(2 * d + 1);
      const prev = d > 0 ? trace[d - 1] : undefined;
      for (let k = -d; k <= d; k += 2) {
        let x: number;
        if (!prev) x = 0;
        else if (k === -d || (k !== d && prev[k - 1 + d - 1] < prev[k + 1 + d - 1])) x = prev[k + 1 + d - 1];
        else x = prev[k - 1 + d - 1] + 1;
        let y = x - k;
        while (x < n && y < m && a[aLo + x] === b[bLo + y]) {
          x++;
          y++;
        }
        v[k + d] = x;
        if (x >= n && y >= m) {
          endD = d;
          endK = k;
        }
      }
      trace.push(v);
    }
    let d = endD;
    if (d < 0) {
      // Out of budget: continue from the furthest point reached (largest x + y) within bounds.
      d = trace.length - 1;
      const last = trace[d];
      let best = -1;
      for (let k = -d; k <= d; k += 2) {
        const x = last[k + d];
        const y = x - k;
        if (x > n || y < 0 || y > m) continue;
        if (x + y > best) {
          best = x + y;
          endK = k;
        }
      }
    }
    const [x, y] = backtrack(a, b, aLo, bLo, trace, d, endK, out);
    if (endD >= 0) return;
    aLo += x;
    bLo += y;
  }
}

/** Appends the matches of the path ending on diagonal `k` after `d` edits; returns its end point. */
function backtrack(a: Int32Array, b: Int32Array, aLo: number, bLo: number, trace: Int32Array[], d: number, k: number, out: Alignment): [number, number] {
  const endX = trace[d][k + d];
  const endY = endX - k;
  const pa: number[] = [];
  const pb: number[] = [];
  let x = endX;
  let y = endY;
  for (let e = d; e > 0; e--) {
    const prev = trace[e - 1];
    const kk = x - y;
    const down = kk === -e || (kk !== e && prev[kk - 1 + e - 1] < prev[kk + 1 + e - 1]);
    const pk = down ? kk + 1 : kk - 1;
    const px = prev[pk + e - 1];
    const sx = down ? px : px + 1;
    while (x > sx) {
      x--;
      y--;
      pa.push(aLo + x);
      pb.push(bLo + y);
    }
    x = px;
    y = px - pk;
  }
  while (x > 0) {
    x--;
    y--;
    pa.push(aLo + x);
    pb.push(bLo + y);
  }
  for (let i = pa.length - 1; i >= 0; i--) {
    out.a.push(pa[i]);
    out.b.push(pb[i]);
  }
  return [endX, endY];
}
