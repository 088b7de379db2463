// Canvas heatmap for Streamlit's components v2 (app/heatmap). No dependencies, no build step.
// Data: the bytes of app/heatmap/encode.py's pack() (JSON header + uint16/uint8 cells).
// Every word shown comes from the header (the caller's i18n); labels are drawn with fillText and set as
// attributes / textContent, never parsed as HTML.

// Helpers in heatmap_util.js (loaded before this file), input handling in heatmap_events.js (after it): one module.

class Heatmap {
  constructor(parent, data, send) {
    const { h, cells } = decode(data);
    this.h = h;
    this.cells = cells;
    this.send = send;
    this.font = h.font_size || 13;
    this.view = [0, h.rows, 0, h.cols]; // r0, r1, c0, c1 (end exclusive)
    this.hover = null; // {panel, row, col}
    this.drag = null;
    this.build(parent);
    this.offscreen = this.paintPanels();
    this.layout();
    this.draw();
  }

  build(parent) {
    const h = this.h;
    const root = el("div", "bv-hm-root", parent);
    root.setAttribute("data-testid", "bv-heatmap-root");
    root.dataset.rows = String(h.rows);
    root.dataset.cols = String(h.cols);
    root.dataset.xLabels = JSON.stringify(h.x_labels);
    root.dataset.yLabels = JSON.stringify(h.y_labels);
    root.dataset.panels = String(h.panels);
    root.dataset.grid = JSON.stringify(h.grid);
    root.dataset.panelTitles = JSON.stringify(h.panel_titles || []);
    root.dataset.title = h.title || "";
    // every word the heatmap shows besides the token labels (tests check a language's words are all there)
    const words = [h.title, h.row_title, h.col_title, h.value_label, h.colorbar_title, h.hover_note];
    words.push(h.words.reset, h.words.download_png, h.words.keys_help);
    root.dataset.words = JSON.stringify(
      words.concat(h.grid_col_headers || [], h.grid_row_headers || [], h.panel_titles || []).filter(Boolean),
    );
    root.style.fontSize = this.font + "px";
    const stack = el("div", "bv-hm-stack", root);
    const canvas = el("canvas", "bv-hm-canvas", stack);
    canvas.setAttribute("data-testid", "bv-heatmap");
    canvas.tabIndex = 0;
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", [h.title, h.words.keys_help].filter(Boolean).join(". "));
    if (h.clickable) canvas.classList.add("bv-hm-clickable");
    const overlay = el("canvas", "bv-hm-overlay", stack);
    const tip = el("div", "bv-hm-tooltip", stack);
    tip.setAttribute("data-testid", "bv-heatmap-tooltip");
    tip.setAttribute("role", "tooltip");
    const sr = el("div", "bv-hm-sr", root);
    sr.setAttribute("aria-live", "polite");
    sr.setAttribute("data-testid", "bv-heatmap-text");
    const bar = el("div", "bv-hm-bar", root);
    const reset = el("button", "", bar);
    reset.type = "button";
    reset.textContent = h.words.reset;
    reset.hidden = true;
    reset.setAttribute("data-testid", "bv-heatmap-reset");
    const png = el("button", "", bar);
    png.type = "button";
    png.textContent = h.words.download_png;
    png.setAttribute("data-testid", "bv-heatmap-png");
    Object.assign(this, { root, canvas, overlay, tip, sr, reset, png });
    this.listen();
  }

  // one offscreen canvas per panel, one pixel per cell
  paintPanels() {
    const h = this.h;
    this.colours = colourTable(h.colors);
    const lut = codeTable(h, this.colours);
    const n = h.rows * h.cols;
    const out = [];
    for (let p = 0; p < h.panels; p++) {
      const off = document.createElement("canvas");
      off.width = h.cols;
      off.height = h.rows;
      const ctx = off.getContext("2d");
      const img = ctx.createImageData(h.cols, h.rows);
      const words = new Uint32Array(img.data.buffer);
      const cells = this.cells.subarray(p * n, (p + 1) * n);
      for (let i = 0; i < n; i++) words[i] = lut[cells[i]];
      ctx.putImageData(img, 0, 0);
      out.push(off);
    }
    return out;
  }

  layout() {
    const h = this.h;
    const f = this.font;
    const ctx = this.canvas.getContext("2d");
    const side = h.plot_px;
    const cell = side / Math.max(h.rows, h.cols);
    const pw = h.cols * cell;
    const ph = h.rows * cell;
    const gap = h.panels > 1 ? h.gap_px : 0;
    const titleRow = h.title_each ? f * 1.6 : 0; // each panel's own title above it (Panels.title_each)
    const tickF = this.tickFont(Math.max(h.rows, h.cols), side);
    this.tickF = tickF;
    ctx.font = `${tickF}px ${getComputedStyle(this.root).fontFamily}`;
    const widest = (labels) => labels.reduce((m, s) => Math.max(m, ctx.measureText(s).width), 0);
    let left = 6;
    let bottom = 6;
    if (h.show_labels) {
      const ly = Math.min(200, widest(h.y_labels)) + 8;
      const lx = Math.min(200, widest(h.x_labels));
      left += ly + (h.row_title ? f * 1.5 : 0);
      bottom += lx * 0.87 + tickF * 0.6 + 8 + (h.col_title ? f * 1.5 : 0);
    }
    ctx.font = `${f}px ${getComputedStyle(this.root).fontFamily}`;
    if (h.grid_row_headers) left += widest(h.grid_row_headers) + 10;
    let top = h.title ? f * 2 : 6;
    const colHeads = h.grid_col_headers ? h.grid_col_headers : null;
    if (colHeads) top += f * 1.6;
    top += titleRow;
    let right = 10;
    if (h.colorbar_title !== null) {
      const ticks = niceTicks(h.zmin, h.zmax, 5).map((v) => String(v));
      right = 20 + 14 + 6 + Math.max(widest(ticks), 0) + 8;
      right = Math.max(right, widest([h.colorbar_title]) - 10);
    }
    const [gr, gc] = h.grid;
    const boxes = [];
    for (let p = 0; p < h.panels; p++) {
      const i = Math.floor(p / gc);
      const j = p % gc;
      boxes.push([left + j * (pw + gap), top + i * (ph + gap + titleRow), pw, ph]);
    }
    const width = Math.ceil(left + gc * pw + (gc - 1) * gap + right);
    const height = Math.ceil(top + gr * ph + (gr - 1) * (gap + titleRow) + bottom);
    Object.assign(this, { boxes, width, height, pw, ph, left, top, titleRow });
    // narrower column than the figure (a small window): the whole canvas scaled down, never cut off
    const column = this.root.closest('[data-testid="stVerticalBlock"]');
    const avail = column ? column.clientWidth : 0;
    this.scale = avail > 100 && avail < width ? avail / width : 1;
    const dpr = (window.devicePixelRatio || 1) * Math.max(1, 1 / this.scale);
    for (const c of [this.canvas, this.overlay]) {
      c.width = Math.round(width * dpr);
      c.height = Math.round(height * dpr);
      c.style.width = width * this.scale + "px";
      c.style.height = height * this.scale + "px";
      c.getContext("2d").setTransform(dpr, 0, 0, dpr, 0, 0);
    }
    this.dpr = dpr;
    const css = (v) => Math.round(v * this.scale * 100) / 100;
    this.root.dataset.plot = JSON.stringify(boxes.map((b) => b.map(css)));
  }

  tickFont(n, side) {
    let size = n > 28 ? Math.max(7, Math.min(this.font, Math.floor((this.font * 28) / n))) : this.font;
    if (n * (size + 4) > side) size = Math.max(9, Math.min(size, Math.floor(side / n) - 4));
    return size;
  }

  draw() {
    const h = this.h;
    const ctx = this.canvas.getContext("2d");
    const family = getComputedStyle(this.root).fontFamily;
    ctx.clearRect(0, 0, this.width, this.height);
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, this.width, this.height);
    ctx.fillStyle = "#262730";
    ctx.textBaseline = "middle";
    if (h.title) {
      ctx.font = `${this.font + 2}px ${family}`;
      ctx.textAlign = "left";
      ctx.fillText(h.title, 6, this.font);
    }
    const [r0, r1, c0, c1] = this.view;
    // one cell a device pixel or more: sharp cells; fewer pixels than cells: averaged (no row or column dropped)
    ctx.imageSmoothingEnabled = Math.min(this.pw / (c1 - c0), this.ph / (r1 - r0)) * this.dpr < 1;
    ctx.imageSmoothingQuality = "high";
    this.boxes.forEach(([x, y, w, bh], p) => {
      ctx.drawImage(this.offscreen[p], c0, r0, c1 - c0, r1 - r0, x, y, w, bh);
    });
    this.drawHeaders(ctx, family);
    if (h.show_labels) this.drawLabels(ctx, family, null);
    if (h.colorbar_title !== null) this.drawColourBar(ctx, family);
    this.root.dataset.view = JSON.stringify(this.view);
    this.reset.hidden = r0 === 0 && c0 === 0 && r1 === h.rows && c1 === h.cols;
    this.root.dataset.painted = String((+this.root.dataset.painted || 0) + 1);
    window.__bvHeatmapPainted = performance.now();
    this.drawOverlay();
  }

  drawHeaders(ctx, family) {
    const h = this.h;
    ctx.font = `${this.font}px ${family}`;
    ctx.fillStyle = "#262730";
    const [gr, gc] = h.grid;
    if (h.grid_col_headers) {
      ctx.textAlign = "center";
      for (let j = 0; j < gc; j++) {
        const [x, y, w] = this.boxes[j];
        ctx.fillText(h.grid_col_headers[j], x + w / 2, y - this.titleRow - this.font * 0.8, w + h.gap_px);
      }
    }
    if (h.title_each) {
      ctx.textAlign = "center";
      this.boxes.forEach(([x, y, w], p) => {
        ctx.fillText(h.panel_titles[p] || "", x + w / 2, y - this.font * 0.8, w + h.gap_px);
      });
    }
    if (h.grid_row_headers) {
      ctx.textAlign = "right";
      for (let i = 0; i < gr; i++) {
        const [x, y, , bh] = this.boxes[i * gc];
        ctx.fillText(h.grid_row_headers[i], x - 8, y + bh / 2);
      }
    }
  }

  // thinned token labels along the left of the first column and under the last row; `mark` = hovered row/col
  drawLabels(ctx, family, mark) {
    const h = this.h;
    const [r0, r1, c0, c1] = this.view;
    const [gr, gc] = h.grid;
    const f = this.tickF;
    const rowStep = labelStep(r1 - r0, this.ph, f);
    const colStep = labelStep(c1 - c0, this.pw, f);
    const ch = this.ph / (r1 - r0);
    const cw = this.pw / (c1 - c0);
    ctx.fillStyle = "#262730";
    ctx.font = `${f}px ${family}`;
    if (!mark) {
      this.root.dataset.labelStep = JSON.stringify([rowStep, colStep]);
      this.root.dataset.tickFont = String(f);
      for (let i = 0; i < gr; i++) {
        const [x, y] = this.boxes[i * gc];
        ctx.textAlign = "right";
        for (let r = r0; r < r1; r += rowStep) ctx.fillText(h.y_labels[r], x - 6, y + (r - r0 + 0.5) * ch, 200);
      }
      for (let j = 0; j < gc; j++) {
        const [x, y, , bh] = this.boxes[(gr - 1) * gc + j];
        for (let c = c0; c < c1; c += colStep) this.xLabel(ctx, h.x_labels[c], x + (c - c0 + 0.5) * cw, y + bh + 6);
      }
      this.drawAxisTitles(ctx, family);
      return;
    }
    ctx.font = `bold ${f}px ${family}`;
    const [x0, y0] = this.boxes[0];
    const rowY = y0 + (mark.row - r0 + 0.5) * ch;
    const rw = Math.min(200, ctx.measureText(h.y_labels[mark.row]).width);
    ctx.fillStyle = "#fff3b0";
    ctx.fillRect(x0 - 8 - rw, rowY - f * 0.7, rw + 4, f * 1.4);
    ctx.fillStyle = "#b3001b";
    ctx.textAlign = "right";
    ctx.fillText(h.y_labels[mark.row], x0 - 6, rowY, 200);
    const [xb, yb, , bh] = this.boxes[(gr - 1) * gc + (mark.panel % gc)];
    this.xLabel(ctx, h.x_labels[mark.col], xb + (mark.col - c0 + 0.5) * cw, yb + bh + 6, "#fff3b0", "#b3001b");
  }

  xLabel(ctx, text, x, y, bg, fg) {
    ctx.save();
    ctx.translate(x, y);
    ctx.rotate(-Math.PI / 3);
    ctx.textAlign = "right";
    if (bg) {
      const w = Math.min(200, ctx.measureText(text).width);
      ctx.fillStyle = bg;
      ctx.fillRect(-w - 2, -this.tickF * 0.7, w + 4, this.tickF * 1.4);
      ctx.fillStyle = fg;
    }
    ctx.fillText(text, 0, 0, 200);
    ctx.restore();
  }

  drawAxisTitles(ctx, family) {
    const h = this.h;
    ctx.font = `${this.font}px ${family}`;
    ctx.fillStyle = "#262730";
    ctx.textAlign = "center";
    const [gr, gc] = h.grid;
    const midX = (this.boxes[0][0] + this.boxes[gc - 1][0] + this.pw) / 2;
    const lastY = this.boxes[(gr - 1) * gc][1] + this.ph;
    if (h.col_title) ctx.fillText(h.col_title, midX, this.height - this.font * 0.8);
    if (h.row_title) {
      ctx.save();
      ctx.translate(this.font * 0.9 + (h.grid_row_headers ? 0 : 0), (this.boxes[0][1] + lastY) / 2);
      ctx.rotate(-Math.PI / 2);
      ctx.fillText(h.row_title, 0, 0);
      ctx.restore();
    }
  }

  drawColourBar(ctx, family) {
    const h = this.h;
    const [gr, gc] = h.grid;
    const x = this.boxes[gc - 1][0] + this.pw + 20;
    const y = this.top;
    const bh = Math.min(gr * this.ph + (gr - 1) * h.gap_px, 500);
    for (let i = 0; i < bh; i++) {
      const c = this.colours[Math.round((1 - i / Math.max(1, bh - 1)) * (LUT_SIZE - 1))];
      ctx.fillStyle = `rgb(${c[0]},${c[1]},${c[2]})`;
      ctx.fillRect(x, y + i, 14, 1.5);
    }
    ctx.strokeStyle = "rgba(49,51,63,0.3)";
    ctx.strokeRect(x, y, 14, bh);
    ctx.font = `${this.tickF < this.font ? Math.max(this.tickF, 11) : this.font}px ${family}`;
    ctx.fillStyle = "#262730";
    ctx.textAlign = "left";
    const span = h.zmax > h.zmin ? h.zmax - h.zmin : 1;
    for (const v of niceTicks(h.zmin, h.zmax, 5)) {
      const ty = y + (1 - (v - h.zmin) / span) * bh;
      ctx.fillRect(x + 14, ty - 0.5, 4, 1);
      ctx.fillText(String(v), x + 20, ty);
    }
    if (h.colorbar_title) {
      ctx.textAlign = "left";
      ctx.fillText(h.colorbar_title, x - 10, y - this.font * 0.9);
    }
  }

  drawOverlay() {
    const ctx = this.overlay.getContext("2d");
    ctx.clearRect(0, 0, this.width, this.height);
    const family = getComputedStyle(this.root).fontFamily;
    const m = this.hover;
    const [r0, r1, c0, c1] = this.view;
    const ch = this.ph / (r1 - r0);
    const cw = this.pw / (c1 - c0);
    if (m) {
      const [x, y, w, bh] = this.boxes[m.panel];
      ctx.strokeStyle = "rgba(179,0,27,0.55)";
      ctx.lineWidth = 1;
      if (this.h.show_labels) {
        ctx.strokeRect(x, y + (m.row - r0) * ch, w, ch); // the hovered row
        ctx.strokeRect(x + (m.col - c0) * cw, y, cw, bh); // and column
        this.drawLabels(ctx, family, m);
      } else {
        ctx.lineWidth = 2;
        ctx.strokeStyle = "#b3001b";
        ctx.strokeRect(x - 1, y - 1, w + 2, bh + 2); // the hovered thumbnail
      }
    }
    if (this.drag && this.drag.moved) {
      const d = this.drag;
      ctx.fillStyle = "rgba(28,131,225,0.15)";
      ctx.strokeStyle = "#1c83e1";
      ctx.lineWidth = 1;
      const x = Math.min(d.x0, d.x1);
      const y = Math.min(d.y0, d.y1);
      ctx.fillRect(x, y, Math.abs(d.x1 - d.x0), Math.abs(d.y1 - d.y0));
      ctx.strokeRect(x, y, Math.abs(d.x1 - d.x0), Math.abs(d.y1 - d.y0));
    }
  }

  // canvas CSS px -> {panel, row, col} or null
  locate(px, py) {
    const [r0, r1, c0, c1] = this.view;
    for (let p = 0; p < this.boxes.length; p++) {
      const [x, y, w, bh] = this.boxes[p];
      if (px >= x && px < x + w && py >= y && py < y + bh) {
        const row = r0 + Math.min(r1 - r0 - 1, Math.floor(((py - y) / bh) * (r1 - r0)));
        const col = c0 + Math.min(c1 - c0 - 1, Math.floor(((px - x) / w) * (c1 - c0)));
        return { panel: p, row, col };
      }
    }
    return null;
  }

  point(ev) {
    const r = this.canvas.getBoundingClientRect();
    const s = r.width > 0 ? this.width / r.width : 1;
    return [(ev.clientX - r.left) * s, (ev.clientY - r.top) * s];
  }

  value(m) {
    const n = this.h.rows * this.h.cols;
    return this.cells[m.panel * n + m.row * this.h.cols + m.col];
  }

  showTip(m, px, py) {
    const h = this.h;
    if (!m) {
      this.tip.style.display = "none";
      return;
    }
    const lines = [];
    if (h.panels > 1 && h.panel_titles) lines.push(h.panel_titles[m.panel]);
    if (h.show_labels) lines.push(`${h.y_labels[m.row]} → ${h.x_labels[m.col]}`);
    if (h.show_values) lines.push(`${h.value_label} ${formatValue(h, this.value(m))}`);
    if (h.hover_note) lines.push(h.hover_note);
    this.tip.textContent = lines.join("\n");
    this.tip.style.display = "block";
    const tw = this.tip.offsetWidth;
    const [x, y] = [px * this.scale, py * this.scale];
    const left = x + 14 + tw > this.width * this.scale ? Math.max(0, x - 14 - tw) : x + 14;
    this.tip.style.left = left + "px";
    this.tip.style.top = y + 14 + "px";
  }

  // text alternative: the hovered row's strongest columns
  speak(m) {
    const h = this.h;
    if (!m || !h.show_labels || !h.show_values || !h.words.topk) return;
    if (this.spoken && this.spoken.panel === m.panel && this.spoken.row === m.row) return;
    this.spoken = m;
    const n = h.rows * h.cols;
    const start = m.panel * n + m.row * h.cols;
    const idx = [];
    for (let c = 0; c < h.cols; c++) if (this.cells[start + c] !== h.missing) idx.push(c);
    idx.sort((a, b) => this.cells[start + b] - this.cells[start + a]);
    const top = idx.slice(0, 3).map((c) => `${h.x_labels[c]} ${formatValue(h, this.cells[start + c])}`);
    this.sr.textContent = h.words.topk.replace("{row}", h.y_labels[m.row]).replace("{keys}", top.join(", "));
  }

  setHover(m, px, py) {
    const same = m && this.hover && m.panel === this.hover.panel && m.row === this.hover.row && m.col === this.hover.col;
    this.hover = m;
    if (!same) this.drawOverlay();
    this.showTip(m, px, py);
    this.speak(m);
  }

  zoomTo(a, b) {
    const h = this.h;
    if (!h.zoomable || !a || !b || a.panel !== b.panel) return;
    const rr = [Math.min(a.row, b.row), Math.max(a.row, b.row) + 1];
    const cc = [Math.min(a.col, b.col), Math.max(a.col, b.col) + 1];
    if (rr[1] - rr[0] < 2 && cc[1] - cc[0] < 2) return;
    this.view = [rr[0], rr[1], cc[0], cc[1]];
    this.hover = null;
    this.draw();
  }

  resetZoom() {
    const h = this.h;
    this.view = [0, h.rows, 0, h.cols];
    this.hover = null;
    this.tip.style.display = "none";
    this.draw();
  }
}

// Streamlit calls this again with each new payload, not always after the previous call's cleanup: the heatmap
// already in this element is replaced here
const mounted = new WeakMap();

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  const old = mounted.get(parentElement);
  if (old) old.destroy();
  parentElement.querySelectorAll(":scope > .bv-hm-root").forEach((el) => el.remove());
  if (!data) return undefined;
  const hm = new Heatmap(parentElement, data, (v) => setTriggerValue("click", v));
  mounted.set(parentElement, hm);
  return () => {
    hm.destroy();
    if (mounted.get(parentElement) === hm) mounted.delete(parentElement);
  };
}
