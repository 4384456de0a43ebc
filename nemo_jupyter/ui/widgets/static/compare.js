// CompareWidget: a grid that helps choose. One column per take (prompt, status, player,
// timeline, what differs from the others, star and note), a bar to play, pause and scrub
// every player together, Cancel, Export, and a blind mode (shuffled, unnamed takes, each
// person's ranking sent to the kernel, names revealed at the end).
// Every backend text is placed with textContent (nemoEl / nemoRenderText): no raw HTML.

const NEMO_STATUS_LABELS = {
  waiting: "waiting…",
  drafting: "drafting…",
  queued: "queued",
  rendering: "rendering…",
  done: "done",
  error: "failed",
  cancelled: "cancelled",
};
const NEMO_RUNNING = ["waiting", "drafting", "queued", "rendering"];

function nemoFmtClock(t) {
  const s = Math.max(0, Number(t) || 0);
  return Math.floor(s / 60) + ":" + (s % 60).toFixed(1).padStart(4, "0");
}

// Keeps several <video> elements on one clock: the longest one leads, the others follow.
// They start together (all seeked and ready, then play() in one go); drift is corrected by a
// playback-rate nudge (up to ±25 %), and only a large gap (> 0.5 s) by a seek.
function nemoReady(v, timeoutMs) {
  return new Promise((resolve) => {
    const ok = () => !v.seeking && v.readyState >= 3;
    if (ok()) return resolve(true);
    const done = () => {
      if (!ok()) return;
      clearTimeout(timer);
      v.removeEventListener("seeked", done);
      v.removeEventListener("canplay", done);
      resolve(true);
    };
    const timer = setTimeout(() => {
      v.removeEventListener("seeked", done);
      v.removeEventListener("canplay", done);
      resolve(false);
    }, timeoutMs);
    v.addEventListener("seeked", done);
    v.addEventListener("canplay", done);
  });
}

function nemoSyncGroup(getVideos, onTick) {
  let playing = false;
  let timer = null;
  const leader = () => {
    let best = null;
    for (const v of getVideos()) if (!best || (v.duration || 0) > (best.duration || 0)) best = v;
    return best;
  };
  const tick = () => {
    const lead = leader();
    if (!lead) return;
    const t = lead.currentTime;
    for (const v of getVideos()) {
      if (v === lead || v.seeking) continue;
      const dur = v.duration || 0;
      if (t >= dur - 0.05) {
        if (!v.paused) v.pause();
        continue;
      }
      if (!playing) continue;
      if (v.paused) v.play().catch(() => {});
      const off = t - v.currentTime;
      if (Math.abs(off) > 0.5) {
        v.currentTime = t + 0.05;
        v.playbackRate = 1;
      } else {
        v.playbackRate = 1 + Math.max(-0.25, Math.min(0.25, off * 1.5));
      }
    }
    onTick(t, lead.duration || 0);
    if (playing && lead.ended) stop(false);
  };
  const stop = (pause) => {
    playing = false;
    if (timer) clearInterval(timer);
    timer = null;
    for (const v of getVideos()) {
      if (pause) v.pause();
      v.playbackRate = 1;
    }
    tick();
  };
  return {
    get playing() {
      return playing;
    },
    async play() {
      const vids = getVideos();
      if (!vids.length) return;
      const lead = leader();
      const t = lead.ended || lead.currentTime >= (lead.duration || 0) - 0.05 ? 0 : lead.currentTime;
      for (const v of vids) {
        v.pause();
        v.playbackRate = 1;
        v.currentTime = Math.min(t, Math.max((v.duration || 0) - 0.05, 0));
      }
      await Promise.all(vids.map((v) => nemoReady(v, 4000)));
      await Promise.all(vids.map((v) => v.play().catch(() => {})));
      playing = true;
      if (timer) clearInterval(timer);
      timer = setInterval(tick, 100);
    },
    pause() {
      stop(true);
    },
    seek(t) {
      for (const v of getVideos()) v.currentTime = Math.min(t, Math.max((v.duration || 0) - 0.01, 0));
      onTick(t, (leader() || {}).duration || 0);
    },
    tick,
    dispose() {
      if (timer) clearInterval(timer);
    },
  };
}

export default {
  render({ model, el }) {
    const root = nemoEl("div", "nemo-root nemo-cmp-wrap");
    root.dataset.highlight = "true";

    // -- the bar: play / pause / scrub everything, highlight, cancel, export -------------------
    const bar = nemoEl("div", "nemo-cmp-bar");
    const playAll = nemoEl("button", "nemo-btn nemo-btn-primary nemo-cmp-playall", "▶ Play all");
    const pauseAll = nemoEl("button", "nemo-btn nemo-cmp-pauseall", "❚❚ Pause all");
    const scrub = nemoEl("input", "nemo-cmp-scrub");
    scrub.type = "range";
    scrub.min = "0";
    scrub.max = "1";
    scrub.step = "0.01";
    scrub.value = "0";
    scrub.setAttribute("aria-label", "Position in every video");
    const clock = nemoEl("span", "nemo-cmp-clock", "0:00.0");
    const hlLabel = nemoEl("label", "nemo-cmp-toggle");
    const hl = nemoEl("input");
    hl.type = "checkbox";
    hl.checked = true;
    hl.className = "nemo-cmp-highlight";
    hlLabel.append(hl, document.createTextNode("Highlight differences"));
    const cancel = nemoEl("button", "nemo-btn nemo-btn-danger nemo-cmp-cancel", "Cancel");
    const exportBtn = nemoEl("button", "nemo-btn nemo-cmp-export", "Export results");
    bar.append(playAll, pauseAll, scrub, clock, hlLabel, cancel, exportBtn);

    const grid = nemoEl("div", "nemo-cmp");
    const summary = nemoEl("div", "nemo-cmp-summary");
    const exported = nemoEl("div", "nemo-cmp-exported");
    const blind = nemoEl("div", "nemo-cmp-blind");
    const tally = nemoEl("div", "nemo-cmp-tallybox");
    root.append(bar, grid, summary, exported, blind, tally);
    el.appendChild(root);
    const views = [];

    const videos = () =>
      views.map((v) => v.player.querySelector("video")).filter((v) => v && v.readyState >= 1 && v.duration > 0);
    let dragging = false;
    const sync = nemoSyncGroup(videos, (t, dur) => {
      if (dur) scrub.max = String(dur);
      if (!dragging) scrub.value = String(t);
      clock.textContent = nemoFmtClock(t) + " / " + nemoFmtClock(dur);
    });
    playAll.addEventListener("click", () => sync.play());
    pauseAll.addEventListener("click", () => sync.pause());
    scrub.addEventListener("input", () => {
      dragging = true;
      sync.seek(Number(scrub.value));
    });
    scrub.addEventListener("change", () => {
      dragging = false;
    });
    hl.addEventListener("change", () => {
      root.dataset.highlight = hl.checked ? "true" : "false";
    });
    cancel.addEventListener("click", () => model.send({ type: "cancel" }));
    exportBtn.addEventListener("click", () => model.send({ type: "export" }));

    // -- one column ----------------------------------------------------------------------------
    const makeColumn = (i) => {
      const col = nemoEl("div", "nemo-cmp-col");
      col.dataset.column = String(i);
      const head = nemoEl("div", "nemo-cmp-head");
      const name = nemoEl("span", "nemo-cmp-name");
      const badge = nemoEl("span", "nemo-badge");
      head.append(name, badge);
      const prompt = nemoEl("div", "nemo-cmp-prompt");
      const meta = nemoEl("div", "nemo-cmp-meta");
      const statusBox = nemoEl("div");
      const status = nemoEl("div", "nemo-cmp-status");
      const progress = nemoEl("div", "nemo-progress");
      const pbar = nemoEl("div", "nemo-progress-bar");
      progress.appendChild(pbar);
      const colCancel = nemoEl("button", "nemo-btn nemo-btn-small nemo-btn-danger nemo-cmp-colcancel", "Cancel");
      colCancel.addEventListener("click", () => model.send({ type: "cancel", column: i }));
      statusBox.append(status, progress, colCancel);
      const player = nemoEl("div", "nemo-cmp-player");
      const timeline = nemoEl("div", "nemo-cmp-timeline");
      const check = nemoEl("div", "nemo-cmp-check");
      const diff = nemoEl("div", "nemo-cmp-diff");
      const reply = nemoEl("div", "nemo-cmp-reply");

      const judge = nemoEl("div", "nemo-cmp-judge");
      const row = nemoEl("div", "nemo-cmp-judge-row");
      const star = nemoEl("button", "nemo-btn nemo-btn-star");
      star.append(nemoEl("span", "nemo-star-glyph", "☆"));
      star.setAttribute("aria-pressed", "false");
      star.title = "Mark as a favourite";
      star.addEventListener("click", () => {
        const c = (model.get("columns") || [])[i] || {};
        model.send({ type: "star", column: i, value: !c.star });
      });
      const hq = nemoEl("button", "nemo-btn nemo-btn-small nemo-cmp-hq", "Render in high quality");
      hq.addEventListener("click", () => model.send({ type: "hq", column: i }));
      const hqStatus = nemoEl("span", "nemo-cmp-meta nemo-cmp-hqstatus");
      const rank = nemoEl("select", "nemo-cmp-rank");
      rank.title = "Your rank for this take (1 = best)";
      row.append(star, hq, hqStatus, rank);
      const note = nemoEl("textarea", "nemo-cmp-note");
      note.rows = 2;
      note.placeholder = "A note on this take…";
      let noteTimer = null;
      const sendNote = () => {
        clearTimeout(noteTimer);
        noteTimer = null;
        model.send({ type: "note", column: i, text: note.value });
      };
      note.addEventListener("input", () => {
        clearTimeout(noteTimer);
        noteTimer = setTimeout(sendNote, 600);
      });
      note.addEventListener("change", sendNote);
      judge.append(row, note);

      // ten rows, lined up across the columns by the subgrid
      col.append(head, prompt, meta, statusBox, player, timeline, check, diff, reply, judge);
      const source = {
        get: (k) => (((model.get("columns") || [])[i] || {}).video || {})[k],
        ask: (req, rt, ms) => nemoAsk(model, { ...req, column: i }, rt, ms),
      };
      const refreshVideo = nemoVideoPlayer(source, player);
      return {
        col, name, badge, prompt, meta, status, progress, pbar, colCancel, player, timeline, check, diff, reply,
        star, hq, hqStatus, rank, note, refreshVideo, lastReply: null, lastTimeline: null, lastDiff: null,
        lastCheck: null,
        isNoteFocused: () => document.activeElement === note,
      };
    };

    const drawDiff = (v, c) => {
      const key = JSON.stringify(c.differs || []);
      if (key === v.lastDiff) return;
      v.lastDiff = key;
      v.diff.replaceChildren();
      const lines = c.differs || [];
      v.diff.style.display = lines.length || c.status === "done" ? "" : "none";
      v.diff.appendChild(nemoEl("div", "nemo-cmp-diff-title", lines.length ? "Differs from the others" : "Same as the others"));
      if (!lines.length) return;
      const ul = nemoEl("ul");
      for (const line of lines) {
        const li = nemoEl("li", line.unique ? "nemo-cmp-unique" : "", line.text);
        if (line.unique) li.title = "only this take";
        ul.appendChild(li);
      }
      v.diff.appendChild(ul);
    };

    const draw = () => {
      const cols = model.get("columns") || [];
      while (views.length < cols.length) {
        const v = makeColumn(views.length);
        views.push(v);
        grid.appendChild(v.col);
      }
      const isBlind = Boolean(model.get("blind")) && !model.get("revealed");
      let running = false;
      cols.forEach((c, i) => {
        const v = views[i];
        v.col.dataset.status = c.status;
        v.col.dataset.star = c.star ? "true" : "false";
        v.name.textContent = c.name || "Take " + String.fromCharCode(65 + i);
        v.badge.textContent = c.backend || "";
        v.badge.style.display = c.backend ? "" : "none";
        v.prompt.textContent = isBlind ? "(hidden until the reveal)" : c.prompt || "";
        const bits = [];
        if (!isBlind && c.title) bits.push("“" + c.title + "”");
        if (c.duration) bits.push(Number(c.duration).toFixed(1) + " s");
        if (c.aspect) bits.push(c.aspect);
        if (c.render_s !== undefined && c.render_s !== null) bits.push("render " + Number(c.render_s).toFixed(1) + " s");
        if (c.queue_s) bits.push("queued " + Number(c.queue_s).toFixed(1) + " s");
        v.meta.textContent = bits.join(" · ");
        if (c.reply !== v.lastReply) {
          nemoRenderText(v.reply, c.reply || "");
          v.reply.dataset.length = String((c.reply || "").length);
          v.lastReply = c.reply;
        }
        let line = NEMO_STATUS_LABELS[c.status] || c.status;
        if (c.eta && (c.status === "queued" || c.status === "rendering")) line += " · " + c.eta;  // "2nd · ~12 s", "~8 s left"
        if (c.progress >= 0 && c.status === "rendering") line += " · " + Math.round(c.progress) + "%";
        if (c.activity && !line.includes(c.activity)) line += " · " + c.activity;
        if (c.error) line += " · " + c.error;
        v.status.textContent = line;
        v.status.dataset.status = c.status;
        const colRunning = NEMO_RUNNING.includes(c.status);
        running = running || colRunning;
        v.colCancel.style.display = colRunning ? "" : "none";
        v.progress.style.display = c.progress >= 0 && colRunning ? "" : "none";
        v.pbar.style.width = Math.max(0, Math.min(100, c.progress)) + "%";
        v.refreshVideo();
        const tkey = JSON.stringify(c.timeline || null);
        if (tkey !== v.lastTimeline) {
          v.lastTimeline = tkey;
          if (c.timeline && (c.timeline.tracks || []).length) {
            v.timeline.style.display = "";
            nemoDrawTimeline(v.timeline, c.timeline);
            v.timeline.classList.add("nemo-tl-compact");
          } else {
            v.timeline.style.display = "none";
          }
        }
        // the brief as assertions: one line per item of every take's checklist, lined up across takes
        const ckey = JSON.stringify([c.checklist || null, model.get("check_rows") || []]);
        if (ckey !== v.lastCheck) {
          v.lastCheck = ckey;
          nemoDrawChecklist(v.check, c.checklist, model.get("check_rows") || []);
        }
        drawDiff(v, c);
        v.star.firstChild.textContent = c.star ? "★" : "☆";
        v.star.setAttribute("aria-pressed", c.star ? "true" : "false");
        if (!v.isNoteFocused() && v.note.value !== (c.note || "")) v.note.value = c.note || "";
        const hqInfo = c.hq || {};
        v.hq.style.display = c.status === "done" && !hqInfo.status ? "" : "none";
        let hqLine = "";
        if (hqInfo.status === "rendering") hqLine = "high quality: " + (hqInfo.progress >= 0 ? Math.round(hqInfo.progress) + "%" : "rendering…");
        else if (hqInfo.status === "done") hqLine = "high quality: " + (hqInfo.file || "done");
        else if (hqInfo.status) hqLine = "high quality: " + hqInfo.status + (hqInfo.error ? " · " + hqInfo.error : "");
        if (hqInfo.eta && (hqInfo.status === "queued" || hqInfo.status === "rendering")) hqLine += " · " + hqInfo.eta;  // as the column's own render
        v.hqStatus.textContent = hqLine;
        v.rank.style.display = isBlind ? "" : "none";
        if (isBlind && v.rank.options.length !== cols.length + 1) {
          v.rank.replaceChildren(nemoEl("option", null, "rank…"));
          v.rank.firstChild.value = "";
          for (let r = 1; r <= cols.length; r++) {
            const o = nemoEl("option", null, String(r));
            o.value = String(r);
            v.rank.appendChild(o);
          }
        }
      });
      cancel.disabled = !running;
      exportBtn.disabled = running || !cols.length;
      summary.textContent = model.get("summary") || "";
      const ex = model.get("exported") || {};
      exported.replaceChildren();
      for (const [label, key] of [["CSV", "csv"], ["HTML page", "html"]]) {
        if (!ex[key]) continue;
        const a = nemoEl("a", "nemo-video-link", label + ": " + ex[key]);
        a.href = nemoFilesUrl(ex[key]);
        a.target = "_blank";
        exported.append(a, document.createTextNode("  "));
      }
      drawBlind(cols);
      root.dataset.done = model.get("done") ? "true" : "false";
      root.dataset.running = running ? "true" : "false";
    };

    // -- blind mode: a ranking per person, then the reveal ---------------------------------------
    const voter = nemoEl("input", "nemo-cmp-voter");
    voter.type = "text";
    voter.placeholder = "Your name";
    const submitRank = nemoEl("button", "nemo-btn nemo-btn-primary nemo-btn-small nemo-cmp-submitrank", "Submit my ranking");
    const reveal = nemoEl("button", "nemo-btn nemo-btn-small nemo-cmp-reveal", "Reveal the names");
    const blindInfo = nemoEl("span", "nemo-cmp-blindinfo");
    blind.append(nemoEl("strong", null, "Blind comparison"), voter, submitRank, reveal, blindInfo);
    submitRank.addEventListener("click", () => {
      const ranks = views.map((v) => Number(v.rank.value) || 0);
      if (ranks.some((r) => !r) || new Set(ranks).size !== ranks.length) {
        blindInfo.textContent = "Give every take a different rank first.";
        return;
      }
      model.send({ type: "rank", voter: voter.value.trim(), ranks });
      for (const v of views) v.rank.value = "";
      voter.value = "";
    });
    reveal.addEventListener("click", () => model.send({ type: "reveal" }));

    const drawBlind = (cols) => {
      const on = Boolean(model.get("blind"));
      blind.style.display = on ? "" : "none";
      const revealed = Boolean(model.get("revealed"));
      submitRank.style.display = voter.style.display = revealed ? "none" : "";
      reveal.style.display = revealed ? "none" : "";
      const n = model.get("rankings") || 0;
      blindInfo.textContent = n + (n === 1 ? " ranking" : " rankings") + " collected" +
        (revealed ? " · names revealed" : "");
      tally.replaceChildren();
      const rows = model.get("tally_rows") || [];
      if (!on || !rows.length) return;
      const table = nemoEl("table", "nemo-cmp-tally");
      const keys = Object.keys(rows[0]);
      const thead = nemoEl("tr");
      for (const k of keys) thead.appendChild(nemoEl("th", null, k));
      table.appendChild(thead);
      for (const r of rows) {
        const tr = nemoEl("tr");
        for (const k of keys) tr.appendChild(nemoEl("td", null, r[k] === null || r[k] === undefined ? "" : r[k]));
        table.appendChild(tr);
      }
      tally.appendChild(table);
      void cols;
    };

    const onMsg = (msg) => {
      if (msg && msg.type === "exported" && msg.error) exported.textContent = msg.error;
    };
    const snapshot = nemoSnapshotKeeper(model);
    draw();
    const traits = ["columns", "done", "summary", "blind", "revealed", "rankings", "tally_rows", "exported",
      "check_rows"];
    for (const t of traits) model.on("change:" + t, draw);
    model.on("msg:custom", onMsg);
    return () => {
      sync.dispose();
      snapshot();
      for (const t of traits) model.off("change:" + t, draw);
      model.off("msg:custom", onMsg);
    };
  },
};
