"""Drawings to ZPL II for Zebra-compatible thermal printers: printer-native barcodes
(^BC with the code sets we chose, so the printer makes the very symbol our images show),
the printer's scalable font for text, and ^FH hex escapes for anything ZPL would misread.
"""

from __future__ import annotations

from backroom.labels.code128 import Code128
from backroom.labels.drawing import Bars, Drawing, Matrix, Rect, Text
from backroom.labels.matrix import QR_ERROR_CORRECTION, MatrixSymbol
from backroom.models.errors import Refused

# Code 128 in ^BC field data (ZPL II guide, "Code 128 invocation characters"): sets A and
# C are written as two-digit values, set B as the characters themselves except these.
_START = {"A": ">9", "B": ">:", "C": ">;"}
_SWITCH = {99: ">5", 100: ">6", 101: ">7"}  # to C, to B, to A
_FNC1 = ">8"
_SET_B_ESCAPES = {">": ">0", "^": "><", "~": ">=", "\x7f": ">1"}
_JUSTIFY = {"left": "L", "center": "C", "right": "R"}
# ^BX escapes with quality 200, escape character _: _1 is FNC1, _dNNN one character.
_DM_ESCAPE = "_"
QR_MAX_MAGNIFICATION = 10  # ^BQ draws modules of 1 to 10 dots


def code128_field(code: Code128) -> str:
    """The ^FD data for CODE in ^BC's no-mode: start, switches and FNC1 as invocation
    codes. The printer adds the check symbol and the stop pattern itself."""
    out = []
    for word in code.codewords:
        if word.role == "start":
            out.append(_START[word.code_set])
        elif word.role == "switch":
            out.append(_SWITCH[word.value])
        elif word.role == "fnc1":
            out.append(_FNC1)
        elif word.role == "data":
            if word.code_set == "B":
                char = chr(word.value + 32)
                out.append(_SET_B_ESCAPES.get(char, char))
            else:
                out.append(f"{word.value:02d}")
    return "".join(out)


def escape_text(text: str) -> str:
    """TEXT for a ^FH_ field: ^, ~, _ and every byte outside printable ASCII as _XX
    (UTF-8, as ^CI28 reads it). A backslash is doubled, as ^FB reads '\\&' as a new line."""
    out = []
    for char in text:
        if char == "\\":
            out.append("_5C_5C")
        elif char in "^~_" or not 32 <= ord(char) < 127:
            out.extend(f"_{byte:02X}" for byte in char.encode("utf-8"))
        else:
            out.append(char)
    return "".join(out)


def _bars(bars: Bars) -> str:
    symbol = bars.symbol
    head = f"^FO{bars.x},{bars.y}^BY{bars.module}"
    if symbol.symbology == "ean13":
        return f"{head}^BEN,{bars.height},N,N^FD{symbol.data[:12]}^FS"
    if symbol.symbology == "ean8":
        return f"{head}^B8N,{bars.height},N,N^FD{symbol.data[:7]}^FS"
    assert symbol.code is not None
    return f"{head}^BCN,{bars.height},N,N,N,N^FD{code128_field(symbol.code)}^FS"


def datamatrix_field(symbol: MatrixSymbol) -> str:
    """^BX field data: FNC1 first and as the field separator, '_' written as _d095."""
    body = symbol.data.replace(_DM_ESCAPE, "_d095").replace("\x1d", "_1")
    return ("_1" if symbol.gs1 else "") + body


def _matrix(matrix: Matrix) -> str:
    symbol = matrix.symbol
    if symbol.kind == "datamatrix":
        # Columns and rows given: the printer makes the very size laid out here.
        return (
            f"^FO{matrix.x},{matrix.y}^BXN,{matrix.module},200,{symbol.columns},"
            f"{symbol.height},,{_DM_ESCAPE}^FD{datamatrix_field(symbol)}^FS"
        )
    if matrix.module > QR_MAX_MAGNIFICATION:
        raise Refused(
            f"A QR code with {matrix.module}-dot modules is beyond ZPL's ^BQ (at most "
            f"{QR_MAX_MAGNIFICATION} dots): print it as PNG or PDF, or as GS1 DataMatrix"
        )
    return (
        f"^FO{matrix.x},{matrix.y}^BQN,2,{matrix.module}^FD{QR_ERROR_CORRECTION}A,{symbol.data}^FS"
    )


def _text(text: Text) -> str:
    # ^FB keeps the line inside its box and does the centring with the printer's font.
    return (
        f"^FO{text.x},{text.y}^A0N,{text.size},{text.size}"
        f"^FB{text.width},1,0,{_JUSTIFY[text.align]},0^FH_^FD{escape_text(text.text)}^FS"
    )


def _rect(rect: Rect) -> str:
    thickness = min(rect.width, rect.height)
    return f"^FO{rect.x},{rect.y}^GB{rect.width},{rect.height},{thickness}^FS"


def label_zpl(drawing: Drawing, copies: int = 1) -> str:
    """One label format, ^XA to ^XZ, printed COPIES times."""
    lines = ["^XA", "^CI28", f"^PW{drawing.width}", f"^LL{drawing.height}", "^LH0,0"]
    for element in drawing.elements:
        if isinstance(element, Bars):
            lines.append(_bars(element))
        elif isinstance(element, Matrix):
            lines.append(_matrix(element))
        elif isinstance(element, Text):
            lines.append(_text(element))
        elif isinstance(element, Rect):
            lines.append(_rect(element))
    lines += [f"^PQ{max(1, copies)}", "^XZ"]
    return "\n".join(lines) + "\n"


def to_zpl(drawings: list[Drawing], copies: int = 1) -> str:
    """Every drawing as its own label format, one after the other."""
    return "".join(label_zpl(d, copies) for d in drawings)
