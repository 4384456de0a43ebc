// Helpers shared by the nemo_jupyter widgets. Prepended to each widget's module by
// nemo_jupyter/widgets/_base.py (anywidget modules cannot import siblings without a build).
// Backend text is only ever placed with textContent: never innerHTML.

function nemoEl(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}

function nemoSecs(ms) {
  const s = (Number(ms) || 0) / 1000;
  return s >= 10 ? s.toFixed(0) + " s" : s.toFixed(1).replace(/\.0$/, "") + " s";
}

function nemoElapsed(seconds) {
  const s = Math.floor(seconds);
  return s >= 60 ? Math.floor(s / 60) + "m" + String(s % 60).padStart(2, "0") + "s" : s + "s";
}

// Plain-text rendering with a tiny, safe subset of Markdown: paragraphs, line breaks,
// **bold**, `code` and "- " bullets. Every piece of text goes through textContent.
function nemoRenderText(target, text) {
  target.replaceChildren();
  const blocks = String(text || "").split(/\n{2,}/);
  for (const block of blocks) {
    const lines = block.split("\n");
    const bullets = lines.every((l) => /^\s*[-*] /.test(l));
    if (bullets && lines.length) {
      const ul = nemoEl("ul", "nemo-md-list");
      for (const l of lines) {
        const li = nemoEl("li");
        nemoInline(li, l.replace(/^\s*[-*] /, ""));
        ul.appendChild(li);
      }
      target.appendChild(ul);
      continue;
    }
    const p = nemoEl("p", "nemo-md-p");
    lines.forEach((l, i) => {
      if (i) p.appendChild(document.createElement("br"));
      nemoInline(p, l);
    });
    target.appendChild(p);
  }
}

function nemoInline(parent, line) {
  const re = /(\*\*[^*]+\*\*|`[^`]+`)/g;
  let last = 0;
  let m;
  while ((m = re.exec(line)) !== null) {
    if (m.index > last) parent.appendChild(document.createTextNode(line.slice(last, m.index)));
    const tok = m[0];
    if (tok.startsWith("**")) parent.appendChild(nemoEl("strong", null, tok.slice(2, -2)));
    else parent.appendChild(nemoEl("code", "nemo-md-code", tok.slice(1, -1)));
    last = m.index + tok.length;
  }
  if (last < line.length) parent.appendChild(document.createTextNode(line.slice(last)));
}

// ---- the brief as a checklist ----------------------------------------------------------
// state: {summary, all_done, items: [{key, mark, status, meaning, label, note}]} (text only).
// One line (the summary) that opens on the items; open at once when something was not done as
// asked. `rows` (the compare grid) lines the items up across takes: [{key, label}], an item this
// take was not asked shown as "–".
function nemoDrawChecklist(target, state, rows) {
  target.replaceChildren();
  if (!state || !(state.items || []).length) {
    target.style.display = "none";
    return;
  }
  target.style.display = "";
  const box = nemoEl("details", "nemo-check-box");
  box.dataset.allDone = state.all_done ? "true" : "false";
  box.open = !state.all_done;
  box.appendChild(nemoEl("summary", "nemo-check-summary", state.summary || ""));
  const list = nemoEl("ul", "nemo-check-list");
  const own = new Map((state.items || []).map((i) => [i.key, i]));
  const order = rows || state.items;
  for (const row of order) {
    const item = own.get(row.key);
    const li = nemoEl("li", "nemo-check");
    li.dataset.status = item ? item.status : "absent";
    const mark = nemoEl("span", "nemo-check-mark", item ? item.mark : "–");
    mark.title = item ? item.meaning || "" : "not asked in this take";
    // lined up across takes, an item is named as the row names it ("red boat (colour)")
    const label = rows ? row.label : item.label;
    li.append(mark, document.createTextNode(" "), nemoEl("span", "nemo-check-label", label));
    if (item && item.note) li.appendChild(nemoEl("span", "nemo-check-note", " — " + item.note));
    list.appendChild(li);
  }
  box.appendChild(list);
  target.appendChild(box);
}

// ---- timeline -------------------------------------------------------------------------

function nemoNiceStep(totalMs, maxTicks) {
  const steps = [500, 1000, 2000, 5000, 10000, 15000, 30000, 60000, 120000, 300000];
  for (const s of steps) if (totalMs / s <= (maxTicks || 12)) return s;
  return 600000;
}

function nemoDrawTimeline(root, data) {
  root.replaceChildren();
  root.classList.add("nemo-tl");
  const tracks = (data && data.tracks) || [];
  const total = Math.max(Number((data && data.duration) || 0), 1);
  const head = nemoEl("div", "nemo-tl-head");
  const title = data && data.title ? "“" + data.title + "” · " : "";
  head.textContent = tracks.length
    ? title + tracks.length + (tracks.length === 1 ? " track · " : " tracks · ") + nemoSecs(total)
    : "Timeline: empty (describe a video to start)";
  root.appendChild(head);
  if (!tracks.length) return;

  const ruler = nemoEl("div", "nemo-tl-rulerrow");
  ruler.appendChild(nemoEl("div", "nemo-tl-label"));
  const scale = nemoEl("div", "nemo-tl-ruler");
  // about one label per 60 px of ruler, so a narrow column's ruler stays readable
  const width = root.clientWidth || 700;
  const step = nemoNiceStep(total, Math.max(2, Math.min(12, Math.floor((width - 90) / 60))));
  for (let t = 0; t <= total + 1; t += step) {
    const tick = nemoEl("span", "nemo-tl-tick", nemoSecs(t));
    tick.style.left = (100 * t) / total + "%";
    if (t > 0 && t >= total - step / 4) tick.style.transform = "translateX(-100%)"; // keep the last label inside
    scale.appendChild(tick);
  }
  ruler.appendChild(scale);
  root.appendChild(ruler);

  const tip = nemoEl("div", "nemo-tl-tip");
  tip.style.display = "none";
  for (const track of tracks) {
    const type = ["video", "audio", "text"].includes(track.type) ? track.type : "other";
    const row = nemoEl("div", "nemo-tl-row nemo-tl-" + type);
    row.dataset.trackType = type;
    row.appendChild(nemoEl("div", "nemo-tl-label", track.name || type));
    const lane = nemoEl("div", "nemo-tl-lane");
    for (const seg of track.segments || []) {
      const s = nemoEl("div", seg.differs ? "nemo-tl-seg nemo-tl-differs" : "nemo-tl-seg");
      s._nemoSeg = seg;
      if (seg.row !== undefined) s.dataset.row = String(seg.row);
      s.dataset.kind = seg.kind || type;
      const start = Number(seg.start) || 0;
      const end = Math.max(Number(seg.end) || 0, start);
      s.style.left = (100 * start) / total + "%";
      s.style.width = Math.max((100 * (end - start)) / total, 0.5) + "%";
      let label = seg.label || seg.kind || "";
      if (seg.volume !== undefined && seg.volume !== null) label += " · " + Math.round(seg.volume * 100) + "%";
      s.appendChild(nemoEl("span", "nemo-tl-seglabel", label));
      if (seg.volume !== undefined && seg.volume !== null) {
        const vol = nemoEl("div", "nemo-tl-vol");
        vol.style.height = Math.round(Math.min(Math.max(seg.volume, 0), 1) * 100) + "%";
        s.appendChild(vol);
      }
      const details = [
        (seg.kind || type) + ": " + (seg.label || ""),
        nemoSecs(start) + " → " + nemoSecs(end) + " (" + nemoSecs(end - start) + ")",
      ];
      if (seg.text) details.push("text: " + seg.text);
      if (seg.volume !== undefined && seg.volume !== null) details.push("volume: " + Math.round(seg.volume * 100) + "%");
      if (seg.src) details.push("source: " + seg.src);
      s.addEventListener("mouseenter", () => {
        tip.replaceChildren(...details.map((d) => nemoEl("div", null, d)));
        tip.style.display = "block";
      });
      s.addEventListener("mousemove", (ev) => {
        const r = root.getBoundingClientRect();
        tip.style.left = Math.min(ev.clientX - r.left + 12, r.width - 220) + "px";
        tip.style.top = ev.clientY - r.top + 14 + "px";
      });
      s.addEventListener("mouseleave", () => {
        tip.style.display = "none";
      });
      lane.appendChild(s);
    }
    row.appendChild(lane);
    root.appendChild(row);
  }
  root.appendChild(tip);
}

// ---- video ----------------------------------------------------------------------------

function nemoPageConfig() {
  const node = document.getElementById("jupyter-config-data");
  if (!node) return null;
  try {
    return JSON.parse(node.textContent || "{}");
  } catch (e) {
    return null;
  }
}

function nemoAsk(model, request, replyType, timeoutMs, buffers) {
  return new Promise((resolve) => {
    const handler = (msg, buffers) => {
      if (msg && msg.type === replyType && (request.column === undefined || msg.column === request.column) &&
          (request.id === undefined || msg.id === request.id)) {
        model.off("msg:custom", handler);
        clearTimeout(timer);
        resolve({ msg, buffers });
      }
    };
    const timer = setTimeout(() => {
      model.off("msg:custom", handler);
      resolve(null);
    }, timeoutMs);
    model.on("msg:custom", handler);
    if (buffers && buffers.length) model.send(request, undefined, buffers);
    else model.send(request);
  });
}

function nemoTrySrc(video, url, timeoutMs) {
  return new Promise((resolve) => {
    let done = false;
    const finish = (ok) => {
      if (done) return;
      done = true;
      video.removeEventListener("loadedmetadata", onOk);
      video.removeEventListener("error", onErr);
      clearTimeout(timer);
      resolve(ok);
    };
    const onOk = () => finish(true);
    const onErr = () => finish(false);
    const timer = setTimeout(() => finish(false), timeoutMs);
    video.addEventListener("loadedmetadata", onOk);
    video.addEventListener("error", onErr);
    video.src = url;
    video.load();
  });
}

function nemoEncodePath(p) {
  return p.split("/").filter((x) => x.length).map(encodeURIComponent).join("/");
}

// Candidate URLs for a video, best first: the Jupyter file server (kernel tells the path
// relative to the server root), the notebook's directory taken from the page URL, the
// plain relative path, the backend's own URL.
async function nemoVideoCandidates(src) {
  const out = [];
  const rel = src.get("path");
  const cfg = nemoPageConfig();
  if (rel && cfg && cfg.baseUrl !== undefined) {
    const base = cfg.baseUrl.endsWith("/") ? cfg.baseUrl : cfg.baseUrl + "/";
    const ans = await src.ask({ type: "locate", server_root: cfg.serverRoot || "" }, "located", 4000);
    if (ans && ans.msg.files_path) out.push(base + "files/" + nemoEncodePath(ans.msg.files_path));
    out.push(nemoFilesUrl(rel, window.location.pathname, cfg));
  }
  if (rel) out.push(rel);
  const url = src.get("url");
  if (url) out.push(url);
  return [...new Set(out)];
}

async function nemoLoadVideo(src, video, link, status) {
  const token = {};
  video._nemoToken = token;
  const data = src.get("data");
  if (data && data.byteLength) {
    const blob = new Blob([data], { type: "video/mp4" });
    const u = URL.createObjectURL(blob);
    video.src = u;
    link.href = u;
    return;
  }
  status.textContent = "loading video…";
  for (const url of await nemoVideoCandidates(src)) {
    if (video._nemoToken !== token) return;
    if (await nemoTrySrc(video, url, 8000)) {
      link.href = url;
      status.textContent = "";
      video.dataset.nemoSource = "url";
      return;
    }
  }
  if (video._nemoToken !== token) return;
  if (!src.get("local_file")) {
    status.textContent = "The video could not be loaded here.";
    return;
  }
  // Last resort: ask the kernel for the bytes as one binary buffer (never kept in state).
  status.textContent = "fetching video from the kernel…";
  const ans = await src.ask({ type: "bytes" }, "bytes", 60000);
  if (ans && ans.buffers && ans.buffers.length) {
    const blob = new Blob(ans.buffers, { type: "video/mp4" });
    const u = URL.createObjectURL(blob);
    await nemoTrySrc(video, u, 8000);
    link.href = u;
    video.dataset.nemoSource = "bytes";
    status.textContent = "";
  } else {
    status.textContent = (ans && ans.msg && ans.msg.error) || "The video could not be loaded here.";
  }
}

// A video source backed by a widget model with the VideoWidget traits.
function nemoModelSource(model) {
  return { get: (k) => model.get(k), ask: (req, rt, ms) => nemoAsk(model, req, rt, ms) };
}

// The art's credit (OpenMoji's CC BY-SA line the video carries) as text, its web addresses as
// links: built from text nodes, never HTML.
function nemoCredit(node, text) {
  node.replaceChildren();
  const re = /https?:\/\/[^\s()<>"']+/g;
  let last = 0;
  for (const m of text.matchAll(re)) {
    node.append(document.createTextNode(text.slice(last, m.index)));
    const a = nemoEl("a", "", m[0]);
    a.href = m[0];
    a.target = "_blank";
    a.rel = "noopener";
    node.append(a);
    last = m.index + m[0].length;
  }
  node.append(document.createTextNode(text.slice(last)));
  node.style.display = text ? "" : "none";
}

// Draws a player (video element, download link, caption) into `root` for a source
// ({get(trait), ask(request, replyType, timeoutMs)}). Returns a function that reloads it.
// Another file for the same player (a preview, then the full-quality render) is loaded into a
// second <video> off screen, brought to the same moment (and playing if the first was), then put
// in the first one's place: the picture never goes blank, the player stays where it was.
function nemoVideoPlayer(src, root) {
  root.classList.add("nemo-video");
  const bar = nemoEl("div", "nemo-video-bar");
  const caption = nemoEl("span", "nemo-video-caption");
  const link = nemoEl("a", "nemo-video-link", "⬇ Download");
  link.target = "_blank";
  link.rel = "noopener";
  const status = nemoEl("span", "nemo-video-status");
  bar.append(caption, link, status);
  const note = nemoEl("div", "nemo-video-note");
  const credit = nemoEl("div", "nemo-credit");
  credit.style.cssText = "font-size:11px;opacity:.75";
  // the video's own shape once known (the kernel may not know it): no letterbox for a vertical video
  const shape = (v, w, h) => {
    if (!(w > 0 && h > 0)) return;
    v.style.setProperty("--nemo-ar", w + " / " + h);
    v.style.setProperty("--nemo-arn", String(w / h));
    v.dataset.aspect = w > h ? "landscape" : w < h ? "portrait" : "square";
  };
  const makeVideo = () => {
    const v = nemoEl("video", "nemo-video-el");
    v.controls = true;
    v.preload = "metadata";
    v.playsInline = true;
    v.addEventListener("loadedmetadata", () => shape(v, v.videoWidth, v.videoHeight));
    return v;
  };
  let video = makeVideo();
  root.append(video, bar, note, credit);
  let lastKey = null;
  let swapToken = null;

  const seekTo = (v, t) => new Promise((resolve) => {
    const timer = setTimeout(resolve, 4000);
    v.addEventListener("seeked", () => { clearTimeout(timer); resolve(); }, { once: true });
    v.currentTime = t;
  });
  const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));

  // The new file is made ready a little ahead of where the old one plays (a seek takes time on a
  // busy machine), the old one plays on up to that moment, then the new one takes over there.
  const swapIn = async (old) => {
    const token = {};
    swapToken = token;
    const next = makeVideo();
    next.preload = "auto";
    next.muted = old.muted;
    next.volume = old.volume;
    await nemoLoadVideo(src, next, link, status);
    if (swapToken !== token) return;
    if (next.readyState < 2) {
      await new Promise((resolve) => {
        const t = setTimeout(resolve, 8000);
        next.addEventListener("loadeddata", () => { clearTimeout(t); resolve(); }, { once: true });
      });
    }
    const last = Math.max((next.duration || 0) - 0.05, 0);
    let ahead = 0.5;
    for (let attempt = 0; attempt < 4; attempt++) {
      const playing = !old.paused && !old.ended;
      const target = Math.min(old.currentTime + (playing ? ahead : 0), last);
      const started = performance.now();
      await seekTo(next, target);
      if (swapToken !== token) return;
      if (!playing) break;
      if (old.currentTime <= target) {
        // the old one plays on to the moment the new one waits at
        const until = performance.now() + 8000;
        while (!old.paused && old.currentTime < target - 0.03 && performance.now() < until) await frame();
        await next.play().catch(() => {});
        break;
      }
      ahead = Math.max(ahead * 2, ((performance.now() - started) / 1000) * 1.5);   // the seek took longer
    }
    if (swapToken !== token) return;
    // where the swap left each of them (seconds): the same moment, to the frame the seek found
    root.dataset.swappedFrom = old.currentTime.toFixed(2);
    root.dataset.swappedAt = next.currentTime.toFixed(2);
    old.replaceWith(next);
    old.pause();
    old.removeAttribute("src");
    old.load();
    video = next;
    root.dataset.swapped = String(Number(root.dataset.swapped || 0) + 1);
  };

  const refresh = () => {
    const model = src;
    const has = Boolean(model.get("path") || model.get("url") || model.get("local_file") ||
      (model.get("data") && model.get("data").byteLength));
    root.style.display = has ? "" : "none";
    root.dataset.stage = model.get("stage") || "";
    note.textContent = model.get("note") || "";
    note.style.display = model.get("note") ? "" : "none";
    if (!has) return;
    const name = model.get("filename") || "video.mp4";
    link.download = name;
    const bits = [name];
    if (model.get("duration")) bits.push(Number(model.get("duration")).toFixed(1) + " s");
    if (model.get("width")) bits.push(model.get("width") + "×" + model.get("height"));
    if (model.get("size")) bits.push((model.get("size") / 1e6).toFixed(1) + " MB");
    caption.textContent = bits.join(" · ");
    nemoCredit(credit, model.get("credit") || "");
    // the player takes the video's own shape (a vertical video is not letterboxed)
    shape(video, Number(model.get("width")) || 0, Number(model.get("height")) || 0);
    const key = [model.get("path"), model.get("url"), model.get("size"), model.get("local_file"),
      model.get("data") ? model.get("data").byteLength : 0].join("|");
    if (key === lastKey) return;
    const first = lastKey === null || !video.currentSrc || video.readyState < 1;
    lastKey = key;
    if (first) nemoLoadVideo(src, video, link, status);
    else swapIn(video);
  };
  refresh();
  return refresh;
}

// ---- the static copy kept in the notebook ---------------------------------------------
// The kernel displays each widget followed by a small text/html output: a static copy of
// the widget (transcript, posters, table, links) that a saved notebook and nbconvert's HTML
// show when no kernel is there. The copy is only written at display time by the kernel, so
// whenever the kernel sends a newer one ({type: "snapshot", html, text, model_id}), this
// writes it into that output of the open notebook (JupyterLab's document model, reached
// through the widget manager); a front end without one (Voila, VS Code) keeps the first copy.
function nemoNotebookOutputs(model) {
  const manager = model && model.widget_manager;
  const ctx = manager && manager._context;
  const nb = ctx && ctx.model;
  if (!nb || !nb.cells) return [];
  const out = [];
  for (let c = 0; c < nb.cells.length; c++) {
    const cell = nb.cells.get(c);
    if (cell && cell.outputs) out.push(cell.outputs);
  }
  return out;
}

function nemoWriteSnapshot(model, msg) {
  const marker = 'data-nemo-static="' + msg.model_id + '"';
  for (const outputs of nemoNotebookOutputs(model)) {
    for (let i = 0; i < outputs.length; i++) {
      const item = outputs.get(i);
      const data = item && item.data;
      const html = data && data["text/html"];
      const text = Array.isArray(html) ? html.join("") : html;
      if (typeof text !== "string" || !text.includes(marker)) continue;
      if (text === msg.html) return true;
      outputs.set(i, {
        output_type: "display_data",
        data: { "text/html": msg.html, "text/plain": msg.text || "" },
        metadata: {},
      });
      return true;
    }
  }
  return false;
}

// Listens for snapshots and asks for a fresh one once drawn. Returns the disposer.
function nemoSnapshotKeeper(model) {
  let pending = null;
  let timer = null;
  const onMsg = (msg) => {
    if (!msg || msg.type !== "snapshot" || !msg.model_id || typeof msg.html !== "string") return;
    pending = msg;
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      const m = pending;
      pending = null;
      try {
        nemoWriteSnapshot(model, m);
      } catch (e) {
        console.warn("nemo: could not keep the static copy", e);
      }
    }, 300);
  };
  model.on("msg:custom", onMsg);
  model.send({ type: "snapshot?" });
  return () => {
    if (timer) clearTimeout(timer);
    model.off("msg:custom", onMsg);
  };
}

// Where the open notebook's files are served, from the page's path: JupyterLab
// (/lab/tree/<path>, /lab/workspaces/<ws>/tree/<path>, /doc/tree/<path>) and Notebook 7
// (/notebooks/<path>, /edit/<path>) serve them at /files/<dir>/; Voila's directory mode
// (/voila/render/<path>) at /voila/files/<dir>/ (for the file types its file_allowlist lets
// through). Returns {route, dir}, or null on any other page (VS Code, Colab, a file opened
// from disk). ``base`` is the server's base URL (JupyterHub's /user/<name>/), cut off first so
// a folder named like a route is not taken for one.
function nemoNotebookDir(pathname, base) {
  let rest = pathname;
  if (base && rest.startsWith(base)) rest = rest.slice(base.length);
  rest = rest.replace(/^\/+/, "");
  const m = rest.match(/^((?:lab|doc)(?:\/workspaces\/[^/]+)?\/tree|notebooks|edit|voila\/render)\/(.*)$/);
  if (!m) return null;
  const parts = decodeURIComponent(m[2]).split("/");
  parts.pop();
  return { route: m[1] === "voila/render" ? "voila/files/" : "files/", dir: parts.join("/") };
}

// A file next to the notebook (a path relative to it) as a URL of the file server: the file
// itself, never the app shell that Notebook 7's /notebooks/ and /tree/ answer for any path;
// the plain relative path where there is no Jupyter page (it then resolves by itself).
function nemoFilesUrl(rel, pathname, cfg) {
  cfg = cfg === undefined ? nemoPageConfig() : cfg;
  if (!cfg || cfg.baseUrl === undefined) return rel;
  const base = cfg.baseUrl.endsWith("/") ? cfg.baseUrl : cfg.baseUrl + "/";
  const at = nemoNotebookDir(pathname === undefined ? window.location.pathname : pathname, base);
  if (at === null) return rel;
  return base + at.route + nemoEncodePath((at.dir ? at.dir + "/" : "") + rel);
}
