"""Cue words and patterns of edit requests (read by the parser and the edit operations)."""

from __future__ import annotations

import re

_ASPECT_RATIO = re.compile(r"(?<![\d.:])(?P<a>\d{1,2})\s*(?:[:x×/]|比)\s*(?P<b>\d{1,2})(?![\d:])")
_ASPECT_WORDS = {
    "9:16": re.compile(r"(?<![a-z])(?:vertical(?:ly)?|portrait|shorts|reels?|tik\s*tok|tiktok|"
                       r"instagram stor(?:y|ies)|stories|phone screen|upright)(?![a-z])|"
                       r"竖屏|竖版|竖的|竖向|抖音|快手|小红书|视频号"),
    # (not "the city square", "a town square": a place)
    "1:1": re.compile(r"(?<![a-z])(?<!city )(?<!town )(?<!village )(?<!market )(?<!main )(?<!public )(?<!red )"
                      r"(?:square|instagram(?:\s+post)?|insta(?:gram)?\s+post)(?![a-z])(?!\s+(?:in|at|of)\s)|"
                      r"方形|正方形|方屏|方的"),
    "16:9": re.compile(r"(?<![a-z])(?:landscape|widescreen|wide screen|wide|horizontal(?:ly)?|youtube|"
                       r"tv|television|desktop)(?![a-z])|横屏|横版|横向|宽屏|b站|油管"),
}
_RES_RE = re.compile(r"(?<![\d])(?P<p>480|540|720|1080|1440|2160)\s*p(?![a-z])|(?<![a-z0-9])(?P<k>4k|8k|2k|"
                     r"uhd|full\s*hd|fhd|hd)(?![a-z0-9])|(?P<zh>高清|超清|标清)")
_PERCENT = re.compile(r"(?P<n>\d{1,3}(?:\.\d+)?)\s*(?:%|percent|per cent)")

_WORD_LONGER = re.compile(r"(?<![a-z])(?:longer|lengthen|extend)(?![a-z])|加长|变长|长一点|长一些")
_WORD_SHORTER = re.compile(r"(?<![a-z])(?:shorter|shorten|trim it|cut it down)(?![a-z])|缩短|变短|短一点|短一些")
_LOUDER = re.compile(r"(?<![a-z])(?:louder|turn (?:it |the music )?up|increase|raise|boost|more volume|"
                     r"up the (?:music|volume))(?![a-z])|大声|调大|大一点|大点|响一点|提高音量|加大音量")
_QUIETER = re.compile(r"(?<![a-z])(?:quieter|softer|lower|turn (?:it |the music )?down|decrease|reduce|"
                      r"less loud|down the (?:music|volume))(?![a-z])|小声|调小|小一点|小点|轻一点|降低音量|减小音量")
_TOO_LOUD = re.compile(r"(?<![a-z])(?:too loud|too noisy|hurts my ears)(?![a-z])|太吵|太大声|太响|太闹|吵死")
_TOO_QUIET = re.compile(r"(?<![a-z])(?:too quiet|too soft|too low|can't hear|cannot hear|can not hear|barely hear)"
                        r"(?![a-z])|太小声|太轻|听不到|听不清|听不见")
_QUIET_WORD = re.compile(r"(?<![a-z])(?:quiet|quietly|low volume|barely audible|subtle|faint)(?![a-z])|小声的?|轻轻的")
_LOUD_WORD = re.compile(r"(?<![a-z])(?:loud|loudly|full volume|high volume|blasting)(?![a-z])|大声的?")

_CAPTION_CUE = re.compile(r"(?:caption|subtitle|subtitles|lower third|"
                          r"字幕|说明)[^\"“「『《«'‘＂]{0,25}$")
_TITLE_CUE = re.compile(r"(?:title|titled|called|named|heading|headline|标题|题目|名字|片名|叫)"
                        r"[^\"“「『《«'‘＂]{0,25}$")
_REMOVE_TITLE = re.compile(r"(?<![a-z])(?:remove|delete|drop|no|without|hide|get rid of)\s+(?:the\s+|a\s+|any\s+)?"
                           r"(?:title|heading)s?(?![a-z])|(?:去掉|删除|删掉|移除|不要)(?:这个)?标题|标题(?:去掉|删除|删掉|移除|拿掉|不要)")
_REMOVE_CAPTIONS = re.compile(r"(?<![a-z])(?:remove|delete|drop|no|without|hide|get rid of)\s+"
                              r"(?:the\s+|all\s+|any\s+)*(?:captions?|subtitles?|text)(?![a-z])|"
                              r"(?:去掉|删除|删掉|移除|不要)(?:所有)?(?:字幕|文字)")
_CAPTIONS_FROM_SCRIPT = re.compile(r"(?<![a-z])(?:captions?|subtitles?|script|narration text|my text)(?![a-z])|"
                                   r"字幕|脚本|文案|文本")
_ADD_WORD = re.compile(r"(?<![a-z])(?:add|put|include|with|insert|more|make it)(?![a-z])|加|添加|加上|增加|来点|下")
_REMOVE_WORD = re.compile(r"(?<![a-z])(?:remove|delete|drop|without|no|stop|get rid of|take out|less)(?![a-z])|"
                          r"去掉|删除|删掉|移除|不要|停")
_REPLACE_SCENES = re.compile(r"(?<![a-z])(?:(?:make|change|turn|switch)\s+it\s+(?:\w+\s+){0,3}?(?:about|into|to)|instead|replace|swap|change (?:it|the (?:scenes?|video|subject|"
                             r"topic|theme)) to|make it (?:an?|the)?\s*\w*\s*(?:video|scene)s? of)(?![a-z])|"
                             r"改成.*(?:视频|场景)|换成.*(?:视频|场景)|换成|改为")
_SWAP = re.compile(r"(?<![a-z])(?:change|turn|replace|swap|switch|make)(?![a-z]).{0,40}?(?<![a-z])"
                   r"(?:to|into|with|for)(?![a-z])|把.{0,12}?(?:换成|改成|变成|替换成|改为)")
_ADD_SCENE = re.compile(r"(?<![a-z])(?:add|append|insert|include)\s+(?:an?\s+|another\s+|one\s+more\s+|the\s+)?"
                        r"[\w\s-]{0,30}?(?:scene|shot|part|section)(?![a-z])|(?:加|添加|增加)(?:一个|一段)?.{0,8}(?:场景|镜头|画面)")
_AT_START_WORD = re.compile(r"(?<![a-z])(?:at the (?:start|beginning)|first|before)(?![a-z])|开头|前面|最前")
