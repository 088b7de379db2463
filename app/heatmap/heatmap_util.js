// Pure helpers of the canvas heatmap (payload decoding, colours, number formatting); app/heatmap/component.py
// loads this file before heatmap.js, as one module.

const LUT_SIZE = 256;

function decode(bytes) {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const view = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  const n = view.getUint32(4, true);
  const header = JSON.parse(new TextDecoder().decode(u8.subarray(8, 8 + n)));
  let start = 8 + n + ((8 + n) % 2);
  const body = u8.slice(start); // a copy: aligned for Uint16Array
  const cells = header.dtype === "u16" ? new Uint16Array(body.buffer, 0, body.byteLength >> 1) : body;
  return { h: header, cells };
}

function hexToRgb(hex) {
  const v = parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

// 256 colours along the scale's stops
function colourTable(stops) {
  const out = new Array(LUT_SIZE);
  const rgb = stops.map((s) => [s[0], hexToRgb(s[1])]);
  for (let i = 0; i < LUT_SIZE; i++) {
    const t = i / (LUT_SIZE - 1);
    let k = 1;
    while (k < rgb.length - 1 && rgb[k][0] < t) k++;
    const [p0, c0] = rgb[k - 1];
    const [p1, c1] = rgb[k];
    const f = p1 > p0 ? Math.min(1, Math.max(0, (t - p0) / (p1 - p0))) : 0;
    out[i] = [0, 1, 2].map((j) => Math.round(c0[j] + f * (c1[j] - c0[j])));
  }
  return out;
}

// code q -> packed RGBA (little-endian ImageData words)
function codeTable(h, colours) {
  const size = h.dtype === "u16" ? 65536 : 256;
  const lut = new Uint32Array(size);
  const span = h.zmax > h.zmin ? h.zmax - h.zmin : 1;
  for (let q = 0; q < size; q++) {
    if (q === h.missing) {
      lut[q] = 0; // transparent: the page shows through
      continue;
    }
    const v = (h.base + q) * h.step;
    const t = Math.min(1, Math.max(0, (v - h.zmin) / span));
    const c = colours[Math.round(t * (LUT_SIZE - 1))];
    lut[q] = (255 << 24) | (c[2] << 16) | (c[1] << 8) | c[0];
  }
  return lut;
}

function formatValue(h, q) {
  if (q === h.missing) return "–";
  if (h.decimals === null || h.decimals === undefined) return ((h.base + q) * h.step).toFixed(2);
  const n = Math.round(h.base) + q;
  const d = h.decimals;
  if (d <= 0) return String(n * Math.pow(10, -d));
  const p = Math.pow(10, d);
  const a = Math.abs(n);
  const frac = String(a % p).padStart(d, "0");
  return (n < 0 ? "-" : "") + Math.floor(a / p) + "." + frac;
}

function labelStep(n, lengthPx, fontPx) {
  const fits = Math.max(1, Math.floor(lengthPx / (fontPx + 4)));
  return Math.max(1, Math.ceil(n / fits));
}

function niceTicks(lo, hi, count) {
  const span = hi - lo;
  if (!(span > 0)) return [lo];
  const raw = span / count;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) || raw;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(+v.toFixed(10));
  return out;
}

function el(tag, cls, parent) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (parent) parent.appendChild(e);
  return e;
}

