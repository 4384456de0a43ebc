"""Which uploads a prompt refers to, and in what role ("my logo in the top right corner").

A role word (``upload_roles`` in the grammar files) is matched to an upload by its file name first
("logo.png" for the logo, "app_screen.png" for the screenshot), then by its type (an image for a
logo, a screenshot, a product or a background; a video for a clip; a text for a script; audio for
music), each upload in one role. A corner said near the logo (``corners``) places it. Uploads the
prompt does not name are not part of the brief (the planner may still use them: "turn my uploads
into a video" names them all).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from ..brief import UploadUse
from .grammar import Tag

_TYPE_OF_ROLE = {"logo": ("image",), "screenshot": ("image",), "product": ("image",), "background": ("image", "video"),
                 "photo": ("image",), "clip": ("video",), "script": ("text",), "music": ("audio",)}
_FILE_WORDS = {"logo": ("logo", "brand", "mark", "icon"), "screenshot": ("screen", "shot", "capture", "app", "ui"),
               "product": ("product", "item", "hero"), "background": ("background", "bg", "backdrop")}
_CORNER_REACH = 48
_GENERIC = ("photo", "clip")
_PLURAL_OF = frozenset(["dei", "degli", "delle"])  # "foto dei prodotti" (Italian plurals end in -i, -e)
_OWN_ROLES = ("logo", "screenshot", "product", "background", "script", "music")
_OWN = re.compile(r"^(?:my|our|mi|mis|nuestro|nuestra|mon|ma|mes|notre|nos|mein|meine|unser|unsere|meu|minha|nosso|"
                  r"nossa|mio|mia|miei|nostro|nostra)\b|我的|我们的|私の|うちの|내|우리")


def _stem(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", name.lower().rsplit(".", 1)[0])


def read_uploads(tags: Sequence[Tag], assets: Sequence[dict[str, Any]]) -> list[UploadUse]:
    """The uploads ``tags`` refer to, each with its role (and corner), in the prompt's order."""
    files = [a for a in assets if isinstance(a.get("filename"), str)]
    # the specific roles first: "my photo ... as a logo" is the logo
    role_tags = sorted((t for t in tags if t.cat == "upload"), key=lambda t: (str(t.value) in _GENERIC, t.start))
    corner_tags = [t for t in tags if t.cat == "corner"]
    used: set[str] = set()
    out: list[UploadUse] = []

    for t in role_tags:
        role = str(t.value)
        if any(u.role == role and role not in _GENERIC for u in out):
            continue
        types = _TYPE_OF_ROLE.get(role, ("image",))
        cands = [a for a in files if a.get("file_type") in types and a["filename"] not in used]
        named = [a for a in cands if any(w in _stem(a["filename"]).split() or w in _stem(a["filename"])
                                          for w in _FILE_WORDS.get(role, ()))]
        # "product photos", "제품 사진 두 장", "两张产品图": all of them
        # ("fotos del producto": the plural on the first word)
        plural = any(w.endswith("s") or w in _PLURAL_OF for w in t.text.split()) or any(
            n.cat == "num" and int(n.value) > 1 and (0 <= n.start - t.end <= 3 or 0 <= t.start - n.end <= 3)
            for n in tags)
        unnamed = [a for a in cands if not any(w in _stem(a["filename"]) for ws in _FILE_WORDS.values() for w in ws)]
        if named:
            picks = named if plural else named[:1]
        elif role in _GENERIC or plural:  # "my photos": every image not named for another role
            picks = unnamed or cands
        else:
            picks = (unnamed or cands)[:1]  # (not "logo.png" for the product photo)
        if not picks and role in _OWN_ROLES and _OWN.search(t.text):
            # "put my logo in the corner" with no logo uploaded: asked, and not done (the checklist says why)
            out.append(UploadUse(role=role, file="", word=t.text.strip()))
            continue
        for a in picks:
            use = UploadUse(role=role, file=str(a["filename"]), file_type=str(a.get("file_type") or ""),
                            word=t.text.strip())
            if role == "logo":
                near = [c for c in corner_tags if abs(c.start - t.start) <= _CORNER_REACH]
                if near:
                    use.corner = str(min(near, key=lambda c: abs(c.start - t.start)).value)
            used.add(use.file)
            out.append(use)
    return out


def unasked_uploads(assets: Sequence[dict[str, Any]], asked: Sequence[UploadUse]) -> list[UploadUse]:
    """The files uploaded for this turn (``fresh``) that the prompt does not refer to: kept apart
    from what it asks, and said ("not used") unless a plan uses them anyway, never dropped in silence."""
    named = {u.file for u in asked}
    return [UploadUse(role=_UNASKED_ROLE.get(str(a.get("file_type")), "photo"), file=str(a["filename"]),
                      file_type=str(a.get("file_type") or ""), unasked=True)
            for a in assets if a.get("fresh") and isinstance(a.get("filename"), str) and a["filename"] not in named]


_UNASKED_ROLE = {"image": "photo", "video": "clip", "audio": "music", "text": "script"}
