// The canvas heatmap's input: mouse (hover, drag to zoom, click), keyboard, buttons, as methods of Heatmap.
// Loaded after heatmap_util.js and heatmap.js into the same module (see app/heatmap/component.py: JS_FILES).

Object.assign(Heatmap.prototype, {
  click(m) {
    if (this.h.clickable && m) this.send({ panel: m.panel, row: m.row, col: m.col });
  },

  downloadPng() {
    this.canvas.toBlob((blob) => {
      if (!blob) return;
      const a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = this.h.file_name || "heatmap.png";
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 10000);
    }, "image/png");
  },

  key(ev) {
    const h = this.h;
    const [r0, r1, c0, c1] = this.view;
    const m = this.hover || { panel: 0, row: r0, col: c0 };
    const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    if (ev.key in moves) {
      const [dr, dc] = moves[ev.key];
      let { panel, row, col } = m;
      if (h.show_labels) {
        row = Math.min(r1 - 1, Math.max(r0, row + dr));
        col = Math.min(c1 - 1, Math.max(c0, col + dc));
      } else {
        const [gr, gc] = h.grid;
        const i = Math.min(gr - 1, Math.max(0, Math.floor(panel / gc) + dr));
        const j = Math.min(gc - 1, Math.max(0, (panel % gc) + dc));
        panel = i * gc + j;
      }
      const next = { panel, row, col };
      const [x, y, w, bh] = this.boxes[panel];
      const px = h.show_labels ? x + ((col - c0 + 0.5) * w) / (c1 - c0) : x + w / 2;
      const py = h.show_labels ? y + ((row - r0 + 0.5) * bh) / (r1 - r0) : y + bh / 2;
      this.setHover(next, px, py);
      ev.preventDefault();
    } else if (ev.key === "Enter" || ev.key === " ") {
      this.click(m);
      ev.preventDefault();
    } else if (ev.key === "Escape") {
      this.resetZoom();
    }
  },

  listen() {
    const c = this.canvas;
    const ac = new AbortController();
    const opt = { signal: ac.signal };
    this.abort = () => ac.abort();
    c.addEventListener(
      "pointerdown",
      (ev) => {
        if (ev.button !== 0) return;
        const [x, y] = this.point(ev);
        this.drag = { x0: x, y0: y, x1: x, y1: y, moved: false, start: this.locate(x, y) };
        c.setPointerCapture(ev.pointerId);
      },
      opt,
    );
    c.addEventListener(
      "pointermove",
      (ev) => {
        const [x, y] = this.point(ev);
        if (this.drag) {
          const d = this.drag;
          d.x1 = x;
          d.y1 = y;
          if (this.h.zoomable && Math.hypot(x - d.x0, y - d.y0) > 5) d.moved = true;
          if (d.moved) {
            this.tip.style.display = "none";
            this.drawOverlay();
            return;
          }
        }
        this.setHover(this.locate(x, y), x, y);
      },
      opt,
    );
    c.addEventListener(
      "pointerup",
      (ev) => {
        const d = this.drag;
        this.drag = null;
        if (!d) return;
        const [x, y] = this.point(ev);
        if (d.moved) {
          const end = this.locate(Math.min(Math.max(x, 0), this.width), Math.min(Math.max(y, 0), this.height));
          this.zoomTo(d.start, end || d.start);
          this.drawOverlay();
        } else if (ev.detail < 2) {
          this.click(this.locate(x, y));
        }
      },
      opt,
    );
    c.addEventListener(
      "pointerleave",
      () => {
        if (!this.drag) this.setHover(null, 0, 0);
      },
      opt,
    );
    c.addEventListener("dblclick", () => this.h.zoomable && this.resetZoom(), opt);
    c.addEventListener("keydown", (ev) => this.key(ev), opt);
    c.addEventListener("blur", () => this.setHover(null, 0, 0), opt);
    this.reset.addEventListener("click", () => this.resetZoom(), opt);
    this.png.addEventListener("click", () => this.downloadPng(), opt);
    this.watchColumn();
  },

  // the column can change width after the first paint (the sidebar, projector mode, a page still laying out):
  // lay out again whenever it does, so the figure is never left at the size of a narrower moment
  watchColumn() {
    const column = this.root.closest('[data-testid="stVerticalBlock"]');
    if (!column || typeof ResizeObserver === "undefined") return;
    let seen = column.clientWidth;
    this.resizer = new ResizeObserver(() => {
      if (column.clientWidth === seen) return;
      seen = column.clientWidth;
      this.layout();
      this.draw();
    });
    this.resizer.observe(column);
  },

  destroy() {
    this.abort();
    if (this.resizer) this.resizer.disconnect();
    this.root.remove();
  },
});
