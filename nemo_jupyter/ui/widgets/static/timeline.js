// TimelineWidget: the draft's tracks over a time ruler (see nemoDrawTimeline in _common.js).
// Editable (the widget is bound to a conversation): drag a bar to move it, its edges to change its
// start or end; double-click (or Enter on) a text to edit it in place; Delete removes the focused
// bar; Ctrl+Z or the Undo button goes back a version. Every bar is focusable and the arrow keys do
// what the mouse does. Each edit goes to the kernel as {type: "edit", ops: [...]}; the kernel
// answers with the new timeline (a new draft version) and the change in words.
const NEMO_SNAP_MS = 100;
const NEMO_KEY_IDLE_MS = 700;
const NEMO_TEXT_KINDS = ["title", "caption", "text"];

export default {
  render({ model, el }) {
    const root = nemoEl("div", "nemo-root nemo-tl-wrap");
    el.appendChild(root);
    const board = nemoEl("div");
    const bar = nemoEl("div", "nemo-tl-toolbar");
    const undo = nemoEl("button", "nemo-btn nemo-btn-small nemo-tl-undo", "↶ Undo");
    undo.title = "Back to the version before this edit (Ctrl+Z)";
    const change = nemoEl("span", "nemo-tl-change");
    change.setAttribute("role", "status");
    change.setAttribute("aria-live", "polite");
    bar.append(undo, change);
    const hint = nemoEl("div", "nemo-tl-hint");
    const error = nemoEl("div", "nemo-tl-error");
    error.setAttribute("role", "alert");
    root.append(board, bar, error, hint);
    undo.addEventListener("click", () => model.send({ type: "undo" }));

    const total = () => Math.max(Number((model.get("timeline") || {}).duration) || 0, 1);
    const snap = (ms) => Math.round(ms / NEMO_SNAP_MS) * NEMO_SNAP_MS;
    const place = (s, start, end) => {
      s.style.left = (100 * start) / total() + "%";
      s.style.width = Math.max((100 * (end - start)) / total(), 0.5) + "%";
    };
    const describe = (s, start, end) => {
      const seg = s._nemoSeg || {};
      s.setAttribute("aria-label", (seg.kind || "segment") + " " + (seg.label || "") + ", " + nemoSecs(start) +
        " to " + nemoSecs(end));
    };
    const send = (ops) => {
      if (!ops.length) return;
      root.dataset.pending = "true";
      model.send({ type: "edit", ops });
    };
    const timeOp = (s, start, end) => ({ op: "time", row: Number(s.dataset.row), start: start / 1000, end: end / 1000 });

    // -- the mouse: drag a bar or one of its edges ------------------------------------------
    const drag = (s, mode, ev) => {
      const seg = s._nemoSeg;
      const lane = s.parentElement;
      const width = lane.getBoundingClientRect().width || 1;
      const x0 = ev.clientX;
      const start0 = Number(seg.start) || 0;
      const end0 = Number(seg.end) || 0;
      let start = start0;
      let end = end0;
      s.setPointerCapture(ev.pointerId);
      s.classList.add("nemo-tl-dragging");
      const move = (e) => {
        const dms = ((e.clientX - x0) / width) * total();
        if (mode === "move") {
          const len = end0 - start0;
          start = Math.min(Math.max(snap(start0 + dms), 0), Math.max(total() - len, 0));
          end = start + len;
        } else if (mode === "start") {
          start = Math.min(Math.max(snap(start0 + dms), 0), end0 - NEMO_SNAP_MS);
        } else {
          end = Math.max(Math.min(snap(end0 + dms), total()), start0 + NEMO_SNAP_MS);
        }
        place(s, start, end);
        s.title = nemoSecs(start) + " → " + nemoSecs(end);
      };
      const up = () => {
        s.removeEventListener("pointermove", move);
        s.removeEventListener("pointerup", up);
        s.removeEventListener("pointercancel", up);
        s.classList.remove("nemo-tl-dragging");
        if (Math.abs(start - start0) >= 1 || Math.abs(end - end0) >= 1) send([timeOp(s, start, end)]);
      };
      s.addEventListener("pointermove", move);
      s.addEventListener("pointerup", up);
      s.addEventListener("pointercancel", up);
    };

    // -- text in place --------------------------------------------------------------------
    const editText = (s) => {
      const seg = s._nemoSeg;
      if (!NEMO_TEXT_KINDS.includes(seg.kind) || s.querySelector("input")) return;
      const input = nemoEl("input", "nemo-tl-textedit");
      input.type = "text";
      input.value = seg.text || seg.label || "";
      input.setAttribute("aria-label", "New text of this " + seg.kind);
      const label = s.querySelector(".nemo-tl-seglabel");
      label.style.display = "none";
      s.appendChild(input);
      input.focus();
      input.select();
      let done = false;
      const finish = (keep) => {
        if (done) return;
        done = true;
        const text = input.value.trim();
        input.remove();
        label.style.display = "";
        s.focus();
        if (keep && text && text !== (seg.text || seg.label)) {
          label.textContent = text;
          send([{ op: "text", row: Number(s.dataset.row), text }]);
        }
      };
      input.addEventListener("keydown", (e) => {
        e.stopPropagation();
        if (e.key === "Enter") finish(true);
        else if (e.key === "Escape") finish(false);
      });
      input.addEventListener("blur", () => finish(true));
      input.addEventListener("pointerdown", (e) => e.stopPropagation());
    };

    // -- the keyboard: the same edits, sent once the keys rest ------------------------------
    const pending = new Map(); // row -> {s, start, end}
    let keyTimer = null;
    const flushKeys = () => {
      keyTimer = null;
      const ops = [...pending.values()].map((p) => timeOp(p.s, p.start, p.end));
      pending.clear();
      send(ops);
    };
    const keys = (s, ev) => {
      const seg = s._nemoSeg;
      const row = Number(s.dataset.row);
      if ((ev.ctrlKey || ev.metaKey) && ev.key.toLowerCase() === "z") {
        ev.preventDefault();
        model.send({ type: "undo" });
        return;
      }
      if (ev.key === "Delete" || ev.key === "Backspace") {
        ev.preventDefault();
        send([{ op: "delete", row }]);
        return;
      }
      if (ev.key === "Enter" || ev.key === "F2") {
        ev.preventDefault();
        editText(s);
        return;
      }
      if (ev.key !== "ArrowLeft" && ev.key !== "ArrowRight") return;
      ev.preventDefault();
      const cur = pending.get(row) || { s, start: Number(seg.start) || 0, end: Number(seg.end) || 0 };
      const step = (ev.key === "ArrowLeft" ? -1 : 1) * (ev.shiftKey && !ev.altKey ? 1000 : 500);
      if (ev.altKey && ev.shiftKey) cur.end = Math.max(Math.min(cur.end + step, total()), cur.start + NEMO_SNAP_MS);
      else if (ev.altKey) cur.start = Math.min(Math.max(cur.start + step, 0), cur.end - NEMO_SNAP_MS);
      else {
        const len = cur.end - cur.start;
        cur.start = Math.min(Math.max(cur.start + step, 0), Math.max(total() - len, 0));
        cur.end = cur.start + len;
      }
      pending.set(row, cur);
      place(s, cur.start, cur.end);
      describe(s, cur.start, cur.end);
      clearTimeout(keyTimer);
      keyTimer = setTimeout(flushKeys, NEMO_KEY_IDLE_MS);
    };

    const enhance = () => {
      for (const s of board.querySelectorAll(".nemo-tl-seg")) {
        const seg = s._nemoSeg;
        if (!seg || s.dataset.row === undefined) continue;
        s.tabIndex = 0;
        s.setAttribute("role", "button");
        // a focused bar takes its own keys: the notebook's command-mode shortcuts (arrows, Delete,
        // Ctrl+Z) stop here (Lumino reads this attribute on the way up from the event's target)
        s.dataset.lmSuppressShortcuts = "true";
        s.classList.add("nemo-tl-editable");
        describe(s, Number(seg.start) || 0, Number(seg.end) || 0);
        const left = nemoEl("span", "nemo-tl-handle nemo-tl-handle-start");
        const right = nemoEl("span", "nemo-tl-handle nemo-tl-handle-end");
        left.title = "Drag to change when it starts";
        right.title = "Drag to change when it ends";
        s.append(left, right);
        s.addEventListener("pointerdown", (ev) => {
          if (ev.button !== 0) return;
          ev.preventDefault();
          s.focus();
          drag(s, ev.target === left ? "start" : ev.target === right ? "end" : "move", ev);
        });
        s.addEventListener("dblclick", () => editText(s));
        s.addEventListener("keydown", (ev) => keys(s, ev));
      }
    };

    const draw = () => {
      const focused = document.activeElement && board.contains(document.activeElement)
        ? document.activeElement.dataset.row : undefined;
      nemoDrawTimeline(board, model.get("timeline"));
      root.dataset.editable = model.get("editable") ? "true" : "false";
      if (model.get("editable")) {
        enhance();
        if (focused !== undefined) {
          const again = board.querySelector('.nemo-tl-seg[data-row="' + focused + '"]');
          if (again) again.focus();
        }
      }
      root.dataset.pending = "false";
    };
    const status = () => {
      const editable = Boolean(model.get("editable"));
      bar.style.display = editable ? "" : "none";
      hint.style.display = editable && model.get("how") ? "" : "none";
      hint.textContent = model.get("how") || "";
      change.textContent = model.get("change") || "";
      const err = model.get("error") || "";
      error.textContent = err;
      error.style.display = err ? "" : "none";
      if (err) root.dataset.pending = "false";
      undo.disabled = Boolean(model.get("busy"));
      root.dataset.busy = model.get("busy") ? "true" : "false";
    };
    draw();
    status();
    const traits = ["change:timeline", "change:editable"];
    const others = ["change:change", "change:error", "change:busy", "change:how", "change:editable"];
    for (const t of traits) model.on(t, draw);
    for (const t of others) model.on(t, status);
    const snapshot = nemoSnapshotKeeper(model);
    return () => {
      snapshot();
      clearTimeout(keyTimer);
      for (const t of traits) model.off(t, draw);
      for (const t of others) model.off(t, status);
    };
  },
};
