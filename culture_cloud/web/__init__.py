"""The web pages served by the app itself (website at `/`, later the staff console): shared
plumbing here — in-process GraphQL documents, cookie sessions, CSRF, templates, assets, error
pages; each front end (`site/`, `console/`) brings its routes, documents and templates."""
