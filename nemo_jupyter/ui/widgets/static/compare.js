// CompareWidget: one column per prompt (prompt, streaming reply, status, then the video).
const NEMO_STATUS_LABELS = {
  waiting: "waiting…",
  drafting: "drafting…",
  rendering: "rendering…",
  done: "done",
  error: "failed",
  cancelled: "cancelled",
};

export default {
  render({ model, el }) {
    const root = nemoEl("div", "nemo-root");
    const grid = nemoEl("div", "nemo-cmp");
    const summary = nemoEl("div", "nemo-cmp-summary");
    root.append(grid, summary);
    el.appendChild(root);
    const views = [];

    const makeColumn = (i) => {
      const col = nemoEl("div", "nemo-cmp-col");
      col.dataset.column = String(i);
      const prompt = nemoEl("div", "nemo-cmp-prompt");
      const backend = nemoEl("div", "nemo-cmp-backend");
      const badge = nemoEl("span", "nemo-badge");
      backend.appendChild(badge);
      const reply = nemoEl("div", "nemo-cmp-reply");
      const status = nemoEl("div", "nemo-cmp-status");
      const progress = nemoEl("div", "nemo-progress");
      const bar = nemoEl("div", "nemo-progress-bar");
      progress.appendChild(bar);
      const player = nemoEl("div");
      col.append(prompt, backend, reply, status, progress, player);
      const source = {
        get: (k) => ((model.get("columns")[i] || {}).video || {})[k],
        ask: (req, rt, ms) => nemoAsk(model, { ...req, column: i }, rt, ms),
      };
      const refreshVideo = nemoVideoPlayer(source, player);
      return { col, prompt, badge, reply, status, progress, bar, refreshVideo, lastReply: null };
    };

    const draw = () => {
      const cols = model.get("columns") || [];
      grid.style.gridTemplateColumns = "repeat(" + Math.max(cols.length, 1) + ", minmax(0, 1fr))";
      while (views.length < cols.length) {
        const v = makeColumn(views.length);
        views.push(v);
        grid.appendChild(v.col);
      }
      cols.forEach((c, i) => {
        const v = views[i];
        v.col.dataset.status = c.status;
        v.prompt.textContent = c.prompt;
        v.badge.textContent = c.backend || "nemo";
        if (c.reply !== v.lastReply) {
          nemoRenderText(v.reply, c.reply || "");
          v.reply.dataset.length = String((c.reply || "").length);
          v.lastReply = c.reply;
        }
        let line = NEMO_STATUS_LABELS[c.status] || c.status;
        if (c.activity && c.activity !== line) line += " · " + c.activity;
        if (c.error) line += " · " + c.error;
        v.status.textContent = line;
        v.status.dataset.status = c.status;
        v.progress.style.display = c.progress >= 0 ? "" : "none";
        v.bar.style.width = Math.max(0, Math.min(100, c.progress)) + "%";
        v.refreshVideo();
      });
      summary.textContent = model.get("summary") || "";
      root.dataset.done = model.get("done") ? "true" : "false";
    };
    draw();
    model.on("change:columns", draw);
    model.on("change:done", draw);
    model.on("change:summary", draw);
    return () => {
      model.off("change:columns", draw);
      model.off("change:done", draw);
      model.off("change:summary", draw);
    };
  },
};
