// VideoWidget: a <video controls> player fed by a served URL (see _common.js).
export default {
  render({ model, el }) {
    const root = nemoEl("div", "nemo-root");
    el.appendChild(root);
    const refresh = nemoVideoPlayer(nemoModelSource(model), root);
    const traits = ["path", "url", "data", "filename", "duration", "width", "height", "size", "local_file",
      "credit", "stage", "note"];
    for (const t of traits) model.on("change:" + t, refresh);
    const snapshot = nemoSnapshotKeeper(model);
    return () => {
      snapshot();
      for (const t of traits) model.off("change:" + t, refresh);
    };
  },
};
