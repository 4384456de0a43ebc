"""Replies: what was done, and what the planner can do, in the user's language."""

from __future__ import annotations

import re

from nemo_jupyter.draft_format import SCENES

from .brief import Brief
from .common import Plan, _lang_key

_HELP = {
    "en": ("I make illustrated, animated storyboard videos (not camera footage). I can: make a video from a "
           "description (\"a 30-second video of a forest with birds and soft music\", \"a cat playing the piano\", "
           "\"an ad for a running shoe\", \"the water cycle with captions for evaporation, condensation and "
           f"precipitation\"; {len(SCENES)} backgrounds and 1,400 animals, people, vehicles, foods, products and objects: "
           "say \"help scenes\" for the list); set the length (\"make it 15 seconds\"), the shape (vertical 9:16, square, 16:9, "
           "720p/1080p); music (soft, lo-fi, upbeat, epic, calm, a volume like 35%, or no music); sounds "
           "(birds, rain, waves, wind); a title or captions (a title that says Hello; add a caption \"Hello\" at 5s); and "
           "turn your uploaded images, videos, audio and text script into a video."),
    "zh": ("我制作的是插画风格的动画故事板视频（不是实拍画面）。我可以：根据描述生成视频（如“生成一个30秒的森林视频，"
           f"有鸟叫和轻柔的背景音乐”“一只猫在弹钢琴”“新款耳机的广告”；{len(SCENES)}种背景和1400种动物、人物、交通工具、食物、产品等，"
           "说“你能画什么”查看列表）；"
           "设置时长（“改成15秒”）、画面比例（竖屏9:16、方形、横屏16:9、720p/1080p）；背景音乐（轻柔、低保真、欢快、史诗、"
           "平静，音量如35%，或不要音乐）；环境音（鸟叫、雨声、海浪、风声）；标题或字幕（标题是春天来了；加字幕「你好」在5秒）；"
           "以及把你上传的图片、视频、音频和文字脚本做成视频。"),
    "ja": ("イラスト風のアニメーション動画（実写ではありません）を作ります。できること：説明から動画を作る"
           "（森、鳥、街、夕日、海、山、星空、雨、雪、砂漠、商品、宇宙、花、海中）、長さ（「15秒にして」）、"
           "縦 9:16・正方形・横 16:9、音楽（ソフト、ローファイ、アップビート、壮大、穏やか、音量、音楽なし）、"
           "環境音、引用符で囲んだタイトルや字幕、アップロードした画像・動画・音声・テキストからの動画。"),
    "ko": ("일러스트 스타일의 애니메이션 영상(실사 아님)을 만듭니다. 가능한 것: 설명으로 영상 만들기(숲, 새, 도시, "
           "노을, 바다, 산, 밤하늘, 비, 눈, 사막, 제품, 우주, 꽃, 바닷속), 길이(\"15초로\"), 세로 9:16·정사각형·"
           "가로 16:9, 음악(부드러운, 로파이, 경쾌한, 웅장한, 차분한, 볼륨, 음악 없음), 환경음, 따옴표 안의 제목이나 "
           "자막, 업로드한 이미지·영상·오디오·텍스트로 영상 만들기."),
    "es": ("Hago vídeos ilustrados y animados (no grabaciones reales). Puedo: crear un vídeo a partir de una "
           "descripción (bosque, pájaros, ciudad, atardecer, océano, montañas, cielo nocturno, lluvia, nieve, "
           "desierto, producto, espacio, flores, bajo el agua), cambiar la duración, el formato (vertical 9:16, "
           "cuadrado, 16:9), la música (suave, lo-fi, alegre, épica, tranquila, volumen, sin música), sonidos, "
           "un título o subtítulos entre comillas, y usar tus imágenes, vídeos, audio y guion subidos."),
    "fr": ("Je fais des vidéos illustrées et animées (pas de vraies prises de vue). Je peux : créer une vidéo à "
           "partir d'une description (forêt, oiseaux, ville, coucher de soleil, océan, montagnes, ciel étoilé, "
           "pluie, neige, désert, produit, espace, fleurs, sous-marin), changer la durée, le format (vertical "
           "9:16, carré, 16:9), la musique (douce, lo-fi, entraînante, épique, calme, volume, sans musique), des "
           "sons, un titre ou des sous-titres entre guillemets, et utiliser vos images, vidéos, sons et textes."),
    "de": ("Ich mache illustrierte, animierte Videos (keine echten Aufnahmen). Ich kann: ein Video aus einer "
           "Beschreibung erstellen (Wald, Vögel, Stadt, Sonnenuntergang, Meer, Berge, Nachthimmel, Regen, "
           "Schnee, Wüste, Produkt, Weltraum, Blumen, Unterwasser), Länge und Format ändern (hochkant 9:16, "
           "quadratisch, 16:9), Musik (sanft, Lo-Fi, fröhlich, episch, ruhig, Lautstärke, ohne Musik), "
           "Geräusche, Titel oder Untertitel in Anführungszeichen, und hochgeladene Bilder, Videos, Audio und "
           "Texte verwenden."),
}
_CANT = {
    "en": {"empty": "Your message was empty.",
           "style": "I can't imitate a film or art style (like Pixar or anime): I draw my own illustrated scenes.",
           "translate": "I can't translate videos or text.",
           "voice": "I can't make talking characters or lip-sync; I can narrate a script with a voice-over.",
           "characters": "I can't draw people or animals as characters.",
           "nothing": "I didn't find anything I can do in that.",
           "no_draft": "There is no video to change yet: describe one first.",
           "export": "Rendering is a separate step from planning: use your client's export (in a notebook, "
                     "%nemo export) to get the MP4.",
           "no_uploads": "You have no uploads in this session yet: upload your images, videos, audio or TXT "
                         "script first, then ask again.",
           "no_script": "To add captions, put the text in quotes (add a caption \"Hello\" at 5s) or upload a "
                        "TXT script first."},
    "zh": {"empty": "你的消息是空的。",
           "style": "我无法模仿某种电影或艺术风格（例如皮克斯、动漫），我只画自己的插画场景。",
           "translate": "我无法翻译视频或文字。",
           "voice": "我无法做会说话的角色或对口型；可以给脚本配旁白。",
           "characters": "我无法把人物或动物画成角色。",
           "nothing": "我没有在这句话里找到我能做的事。",
           "no_draft": "还没有可以修改的视频，请先描述一个视频。",
           "export": "渲染和规划是分开的两步：请用客户端的导出功能（在笔记本里用 %nemo export）得到MP4。",
           "no_uploads": "这个会话里还没有上传的文件：请先上传图片、视频、音频或TXT脚本，再说一遍。",
           "no_script": "要加字幕，请把文字放在引号里（如：加字幕「你好」在5秒），或先上传一个TXT脚本。"},
}


def _help_reply(language: str, reasons: list[str]) -> str:
    lang = _lang_key(language)
    base = language.split("-")[0].lower()
    if base not in ("en", "zh") and base in _HELP:
        return _HELP[base]  # the reasons are only written in English and Chinese
    cant = _CANT[lang]
    sep = "" if lang == "zh" else " "
    first = sep.join(cant[r] for r in reasons if r in cant)
    return (first + sep + _HELP[lang]).strip()


def _finish_reply(body: str, notes: list[str], brief: Brief, lang: str) -> str:
    extra = list(notes)
    if brief.fmt.aspect_note:
        extra.append(f"不支持{brief.fmt.aspect_note}比例，可用9:16、1:1或16:9。" if lang == "zh" else
                     f"{brief.fmt.aspect_note} isn't available; I can do 9:16, 1:1 or 16:9.")
    if brief.fmt.res_note:
        extra.append(f"不支持{brief.fmt.res_note}，用了最接近的720p/1080p。" if lang == "zh" else
                     f"{brief.fmt.res_note} isn't available, so I used the nearest of 720p/1080p.")
    for what in brief.req.unsupported:
        if what != "characters":
            extra.append(_CANT[lang][what])
    tail = "说“导出”即可渲染。" if lang == "zh" else "Say \"export\" to render it."
    sep = "" if lang == "zh" else " "
    return sep.join([body, *extra, tail]).strip()


_ZH_NO_CHANGE = ("本来", "另有")


def _edit_reply(done: list[str], lang: str) -> str:
    if len(done) > 8:
        extra = len(done) - 7
        done = [*done[:7], f"另有{extra}处修改" if lang == "zh" else f"{extra} more changes"]
    if lang == "zh":
        # "已..." for what was done; statements like "本来就没有标题" stand as they are.
        return "；".join(d if d.startswith(_ZH_NO_CHANGE) or "保持" in d or "本来就有" in d else "已" + d
                        for d in done) + "。"
    text = "; ".join(done)
    return text[0].upper() + text[1:] + "."


_EXPORT_ASK = re.compile(r"^\W*(?:please\s+)?(?:export|render|download|save)(?:\s+(?:it|the video|this|now|"
                         r"please))*\W*$|^\W*(?:导出|渲染|下载|保存)(?:视频|一下|吧)?\W*$")
_HELP_ASK = re.compile(r"^\W*(?:help|\?|what can you do|what do you do|how does this work|what are you|"
                       r"hi|hello|hey|你好|您好|帮助|你能做什么|你会什么|怎么用)\W*$")


def _not_understood(brief: Brief, language: str, *, has_draft: bool) -> Plan:
    reasons: list[str] = []
    if brief.req.empty:
        reasons.append("empty")
        brief.kind = "empty"
    elif brief.req.help:
        reasons.append("help")
        brief.kind = "help"
    elif brief.req.export:
        reasons.append("export")
        brief.kind = "export"
    if brief.req.uploads_ref and not brief.req.has_uploads:
        reasons.append("no_uploads")
    reasons.extend(brief.req.unsupported)
    if not reasons:
        reasons.append("nothing")
    if reasons == ["help"]:
        reasons = []
    if reasons and reasons[0] in ("export", "no_uploads"):
        # Say only that: the list of everything else would bury it.
        lang = _lang_key(language)
        return Plan(draft=None, reply=" ".join(_CANT[lang][r] for r in reasons if r in _CANT[lang]), steps=[],
                    understood=False, language=language)
    return Plan(draft=None, reply=_help_reply(language, reasons), steps=[], understood=False, language=language)
