"""The resident website (门户) at `/`: pages over the in-process GraphQL documents in
documents/, templates in templates/ (culture_cloud/web/ holds the shared plumbing)."""
