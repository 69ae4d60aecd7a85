"""The link-preview card (`og:image`): a 1200×630 PNG drawn with Pillow from the badge.

Social sites want a wide PNG or JPEG (not SVG, and not the square badge, which
they crop); this puts the badge on the left and who earned what on the right.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path

from PIL import Image
from PIL import ImageDraw
from PIL import ImageFont

from app.badges.images import colour_for

WIDTH, HEIGHT = 1200, 630
BADGE_SIDE = 400
MARGIN = 64
TEXT_LEFT = MARGIN + BADGE_SIDE + 56
TEXT_WIDTH = WIDTH - TEXT_LEFT - MARGIN
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
INK = (28, 32, 38)
MUTED = (84, 92, 104)


@functools.lru_cache(maxsize=8)
def _font(bold: bool, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    try:
        return ImageFont.truetype(str(FONT_DIR / name), size)
    except OSError:
        return ImageFont.load_default(size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int, max_lines: int) -> list[str]:
    """Greedy word wrap to `width` pixels; the last line gets an ellipsis if text remains."""
    lines: list[str] = []
    words = text.split()
    while words and len(lines) < max_lines:
        line = words.pop(0)
        while words and draw.textlength(f"{line} {words[0]}", font=font) <= width:
            line = f"{line} {words.pop(0)}"
        lines.append(line)
    if words and lines:
        last = lines[-1]
        while last and draw.textlength(f"{last}…", font=font) > width:
            last = last[:-1]
        lines[-1] = f"{last.rstrip()}…"
    return [_fit(draw, line, font, width) for line in lines]


def _fit(draw: ImageDraw.ImageDraw, line: str, font, width: int) -> str:
    """Cut a single over-long word so that it fits."""
    if draw.textlength(line, font=font) <= width:
        return line
    while line and draw.textlength(f"{line}…", font=font) > width:
        line = line[:-1]
    return f"{line}…"


def render_og_image(
    badge_png: bytes, *, badge_name: str, learner_name: str, issuer_name: str, issued_on: str
) -> bytes:
    """The preview card as PNG bytes."""
    main, dark = colour_for(badge_name)
    card = Image.new("RGB", (WIDTH, HEIGHT), (250, 248, 244))
    draw = ImageDraw.Draw(card)
    draw.rectangle((0, 0, WIDTH, 16), fill=dark)
    draw.rectangle((0, HEIGHT - 16, WIDTH, HEIGHT), fill=main)

    with Image.open(io.BytesIO(badge_png)) as source:
        badge = source.convert("RGBA")
        badge.thumbnail((BADGE_SIDE, BADGE_SIDE), Image.Resampling.LANCZOS)
    top = (HEIGHT - badge.height) // 2
    card.paste(badge, (MARGIN + (BADGE_SIDE - badge.width) // 2, top), badge)

    title_font = _font(True, 58)
    body_font = _font(False, 32)
    small_font = _font(False, 26)
    title = _wrap(draw, badge_name, title_font, TEXT_WIDTH, 3)
    earned = _wrap(draw, f"Earned by {learner_name}", body_font, TEXT_WIDTH, 2)
    issued = _wrap(draw, f"Issued by {issuer_name} · {issued_on}", small_font, TEXT_WIDTH, 2)
    blocks = [
        (title, title_font, INK, 70),
        (earned, body_font, INK, 44),
        (issued, small_font, MUTED, 36),
    ]
    height = sum(len(lines) * step for lines, _, _, step in blocks) + 2 * 28
    y = (HEIGHT - height) // 2
    for lines, font, colour, step in blocks:
        for line in lines:
            draw.text((TEXT_LEFT, y), line, font=font, fill=colour)
            y += step
        y += 28
    draw.text(
        (TEXT_LEFT, HEIGHT - 70),
        "Signed Open Badge · verify at the link",
        font=_font(False, 22),
        fill=MUTED,
    )

    output = io.BytesIO()
    card.save(output, format="PNG", optimize=True)
    return output.getvalue()
