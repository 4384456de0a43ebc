"""The composition of a scene, checked on frames of real renders: counts (as many copies as asked,
each seen), colours (the art recoloured, outline kept), sizes (size words and real-world
proportions), whole people, and a layout that never collides: nothing covered, nothing cut, no
text over an actor in any frame shape, a planet never over its sun, a boat on the water."""

from __future__ import annotations

import colorsys
from pathlib import Path

import numpy as np
import pytest
from _frames import box, changed, count_things, dilate, erode, frame, hue_mask, largest, render, scene_draft

from nemo_jupyter import draft_format as F
from nemo_jupyter.engine.planning.brief import Actor, Relation, Scene
from nemo_jupyter.engine.planning.compose import MAX_COPIES, actor_dicts
from nemo_jupyter.engine.render.picture import art as A
from nemo_jupyter.engine.render.picture.colour import TARGETS
from nemo_jupyter.engine.render.picture.layout import place

W, H = 320, 180


# -- without rendering ---------------------------------------------------------------------------

def test_recolouring_moves_the_main_fill_and_keeps_the_outline() -> None:
    plain, blue = np.asarray(A.raster("1F697", 120)), np.asarray(A.raster("1F697", 120, "blue"))
    assert plain.shape == blue.shape
    outline = (plain[..., 3] > 250) & (plain[..., :3].max(axis=2) < 30)
    kept = outline & (blue[..., 3] > 250) & (blue[..., :3].max(axis=2) < 30)
    assert outline.sum() > 200 and kept.sum() > 0.97 * outline.sum()
    solid = blue[(blue[..., 3] > 250) & (blue[..., :3].max(axis=2) > 60)][:, :3] / 255
    hues = np.array([colorsys.rgb_to_hls(*px)[0] for px in solid[::7]])
    assert np.mean(np.abs(hues - 0.59) < 0.05) > 0.4  # most of the car is blue now
    assert A.raster("1F697", 120, "blue") is A.raster("1F697", 120, "blue")  # cached


def test_a_colour_word_colours_the_body_not_the_tyres() -> None:
    def share(code: str, colour: str) -> float:
        img = np.asarray(A.raster(code, 120, colour)).astype(float) / 255
        solid = img[(img[..., 3] > 0.98) & (img[..., :3].max(axis=2) > 0.25)][:, :3]
        hues = np.array([colorsys.rgb_to_hls(*px)[0] for px in solid[::5]])
        return float(np.mean(np.abs(hues - colorsys.rgb_to_hls(*[int(TARGETS[colour][i:i + 2], 16) / 255
                                                                  for i in (1, 3, 5)])[0]) < 0.04))

    assert share("1F69C", "orange") > 0.5  # the tractor's green body is orange now, its tyres black
    assert share("1F407", "green") > 0.3   # a black and white rabbit: its black is green


def test_a_colour_word_colours_what_the_art_draws_over_its_outline() -> None:
    """OpenMoji draws a bicycle's red frame in a group over the outline ("color-foreground"), its white
    wheels in the main one: "a blue bicycle" is a blue frame, never blue wheels and a red frame."""
    img = np.asarray(A.raster("1F6B2", 160, "blue")).astype(float) / 255
    solid = img[(img[..., 3] > 0.98)][:, :3]
    hsv = np.array([colorsys.rgb_to_hsv(*px) for px in solid[::3]])
    coloured = hsv[hsv[:, 1] > 0.4]
    assert len(coloured) > 40
    blue = np.abs(coloured[:, 0] - colorsys.rgb_to_hsv(0x3A / 255, 0x7B / 255, 0xD5 / 255)[0]) < 0.05
    assert blue.mean() > 0.9  # the frame is blue, and nothing red is left


def test_a_family_s_own_butterflies_leave_when_butterflies_are_counted() -> None:
    from nemo_jupyter.engine.render.picture.scenes import paint_scene

    def keys(hints: frozenset[str]) -> set[str]:
        return {sp.key for sp in paint_scene("flowers", 160, 90, 200, 90, seed=1, dur=2, hints=hints).sprites}

    assert any(k.startswith("butterfly") for k in keys(frozenset({"actors", "art:1F337"})))
    assert not any(k.startswith("butterfly") for k in keys(frozenset({"actors", "art:1F98B"})))


def duck(i: str, **k: object) -> Actor:
    return Actor(s="duck", art="1F986", id=i, **k)  # type: ignore[arg-type]


def test_the_draft_states_the_composition_of_each_actor() -> None:
    scene = Scene(scene="lake", els=[], sounds=[], label_terms=[], pos=0, actors=[
        duck("a1", count=5, colour="yellow"), Actor(s="cat", art="1F408", id="a2", size="giant"),
        Actor(s="dog", art="1F415", id="a3", plural=True), Actor(s="bird", art="1F426", id="a4", count=40)])
    acts = actor_dicts(scene, relations=[Relation("chase", "a3", "a2")])
    by = {a["id"]: a for a in acts}
    assert by["a1"]["n"] == 5 and by["a1"]["col"] == "yellow" and by["a2"]["sc"] == 2.0
    assert by["a3"]["n"] == 3 and by["a3"]["rel"] == {"k": "chase", "o": 1}
    assert by["a4"]["n"] == MAX_COPIES  # forty birds: twelve drawn, and the brief says so
    bird = scene.actors[3]
    assert bird.details["count"].status == "substituted" and bird.details["count"].params["count"] == 40
    assert {"id", "n", "col", "sc", "rel"} <= F.ACT_DRAWN


def test_real_world_sizes_keep_proportions_between_subjects() -> None:
    def heights(*subjects: tuple[str, str]) -> dict[str, float]:
        scene = Scene(scene="savanna", els=[], sounds=[], label_terms=[], pos=0,
                      actors=[Actor(s=s, art=a, mo="still") for s, a in subjects])
        return {a["s"]: a["h"] for a in actor_dicts(scene)}

    zoo = heights(("elephant", "1F418"), ("cow", "1F404"), ("cat", "1F408"), ("mouse", "1F401"))
    assert zoo["elephant"] > zoo["cow"] > zoo["cat"] > zoo["mouse"] >= 0.08
    milk = heights(("cat", "1F408"), ("glass_of_milk", "1F95B"))
    assert milk["glass_of_milk"] < milk["cat"] * 0.8  # a glass of milk is not as tall as the cat


def test_a_giant_thing_is_bigger_than_a_small_person_beside_it() -> None:
    scene = Scene(scene="kitchen", els=[], sounds=[], label_terms=[], pos=0, actors=[
        Actor(s="cupcake", art="1F9C1", id="a1", size="giant", mo="still"),
        Actor(s="cook", art="1F9D1-200D-1F373", id="a2", size="small", mo="still")])
    cake, cook = actor_dicts(scene)
    assert cake["h"] * cake["sc"] > cook["h"] * cook["sc"]


def test_a_counted_pile_is_counted_in_ones() -> None:
    scene = Scene(scene="desk", els=[], sounds=[], label_terms=[], pos=0,
                  actors=[Actor(s="books", art="1F4DA", id="a1", count=4)])
    (books,) = actor_dicts(scene)
    assert books["s"] == "closed_book" and books["n"] == 4  # four books, not four piles of books


def test_a_teacher_stands_whole_without_her_chalkboard() -> None:
    from nemo_jupyter.engine.render.picture.people import figure

    for art in ("1F9D1-200D-1F3EB", "1F469-200D-1F3EB", "1F9D1-200D-1F373"):
        img = np.asarray(figure(art, 200, "stand")).astype(int)
        top = img[: img.shape[0] // 3, :, 3] > 128
        assert top.mean(axis=1).max() < 0.9, art  # a head on the shoulders, no board behind it
        green = (img[..., 1] > img[..., 0] + 40) & (img[..., 1] > img[..., 2] + 20) & (img[..., 3] > 128)
        assert green.sum() < 0.02 * (img[..., 3] > 128).sum(), art


def test_actors_beside_one_anchor_never_pile_up() -> None:
    acts = [{"s": "girl", "art": "1F467", "mo": "still", "rel": {"k": "near", "o": 2}},
            {"s": "cat", "art": "1F408", "mo": "still", "rel": {"k": "near", "o": 2}},
            {"s": "chair", "art": "1FA91", "mo": "still"},
            {"s": "dog", "art": "1F415", "mo": "still", "rel": {"k": "beside", "o": 2}}]
    for w, h in F.SIZES_1080.values():
        placed = place(acts, "park", w, h)
        boxes = [p.box() for p in placed]
        for i, a in enumerate(boxes):
            for b in boxes[:i]:
                overlap = min(a[2], b[2]) - max(a[0], b[0])
                assert overlap < 0.1 * min(a[2] - a[0], b[2] - b[0]), (w, h, a, b)


def test_small_things_alone_are_seen_from_nearer_and_kites_fly() -> None:
    scene = Scene(scene="countryside", els=[], sounds=[], label_terms=[], pos=0, actors=[
        Actor(s="mouse", art="1F401", id="a1"), Actor(s="mushroom", art="1F344", id="a2")])
    mouse, mushroom = actor_dicts(scene, relations=[Relation("under", "a1", "a2")])
    assert mushroom["h"] >= 0.2 and mouse["h"] < mushroom["h"]  # bigger together, in proportion
    kite = Scene(scene="beach", els=[], sounds=[], label_terms=[], pos=0, actors=[Actor(s="kite", art="1FA81")])
    assert actor_dicts(kite)[0]["mo"] == "float"  # a kite is seen in the air


def test_copies_never_leave_the_frame_in_any_shape() -> None:
    for w, h in F.SIZES_1080.values():
        for n in (2, 5, 8, 12):
            p = place([{"s": "cow", "art": "1F404", "n": n, "mo": "still"}], "farm", w, h)[0]
            x0, y0, x1, y1 = p.box()
            assert p.count == n and x0 >= 0 and x1 <= w and y0 >= 0 and y1 <= h, (w, h, n, p.box())


# -- rendered ------------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 6, 7, 8])
def test_as_many_copies_as_asked_are_seen(tmp_path: Path, n: int) -> None:
    bare = frame(render(tmp_path, scene_draft(None, scene="farm"), "bare.mp4"), 1.0, W, H)
    acts = [{"s": "sheep", "art": "1F411", "n": n, "col": "blue", "mo": "still"}]
    img = frame(render(tmp_path, scene_draft(acts, scene="farm"), "n.mp4"), 1.0, W, H)
    seen = erode(hue_mask(img, "blue", min_sat=0.5) & changed(img, bare))
    assert count_things(seen) == n


@pytest.mark.slow
def test_two_groups_are_counted_apart(tmp_path: Path) -> None:
    bare = frame(render(tmp_path, scene_draft(None, scene="farm"), "bare.mp4"), 1.0, W, H)
    acts = [{"s": "pig", "art": "1F416", "n": 3, "col": "blue", "mo": "still"},
            {"s": "sheep", "art": "1F411", "n": 1, "col": "red", "mo": "still"}]
    img = frame(render(tmp_path, scene_draft(acts, scene="farm"), "n.mp4"), 1.0, W, H)
    diff = changed(img, bare)
    assert count_things(erode(hue_mask(img, "blue", min_sat=0.5) & diff)) == 3
    assert count_things(erode(hue_mask(img, "red", min_sat=0.5) & diff)) == 1
    cows, sheep = box(erode(hue_mask(img, "blue", min_sat=0.5) & diff)), box(erode(hue_mask(img, "red", min_sat=0.5) & diff))
    assert cows and sheep and (cows[2] < sheep[0] or sheep[2] < cows[0])  # side by side, not over one another


@pytest.mark.slow
@pytest.mark.parametrize("colour", ["red", "orange", "yellow", "green", "blue", "purple", "pink", "white", "black"])
def test_colour_words_recolour_the_art(tmp_path: Path, colour: str) -> None:
    bare = frame(render(tmp_path, scene_draft(None, scene="desk"), "bare.mp4"), 1.0, W, H)
    acts = [{"s": "car", "art": "1F697", "col": colour, "mo": "still", "h": 0.4}]
    img = frame(render(tmp_path, scene_draft(acts, scene="desk"), "c.mp4"), 1.0, W, H)
    diff = erode(changed(img, bare))
    px = img[diff] / 255
    target = tuple(int(TARGETS[colour][i:i + 2], 16) / 255 for i in (1, 3, 5))
    if colour in ("white", "black"):
        light = colorsys.rgb_to_hls(*target)[1]
        close = np.abs(px.mean(axis=1) - light) < 0.12
    else:
        close = hue_mask(img, colour, tol=0.06, min_sat=0.35)[diff]
    assert close.mean() > 0.3, (colour, close.mean())  # the body (the wheels, windows, outline stay)


@pytest.mark.slow
def test_a_moving_group_stays_whole_in_the_frame(tmp_path: Path) -> None:
    draft = scene_draft([{"s": "bus", "art": "1F68C", "n": 2, "col": "blue", "mo": "drive", "h": 0.12}],
                        scene="road", d=4000)
    bare_draft = scene_draft(None, scene="road", d=4000)
    video, bare = render(tmp_path, draft, "g.mp4"), render(tmp_path, bare_draft, "b.mp4")
    xs = []
    for t in (0.3, 2.0, 3.7):
        img = frame(video, t, W, H)
        seen = dilate(erode(hue_mask(img, "blue", min_sat=0.5) & changed(img, frame(bare, t, W, H))), 4)
        bb = box(seen)
        assert bb is not None and count_things(seen) == 2 and bb[0] > 0 and bb[2] < W - 1, t  # both, whole
        xs.append(bb[0])
    assert abs(xs[2] - xs[0]) > 0.04 * W  # and they drive


@pytest.mark.slow
def test_size_words_scale_the_subject(tmp_path: Path) -> None:
    bare = frame(render(tmp_path, scene_draft(None, scene="desk"), "bare.mp4"), 1.0, W, H)
    heights = {}
    for sc in (0.45, 1.0, 2.0):
        acts = [{"s": "cat", "art": "1F408", "mo": "still", "h": 0.2, "sc": sc}]
        img = frame(render(tmp_path, scene_draft(acts, scene="desk"), f"s{sc}.mp4"), 1.0, W, H)
        bb = box(erode(changed(img, bare)))
        assert bb is not None
        heights[sc] = bb[3] - bb[1]
    assert heights[2.0] > 1.7 * heights[1.0] > 1.7 * 1.7 * heights[0.45] * 0.8


@pytest.mark.slow
def test_people_are_whole_standing_on_the_ground(tmp_path: Path) -> None:
    bare = frame(render(tmp_path, scene_draft(None, scene="lake"), "bare.mp4"), 1.0, W, H)
    acts = [{"s": "girl", "art": "1F467", "mo": "still", "h": 0.5}]
    img = frame(render(tmp_path, scene_draft(acts, scene="lake"), "p.mp4"), 1.0, W, H)
    bb = box(erode(changed(img, bare)))
    assert bb is not None
    x0, y0, x1, y1 = bb
    assert (y1 - y0) > 1.8 * (x1 - x0)  # head to feet, not a bust
    legs = img[y1 - 6:y1 - 2, x0:x1 + 1]
    assert (np.abs(legs - (63, 75, 107)).max(axis=2) < 40).sum() > 3  # trousers at the bottom
    assert y1 > 0.85 * H  # on the shore, not in the lake


@pytest.mark.slow
@pytest.mark.parametrize("size", list(F.SIZES_1080))
def test_titles_and_captions_never_cover_an_actor(tmp_path: Path, size: str) -> None:
    w, h = {"16:9": (320, 180), "9:16": (180, 320), "1:1": (240, 240)}[size]
    texts = [{"k": "title", "txt": "Spring Walk", "pos": "top"}, {"k": "caption", "txt": "A long caption line here"},
             {"k": "title", "txt": "Hello"}]
    acts = [{"s": "giraffe", "art": "1F992", "mo": "still", "h": 0.9}, {"s": "dog", "art": "1F415", "mo": "still"},
            {"s": "bird", "art": "1F426", "mo": "fly", "y": 0.1}]
    with_texts = frame(render(tmp_path, scene_draft(acts, scene="park", texts=texts, w=w, h=h), "a.mp4"), 1.0, w, h)
    only_texts = frame(render(tmp_path, scene_draft(None, scene="park", texts=texts, w=w, h=h), "b.mp4"), 1.0, w, h)
    from nemo_jupyter.engine.render.picture.safe import text_band
    from nemo_jupyter.engine.render.text.text import _layout

    band = text_band([{"st": 0, "d": 2000, **t} for t in texts], {"st": 0, "d": 2000}, w, h)
    assert band.floor is not None and band.ceiling is not None and band.boxes
    actors = changed(with_texts, only_texts)
    assert actors.sum() > 200
    for t in texts:
        default = "bottom" if t["k"] == "caption" else "center"
        lay = _layout(t["txt"], w, h, kind=t["k"], pos=t.get("pos", default), sz=None)
        inside = actors[lay.y:lay.y + lay.height, lay.x:lay.x + lay.width]
        assert inside.mean() < 0.01, (size, t["txt"], inside.mean())


@pytest.mark.slow
def test_a_planet_never_passes_over_its_sun(tmp_path: Path) -> None:
    acts = [{"s": "sun", "art": "2600", "mo": "still", "x": 0.5, "y": 0.62, "h": 0.3},
            {"s": "globe", "art": "1F30D", "mo": "orbit", "x": 0.7, "y": 0.5, "h": 0.12, "col": "red"}]
    video = render(tmp_path, scene_draft(acts, scene="space", d=8000), "o.mp4")
    bare = render(tmp_path, scene_draft(None, scene="space", d=8000), "bare.mp4")
    # the sun: yellow where the actors changed the picture (the backdrop's own stars are no sun)
    first = frame(video, 0.2, W, H)
    sun = box(largest(erode(hue_mask(first, "yellow", tol=0.025, min_sat=0.5) & changed(first, frame(bare, 0.2, W, H)))))
    assert sun is not None
    x0, y0, x1, y1 = sun
    assert 20 < x1 - x0 < 70 and 20 < y1 - y0 < 70, sun  # the sun's disc (h 0.3 of 180 px), no more
    for t in np.arange(0.2, 8.0, 0.6):
        planet = erode(hue_mask(frame(video, float(t), W, H), "red", min_sat=0.5))
        assert planet.sum() > 20, t  # seen all the way round
        assert planet[y0:y1 + 1, x0:x1 + 1].sum() < 3, t


@pytest.mark.slow
def test_a_boat_floats_on_the_water(tmp_path: Path) -> None:
    bare = frame(render(tmp_path, scene_draft(None, scene="ocean"), "bare.mp4"), 1.0, W, H)
    scene = Scene(scene="ocean", els=[], sounds=[], label_terms=[], pos=0, actors=[Actor(s="sailboat", art="26F5")])
    acts = actor_dicts(scene)
    img = frame(render(tmp_path, scene_draft(acts, scene="ocean"), "boat.mp4"), 1.0, W, H)
    bb = box(erode(changed(img, bare)))
    assert bb is not None and 0.6 * H < bb[3] < 0.85 * H  # its keel on the sea, below the horizon


def test_our_own_table_art_draws_like_openmoji_art_and_takes_a_colour() -> None:
    plain, red = A.raster("NJ-TABLE", 120), A.raster("NJ-TABLE", 120, "red")
    assert plain.height == 120 and plain.width > plain.height  # wider than tall, cropped to its drawing
    alpha = np.asarray(plain)[..., 3]
    assert alpha[-5:, plain.width // 2].max() == 0, "open between its legs"
    assert np.asarray(red)[..., 0].mean() > np.asarray(plain)[..., 0].mean()
    assert A.normal_id("NJ-TABLE") == "NJ-TABLE" and A.normal_id("NJ-../x") is None


@pytest.mark.slow
@pytest.mark.parametrize("cam", ["pan_left", "rise", "zoom_in"])
def test_a_counted_flying_group_stays_whole_under_every_camera(tmp_path: Path, cam: str) -> None:
    """ "three helicopters in the sky": the group glides and the camera moves, and still the three are
    whole in every frame (the pan and the zoom carried one out at the side, the glide over the top)."""
    acts = [{"s": "helicopter", "art": "1F681", "mo": "fly", "y": 0.22, "h": 0.18, "n": 3}]
    video = render(tmp_path, scene_draft(acts, scene="sky", d=6000, cam=cam), "h.mp4")
    for t in np.arange(0.3, 6.0, 0.5):
        red = erode(hue_mask(frame(video, float(t), W, H), "red", min_sat=0.45))
        ys, xs = np.nonzero(red)
        assert len(xs) > 60, t
        assert xs.min() > 1 and xs.max() < W - 2 and ys.min() > 1, (cam, t, xs.min(), xs.max(), ys.min())
        assert count_things(dilate(red, 2), share=0.3) == 3, (cam, t)


@pytest.mark.slow
def test_every_subject_s_art_takes_a_colour_word() -> None:
    """Recolouring reads the art's colour groups; some OpenMoji files leave a group open to the end of
    the file (37 of them: a man running, a cyclone...), and "a man running in red" failed to draw."""
    from nemo_jupyter.engine.planning.lexicon import lexicon

    arts = sorted({info.art for info in lexicon().subjects.values()})
    failed = []
    for code in arts:
        try:
            A.raster(code, 24, "green")
        except Exception as exc:  # every failure is listed
            failed.append((code, str(exc)[:60]))
    assert len(arts) > 1000 and failed == [], failed[:5]
