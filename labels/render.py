"""Drawings to images: one-bit Pillow images at the printer's resolution, and PNG files
that carry that resolution."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

from backroom.labels import fonts
from backroom.labels.drawing import Bars, Drawing, Matrix, Rect, Text


def to_image(drawing: Drawing) -> Image.Image:
    """DRAWING as a black-and-white image, one pixel per printer dot."""
    image = Image.new("1", (drawing.width, drawing.height), 1)
    image.info["dpi"] = (drawing.dpi, drawing.dpi)
    draw = ImageDraw.Draw(image)
    draw.fontmode = "1"  # thermal printers have no grey: no anti-aliasing
    for element in drawing.elements:
        if isinstance(element, Bars):
            _bars(draw, element)
        elif isinstance(element, Matrix):
            _matrix(draw, element)
        elif isinstance(element, Text):
            _text(draw, element)
        elif isinstance(element, Rect):
            right = element.x + element.width - 1
            bottom = element.y + element.height - 1
            draw.rectangle((element.x, element.y, right, bottom), fill=0)
    return image


def _bars(draw: ImageDraw.ImageDraw, bars: Bars) -> None:
    x = bars.x
    bottom = bars.y + bars.height - 1
    for i, width in enumerate(bars.symbol.widths):
        dots = width * bars.module
        if i % 2 == 0:
            draw.rectangle((x, bars.y, x + dots - 1, bottom), fill=0)
        x += dots


def _matrix(draw: ImageDraw.ImageDraw, matrix: Matrix) -> None:
    m = matrix.module
    for row, line in enumerate(matrix.symbol.rows):
        top = matrix.y + row * m
        col = 0
        while col < len(line):  # one rectangle per run of dark modules
            if line[col] == "1":
                end = col
                while end < len(line) and line[end] == "1":
                    end += 1
                left = matrix.x + col * m
                draw.rectangle((left, top, matrix.x + end * m - 1, top + m - 1), fill=0)
                col = end
            else:
                col += 1


def _text(draw: ImageDraw.ImageDraw, text: Text) -> None:
    font = fonts.get_font(text.size, text.bold)
    width = fonts.text_width(text.text, text.size, text.bold)
    x = text.x
    if text.align == "center":
        x += (text.width - width) // 2
    elif text.align == "right":
        x += text.width - width
    parts = fonts.text_runs(text.text, text.size, text.bold)
    if not parts or (len(parts) == 1 and parts[0][1] is font):
        # Measured from the ink's left edge, so nothing sticks out of the box.
        left = font.getbbox(text.text)[0] if text.text else 0
        draw.text((x - min(0, left), text.y), text.text, font=font, fill=0, anchor="la")
        return
    # Runs in fallback fonts stand on the main font's baseline, one after the other.
    first, first_font = parts[0]
    x -= min(0, first_font.getbbox(first)[0])
    ascent = font.getmetrics()[0] if isinstance(font, ImageFont.FreeTypeFont) else text.size
    baseline = text.y + ascent
    for part, part_font in parts:
        draw.text((x, baseline), part, font=part_font, fill=0, anchor="ls")
        x += part_font.getlength(part)


def to_png(drawing: Drawing) -> bytes:
    """DRAWING as a PNG file with its resolution recorded."""
    buffer = io.BytesIO()
    # Level 3: a one-bit label compresses about as well as at 6, in half the time.
    to_image(drawing).save(buffer, "PNG", dpi=(drawing.dpi, drawing.dpi), compress_level=3)
    return buffer.getvalue()
