// ChatWidget: prompt box, streaming reply, activity line, Cancel, action buttons, badges.
// Backend text goes through nemoRenderText (textContent only): no raw HTML ever.

const NEMO_ACTION_LABELS = { export: "Export video", timeline: "Show timeline" };

export default {
  render({ model, el }) {
    const root = nemoEl("div", "nemo-root nemo-chat");
    el.appendChild(root);

    const head = nemoEl("div", "nemo-chat-head");
    const title = nemoEl("span", "nemo-chat-title", "Nemo");
    const backend = nemoEl("span", "nemo-badge nemo-badge-backend");
    const credits = nemoEl("span", "nemo-badge nemo-badge-credits");
    head.append(title, backend, credits);

    const log = nemoEl("div", "nemo-chat-log");
    const streaming = nemoEl("div", "nemo-msg nemo-msg-assistant nemo-msg-streaming");
    const activity = nemoEl("div", "nemo-chat-activity");
    const working = nemoEl("span", "nemo-chat-working nemo-chat-still");
    const progress = nemoEl("div", "nemo-progress");
    const bar = nemoEl("div", "nemo-progress-bar");
    progress.appendChild(bar);
    const errorBox = nemoEl("div", "nemo-msg nemo-msg-error");
    const actions = nemoEl("div", "nemo-chat-actions");

    const inputRow = nemoEl("div", "nemo-chat-input");
    const input = nemoEl("textarea", "nemo-chat-prompt");
    input.rows = 2;
    const send = nemoEl("button", "nemo-btn nemo-btn-primary nemo-chat-send", "Send");
    const cancel = nemoEl("button", "nemo-btn nemo-btn-danger nemo-chat-cancel", "Cancel");
    inputRow.append(input, send, cancel);
    root.append(head, log, activity, progress, errorBox, actions, inputRow);

    let startedAt = null;
    let lastStatus = null;

    const busy = () => ["working", "exporting"].includes(model.get("status"));

    const drawMessages = () => {
      log.replaceChildren();
      for (const m of model.get("messages") || []) {
        const role = ["user", "note"].includes(m.role) ? m.role : "assistant";
        const div = nemoEl("div", "nemo-msg nemo-msg-" + role);
        if (role !== "assistant") div.textContent = m.text || "";
        else nemoRenderText(div, m.text || "");
        log.appendChild(div);
      }
      drawReply();
    };

    const drawReply = () => {
      const text = model.get("reply") || "";
      if (busy() && model.get("status") === "working") {
        if (text) nemoRenderText(streaming, text);
        else streaming.replaceChildren(nemoEl("span", "nemo-chat-working", "…"));
        if (streaming.parentNode !== log) log.appendChild(streaming);
        streaming.dataset.length = String(text.length);
      } else if (streaming.parentNode === log) {
        log.removeChild(streaming);
      }
      log.scrollTop = log.scrollHeight;
    };

    const drawStatus = () => {
      const status = model.get("status");
      if (status !== lastStatus) {
        startedAt = busy() ? Date.now() : null;
        lastStatus = status;
      }
      root.dataset.status = status;
      send.disabled = busy();
      cancel.disabled = !busy();
      input.placeholder = model.get("placeholder");
      backend.textContent = model.get("backend") || "nemo";
      const c = model.get("credits");
      credits.textContent = c ? c + " credits" : "";
      credits.style.display = c ? "" : "none";
      const p = model.get("progress");
      progress.style.display = p >= 0 ? "" : "none";
      bar.style.width = Math.max(0, Math.min(100, p)) + "%";
      const err = model.get("error");
      errorBox.textContent = err || "";
      errorBox.style.display = err ? "" : "none";
      drawActivity();
      drawReply();
    };

    const drawActivity = () => {
      const text = model.get("activity") || "";
      activity.replaceChildren();
      if (text) activity.appendChild(nemoEl("span", "nemo-chat-tool", text));
      if (busy() && startedAt !== null) {
        const secs = (Date.now() - startedAt) / 1000;
        if (secs >= 5) {
          working.textContent = (text ? " · " : "") + "still working (" + nemoElapsed(secs) + ")";
          activity.appendChild(working);
        }
      }
    };

    const drawActions = () => {
      actions.replaceChildren();
      for (const name of model.get("actions") || []) {
        let label = NEMO_ACTION_LABELS[name];
        if (!label && name.startsWith("send:")) label = name.slice(5);
        if (!label) continue;
        const b = nemoEl("button", "nemo-btn nemo-btn-action nemo-action-" + name.split(":")[0], label);
        b.disabled = busy();
        b.addEventListener("click", () => model.send({ type: "action", name }));
        actions.appendChild(b);
      }
    };

    const submit = () => {
      const text = input.value.trim();
      if (!text || busy()) return;
      model.send({ type: "send", text });
      input.value = "";
    };
    send.addEventListener("click", submit);
    input.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) {
        ev.preventDefault();
        submit();
      }
    });
    cancel.addEventListener("click", () => model.send({ type: "cancel" }));

    const ticker = setInterval(() => {
      if (busy()) drawActivity();
    }, 1000);

    const handlers = {
      "change:messages": drawMessages,
      "change:reply": drawReply,
      "change:status": () => {
        drawStatus();
        drawActions();
      },
      "change:activity": drawActivity,
      "change:actions": drawActions,
      "change:backend": drawStatus,
      "change:credits": drawStatus,
      "change:progress": drawStatus,
      "change:error": drawStatus,
    };
    for (const [ev, fn] of Object.entries(handlers)) model.on(ev, fn);
    drawMessages();
    drawStatus();
    drawActions();
    return () => {
      clearInterval(ticker);
      for (const [ev, fn] of Object.entries(handlers)) model.off(ev, fn);
    };
  },
};
