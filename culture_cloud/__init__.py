"""介休文旅云 — Jiexiu Culture & Tourism Cloud."""
