"""Feedback and complaints (投诉建议): filed by residents, routed to the owning organisation,
answered within a deadline of working days and rated by the resident. Composed into the schema
through culture_cloud/reviews (queries, mutations, types)."""
