"""Planning stays fast: a 2,000-character prompt is read into its brief and planned in well under 0.3 s.

    python benchmarks/brief_speed.py

Plans long prompts in four languages (a creator's brief with counts, colours, relations, texts
and timings, repeated to 2,000 characters) and, as the reference measured in the same run, the same
prompts cut to 200 characters: planning is linear when ten times the text takes about ten times the
time. Medians of several runs after a warm-up (the vocabulary is loaded once per process).
No narration is asked: a narrated prompt also measures its speech with the voices, which is the
voices' time, not the planner's.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nemo_jupyter.engine.planner import plan

BASE = {
    "en": ("Make a 30-second vertical promo for my bakery called 'Golden Crust': three croissants and two "
           "baguettes on a wooden table, a baker holding a tray, a dog chasing a cat under the counter, "
           "the caption 'Fresh every morning' at 5 s, end with 'Order now at goldencrust.com', "
           "upbeat music, at sunrise in spring. "),
    "es": ("Un vídeo de 20 segundos: cinco patitos amarillos siguiendo a su madre por un estanque, "
           "un perro persiguiendo a una ardilla en el parque de noche, con el subtítulo «Hola» a los 3 segundos. "),
    "zh": "做一个30秒的竖屏视频：三只黄色的小鸭子跟着鸭妈妈过河，一只狗在公园里追一只松鼠，晚上下雨，字幕「你好」在第5秒。",
    "de": ("Ein 15-Sekunden-Video: zwei blaue Autos und ein roter Bus auf einer Straße bei Nacht, "
           "ein Junge, der einen Drachen steigen lässt, mit dem Titel „Sommer“ am Anfang. "),
}
RUNS = 7


def _prompt(text: str, size: int) -> str:
    out = text
    while len(out) < size:
        out += text
    return out[:size]


def _median(prompt: str) -> float:
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        plan(prompt, None, [])
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> int:
    plan("a forest", None, [])  # load the vocabulary once
    print(f"{'language':9} {'200 chars':>10} {'2,000 chars':>12} {'ratio':>7}")
    worst = 0.0
    for lang, text in BASE.items():
        short, long = _median(_prompt(text, 200)), _median(_prompt(text, 2000))
        worst = max(worst, long)
        print(f"{lang:9} {short * 1000:>8.1f} ms {long * 1000:>9.1f} ms {long / short:>6.1f}x")
    print(f"slowest 2,000-character prompt: {worst * 1000:.0f} ms (target: under 300 ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
