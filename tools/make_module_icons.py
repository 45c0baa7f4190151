"""Draw the Apps-list icon of every module: a coloured rounded square with initials.

Placeholders, not vendor logos: each platform module should replace its icon with the
platform's own logo where its licence allows. Run from the repository root:

    /opt/odoo18/venv/bin/python tools/make_module_icons.py
"""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

SIZE = 256
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
#: module -> (initials, background colour)
ICONS = {
    "channel_base": ("CC", "#5b4b8a"),
    "channel_shipstation": ("SS", "#2e7d32"),
    "channel_iqreseller": ("IQR", "#1565c0"),
    "channel_iqmetrix": ("iQm", "#e65100"),
    "test_channel_base": ("T", "#757575"),
    "test_channel_iqr_shipstation": ("T+", "#616161"),
}


def draw_icon(initials, colour):
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((8, 8, SIZE - 8, SIZE - 8), radius=48, fill=colour)
    font_size = 120 if len(initials) <= 2 else 92
    font = ImageFont.truetype(FONT, font_size)
    draw.text((SIZE / 2, SIZE / 2), initials, font=font, fill="white", anchor="mm")
    return image


def main():
    addons = Path(__file__).resolve().parent.parent / "addons"
    for module, (initials, colour) in ICONS.items():
        target = addons / module / "static" / "description" / "icon.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        draw_icon(initials, colour).save(target, optimize=True)
        print(target.relative_to(addons.parent))


if __name__ == "__main__":
    main()
