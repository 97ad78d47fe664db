"""Uploaded images: checked by content, re-encoded without metadata, stored locally or in
S3-compatible object storage (see docs/decisions.md, *Uploads*)."""
