"""How numbers read on pages, in exports and in messages."""


def fmt_number(value) -> str:
    """40.00 → "40", 12.50 → "12.5"."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
