"""What every form does to the text people type: surrounding whitespace goes, an empty answer
to an optional question is no answer, and a length limit is a clear BadInput on the field.

One module so the rule (and its Chinese messages) is the same in every domain.
"""

from __future__ import annotations

from culture_cloud.errors import BadInput


def clean_text(value: str | None, *, field: str, max_length: int) -> str | None:
    """Stripped; empty becomes None."""
    if value is None:
        return None
    value = value.strip()
    if len(value) > max_length:
        raise BadInput(f"不能超过 {max_length} 个字符", field=field)
    return value or None


def required_text(value: str, *, field: str, max_length: int, label: str) -> str:
    """As `clean_text`, but an empty answer is refused, naming the question (`label`)."""
    cleaned = clean_text(value, field=field, max_length=max_length)
    if cleaned is None:
        raise BadInput(f"{label}不能为空", field=field)
    return cleaned
