// ChatWidget: prompt box, streaming reply, activity line with a percentage, Cancel, action
// buttons, badges, Upload (file picker, bytes sent as binary buffers), New conversation, Clear.
// Backend text goes through nemoRenderText (textContent only): no raw HTML ever.

const NEMO_ACTION_LABELS = { export: "Export video", timeline: "Show timeline" };
// "still working" appears only after this long without any visible change
const NEMO_QUIET_MS = 8000;
const NEMO_CHUNK = 512 * 1024;

export default {
  render({ model, el }) {
    const root = nemoEl("div", "nemo-root nemo-chat");
    el.appendChild(root);

    const head = nemoEl("div", "nemo-chat-head");
    const title = nemoEl("span", "nemo-chat-title", "Nemo");
    const backend = nemoEl("span", "nemo-badge nemo-badge-backend");
    const credits = nemoEl("span", "nemo-badge nemo-badge-credits");
    const tools = nemoEl("span", "nemo-chat-tools");
    const uploadBtn = nemoEl("button", "nemo-btn nemo-btn-small nemo-chat-upload", "Upload…");
    uploadBtn.title = "Add a video, image, audio or text file to this conversation";
    const fileInput = nemoEl("input", "nemo-upload-input");
    fileInput.type = "file";
    fileInput.multiple = true;
    const newBtn = nemoEl("button", "nemo-btn nemo-btn-small nemo-chat-new", "New conversation");
    newBtn.title = "Start again with an empty draft (the old one stays on the backend)";
    const clearBtn = nemoEl("button", "nemo-btn nemo-btn-small nemo-chat-clear", "Clear");
    clearBtn.title = "Clear the messages shown here (the draft is kept)";
    tools.append(uploadBtn, fileInput, newBtn, clearBtn);
    head.append(title, backend, credits, tools);

    const log = nemoEl("div", "nemo-chat-log");
    const empty = nemoEl("div", "nemo-chat-empty", "Describe a video below, or upload a file to start.");
    const streaming = nemoEl("div", "nemo-msg nemo-msg-assistant nemo-msg-streaming");
    const activity = nemoEl("div", "nemo-chat-activity");
    const working = nemoEl("span", "nemo-chat-working nemo-chat-still");
    const progress = nemoEl("div", "nemo-progress");
    const bar = nemoEl("div", "nemo-progress-bar");
    progress.appendChild(bar);
    const uploads = nemoEl("div", "nemo-chat-uploads");
    const errorBox = nemoEl("div", "nemo-msg nemo-msg-error");
    const actions = nemoEl("div", "nemo-chat-actions");

    const inputRow = nemoEl("div", "nemo-chat-input");
    const input = nemoEl("textarea", "nemo-chat-prompt");
    input.rows = 2;
    const send = nemoEl("button", "nemo-btn nemo-btn-primary nemo-chat-send", "Send");
    const cancel = nemoEl("button", "nemo-btn nemo-btn-danger nemo-chat-cancel", "Cancel");
    inputRow.append(input, send, cancel);
    root.append(head, log, activity, progress, uploads, errorBox, actions, inputRow);

    let startedAt = null;
    let lastChange = Date.now();
    let lastStatus = null;
    let localUpload = null; // {name, sent, size} while the browser sends bytes to the kernel

    const busy = () => ["working", "exporting", "uploading"].includes(model.get("status")) || localUpload !== null;
    const touched = () => {
      lastChange = Date.now();
    };

    const drawMessages = () => {
      log.replaceChildren();
      const msgs = model.get("messages") || [];
      if (!msgs.length && !busy()) log.appendChild(empty);
      for (const m of msgs) {
        const role = ["user", "note"].includes(m.role) ? m.role : "assistant";
        const div = nemoEl("div", "nemo-msg nemo-msg-" + role);
        if (role !== "assistant") div.textContent = m.text || "";
        else nemoRenderText(div, m.text || "");
        if (role === "assistant" && m.checklist) {
          const check = nemoEl("div", "nemo-chat-check");
          nemoDrawChecklist(check, m.checklist);
          div.appendChild(check);
        }
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
        if (empty.parentNode === log) log.removeChild(empty);
        streaming.dataset.length = String(text.length);
      } else if (streaming.parentNode === log) {
        log.removeChild(streaming);
      }
      log.scrollTop = log.scrollHeight;
    };

    const percent = () => {
      const p = model.get("progress");
      if (localUpload) return localUpload.size ? (100 * localUpload.sent) / localUpload.size : 0;
      return p;
    };

    const drawStatus = () => {
      const status = model.get("status");
      if (status !== lastStatus) {
        startedAt = busy() ? Date.now() : null;
        lastStatus = status;
        touched();
      }
      root.dataset.status = localUpload ? "uploading" : status;
      const isBusy = busy();
      send.disabled = isBusy;
      cancel.disabled = !isBusy || localUpload !== null;
      uploadBtn.disabled = isBusy;
      newBtn.disabled = isBusy;
      input.placeholder = model.get("placeholder");
      backend.textContent = model.get("backend") || "nemo";
      const c = model.get("credits");
      credits.textContent = c || "";
      credits.style.display = c ? "" : "none";
      const p = percent();
      progress.style.display = p >= 0 && isBusy ? "" : "none";
      bar.style.width = Math.max(0, Math.min(100, p)) + "%";
      const err = model.get("error");
      errorBox.textContent = err || "";
      errorBox.style.display = err ? "" : "none";
      const files = model.get("uploads") || [];
      uploads.textContent = files.length ? "Files in this conversation: " + files.join(", ") : "";
      uploads.style.display = files.length ? "" : "none";
      drawActivity();
      drawReply();
    };

    const drawActivity = () => {
      let text = model.get("activity") || "";
      if (localUpload) text = "sending " + localUpload.name + " to the kernel…";
      activity.replaceChildren();
      if (text) activity.appendChild(nemoEl("span", "nemo-chat-tool", text));
      const p = percent();
      if (busy() && p >= 0) activity.appendChild(nemoEl("span", "nemo-chat-percent", " " + Math.round(p) + "%"));
      if (busy() && startedAt !== null) {
        const quiet = Date.now() - lastChange;
        if (quiet >= NEMO_QUIET_MS) {
          const secs = (Date.now() - startedAt) / 1000;
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
    newBtn.addEventListener("click", () => model.send({ type: "new" }));
    clearBtn.addEventListener("click", () => model.send({ type: "clear" }));

    // -- upload: each file in chunks, one binary buffer a message, the next after the kernel's ack
    uploadBtn.addEventListener("click", () => fileInput.click());
    const sendFile = async (file, id) => {
      localUpload = { name: file.name, sent: 0, size: file.size };
      drawStatus();
      let offset = 0;
      do {
        const chunk = await file.slice(offset, offset + NEMO_CHUNK).arrayBuffer();
        const last = offset + chunk.byteLength >= file.size;
        const ans = await nemoAsk(model, { type: "upload_chunk", id, name: file.name, size: file.size, offset, last },
          "upload_ack", 60000, [chunk]);
        if (!ans || ans.msg.error) {
          model.send({ type: "upload_abort", id });
          throw new Error((ans && ans.msg.error) || "The kernel did not answer; the upload stopped.");
        }
        offset += chunk.byteLength;
        localUpload.sent = offset;
        touched();
        drawStatus();
      } while (offset < file.size);
    };
    fileInput.addEventListener("change", async () => {
      const files = [...fileInput.files];
      fileInput.value = "";
      if (!files.length) return;
      const ids = files.map((f, i) => Date.now().toString(36) + "-" + i);
      // each file on its own: one the kernel refuses (its type, its size) is named, the others go
      const sent = [];
      const refused = [];
      for (let i = 0; i < files.length; i++) {
        try {
          await sendFile(files[i], ids[i]);
          sent.push(ids[i]);
        } catch (e) {
          refused.push(String(e.message || e));
        }
      }
      localUpload = null;
      model.send({ type: "upload_done", ids: sent, refused });
      drawStatus();
      drawActions();
    });

    const ticker = setInterval(() => {
      if (busy()) drawActivity();
    }, 1000);

    const changed = (fn) => () => {
      touched();
      fn();
    };
    const handlers = {
      "change:messages": changed(drawMessages),
      "change:reply": changed(drawReply),
      "change:status": () => {
        drawStatus();
        drawActions();
        drawMessages();
      },
      "change:activity": changed(drawActivity),
      "change:actions": drawActions,
      "change:backend": drawStatus,
      "change:credits": drawStatus,
      "change:progress": changed(drawStatus),
      "change:error": drawStatus,
      "change:uploads": drawStatus,
    };
    for (const [ev, fn] of Object.entries(handlers)) model.on(ev, fn);
    const snapshot = nemoSnapshotKeeper(model);
    drawMessages();
    drawStatus();
    drawActions();
    return () => {
      clearInterval(ticker);
      snapshot();
      for (const [ev, fn] of Object.entries(handlers)) model.off(ev, fn);
    };
  },
};
