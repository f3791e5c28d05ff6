"""The criteria packs: one module per pack, each with ``PACK_ID``, ``TITLE`` and ``criteria()``."""

from __future__ import annotations

from lingtan.twin.accounting.criteria.packs import (
    anhui_park_2024,
    hunan_factory_2025,
    national_factory_guidance,
    national_park_2025,
    zhejiang_factory_2025,
)

PACKS = {
    m.PACK_ID: m
    for m in (anhui_park_2024, zhejiang_factory_2025, hunan_factory_2025, national_park_2025, national_factory_guidance)
}

__all__ = ["PACKS"]
