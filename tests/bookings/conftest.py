"""Booking tests run on both databases; `pg` marks the ones only PostgreSQL can prove."""

from __future__ import annotations
