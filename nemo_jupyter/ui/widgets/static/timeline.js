// TimelineWidget: the draft's tracks over a time ruler (see nemoDrawTimeline in _common.js).
export default {
  render({ model, el }) {
    const root = nemoEl("div", "nemo-root");
    el.appendChild(root);
    const draw = () => nemoDrawTimeline(root, model.get("timeline"));
    draw();
    model.on("change:timeline", draw);
    const snapshot = nemoSnapshotKeeper(model);
    return () => {
      snapshot();
      model.off("change:timeline", draw);
    };
  },
};
